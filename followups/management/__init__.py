"""Management commands of the followups app (see ``commands``)."""
