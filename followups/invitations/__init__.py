"""Asking customers: invitations, waves in chunks, reminders, the survey send action."""
