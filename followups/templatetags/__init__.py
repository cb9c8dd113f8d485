"""Template tags of the followups admin pages."""
