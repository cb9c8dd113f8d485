"""Fixtures shared by the followups tests: texts through a local server
playing Twilio or the generic SMS gateway (``tests.followups.sms_provider``).
A module that needs them set up otherwise defines its own of the same name."""

from tests.followups.sms_provider import gateway, twilio  # noqa: F401 - fixtures
