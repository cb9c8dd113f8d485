"""Follow-up cases: the workflow staff work in the admin and the API, access, SLAs."""
