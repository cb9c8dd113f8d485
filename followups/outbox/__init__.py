"""The outbox: every message out is a row first, then delivered by its channel's transport."""
