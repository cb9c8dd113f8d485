"""Production: nothing secret has a default, and ``check --deploy`` is clean."""

import math
from collections import Counter

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def shannon_bits_per_char(text: str) -> float:
    """Entropy per character of ``text``, estimated from its own character counts."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


# A debug error page shows every setting: the broker, database and SMTP
# passwords. Production never runs with it, whatever the environment says.
if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured(
        "DEBUG must be off under production settings (unset DEBUG, or use "
        "DJANGO_SETTINGS_MODULE=nps_project.settings.dev on a developer machine)."
    )
DEBUG = False

# The key signs unsubscribe links and sessions: it must be long and random.
# Length alone proves nothing ("abcde" * 10 is 50 characters), so the key's
# entropy is estimated from its own character frequencies (Shannon). 3.2 bits
# per character lets through hex (`openssl rand -hex 32`, 4 bits at best) and
# refuses a key made of a handful of characters repeated.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_BITS_PER_CHAR = 3.2
SECRET_KEY = env("SECRET_KEY", default="")
if (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or shannon_bits_per_char(SECRET_KEY) < SECRET_KEY_MIN_BITS_PER_CHAR
    or SECRET_KEY.startswith(("django-insecure", "dev-only", "test-only", "change-me"))
):
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set to a random value in production: at least "
        f"{SECRET_KEY_MIN_LENGTH} characters and at least {SECRET_KEY_MIN_BITS_PER_CHAR} bits "
        f"of entropy per character (not a few characters repeated, not a placeholder). "
        f"For example: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the site's hosts in production, not '*': any Host "
        "header would then be trusted (and end up in password-reset and email links)."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks come from inside the network over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Off only for a plain-HTTP trial run (docker compose on a LAN host).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    **LOGGING,  # noqa: F405 - base's handlers, filters and loggers
    "formatters": {
        **LOGGING["formatters"],  # noqa: F405
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
    },
}
