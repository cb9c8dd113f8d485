"""Delighted's public API, at /api/delighted/v1/: code written for Delighted
(its REST docs and its official clients) keeps working by changing the base
URL and the key. Views translate Delighted's requests and shapes to this
product's services (recording answers, inviting, erasing) and back; the
page /api/delighted/ documents the mapping.

Part of ``followups`` because scheduling a survey for a person is an
invitation request (``followups.invitations``), which ``surveys`` may not
import."""
