"""Management commands of the followups app: demo data, reports, survey sends."""
