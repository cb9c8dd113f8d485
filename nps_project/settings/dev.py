"""Local development and ``make run``: debug on, an embedded everything."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# Only for a developer's machine: production.py has no default.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Receivers on this machine (a webhook tester on localhost) are allowed here.
NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=True)

# Links in emails point at the server `make run` starts: it passes
# PUBLIC_BASE_URL from its HOST and PORT; a bare PORT is followed too.
PUBLIC_BASE_URL = env(
    "PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
).rstrip("/")
