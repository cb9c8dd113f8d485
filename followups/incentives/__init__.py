"""Offers and rewards: the catalogue answers are granted from, and the codes granted."""
