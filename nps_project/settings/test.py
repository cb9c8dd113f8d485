"""The test suite: the database comes from DATABASE_URL (SQLite when unset),
email stays in memory, tasks run in-process unless a test starts a worker."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-key-not-secret-5f0d6c2b9e8a4f71b3c6d2e9a0f1b4c7d8e9f0a1"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Unit tests run tasks eagerly; pipeline tests start a real worker on the
# broker named by TEST_BROKER_URL and switch eager mode off for themselves.
CELERY_BROKER_URL = env("TEST_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "max_retries": 0}
# Serve static files from the finders; no collectstatic needed for tests.
WHITENOISE_AUTOREFRESH = True

# The tests' webhook receivers listen on 127.0.0.1; the SSRF tests switch this off.
NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

# A second alias for the replica router's tests: the test database itself,
# through a connection of its own (TEST MIRROR). Reads go to it only where a
# test turns NPS_REPLICA_READS on (tests/nps_project/test_replica.py) and
# declares both databases; every other test reads and writes "default".
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
NPS_REPLICA_READS = False
