"""Command-line entry points of the surveys app."""
