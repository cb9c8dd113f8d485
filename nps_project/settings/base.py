"""Every setting that comes from the environment is read here, in one place.

The embedded defaults (SQLite file, in-process tasks, email to a folder) make a
fresh clone run with nothing installed; production overrides what must never
have a default (see ``production.py``).
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from nps_project.brokers import amqp_options, is_amqp

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is a convenience for development; real deployments set the
# process environment.
env_file = BASE_DIR / ".env"
if env_file.is_file():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Absolute base of links put in emails (survey links, unsubscribe links).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "surveys",
    "followups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the next one: its refusals, and the site's 404s, reach clients
    # of the Delighted-compatible API in Delighted's error shape.
    "followups.delighted.middleware.DelightedErrorsMiddleware",
    "nps_project.middleware.RejectNulBytesMiddleware",
    # Outside the session middleware, so a login's session write pins too.
    "nps_project.replica.ReplicaPinMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "surveys.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers for a login refused by its backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nps_project.urls"
WSGI_APPLICATION = "nps_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nps_project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement on the server after it ran this many times
    # on a connection, for cursors that bind their parameters on the server
    # only: the ORM's bind them into the text and are never prepared; the
    # single answer's two statements (surveys/answer_sql.py) are, so PostgreSQL
    # plans them once per connection instead of once per answer. Off
    # (DATABASE_PREPARED_STATEMENTS=false) behind a PgBouncer older than 1.21 in
    # transaction mode, which cannot carry prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "prepare_threshold",
        5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None,
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the embedded default: wait for the writer lock instead of
    # failing at once, and keep readers off the writer's back with WAL.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# A read replica of the primary (PostgreSQL streaming replication): the
# dashboard, the report API and the CSV exports read from it when it is set
# (nps_project/replica.py says which reads, and when they stay on the primary).
# Writes and migrations always go to "default".
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db("DATABASE_REPLICA_URL"),
        "TEST": {"MIRROR": "default"},
    }
NPS_REPLICA_READS = env.bool("NPS_REPLICA_READS", default="replica" in DATABASES)
# After a browser's request writes, its reports read the primary this long
# (read-your-writes across requests; nps_project/replica.py). 0: off.
NPS_REPLICA_PIN_SECONDS = env.int("NPS_REPLICA_PIN_SECONDS", default=5)
DATABASE_ROUTERS = ["nps_project.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# django-axes first: it refuses a locked-out login before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("pl", _("Polish")),
    ("ru", _("Russian")),
]
# The project is not an app: its templates (admin index, lockout page) take
# their translations from here.
LOCALE_PATHS = [BASE_DIR / "nps_project" / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Email ------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="filemail://"))
if EMAIL_BACKEND.endswith(".filebased.EmailBackend"):  # type: ignore[used-before-def]  # noqa: F821 - set just above
    # django-environ drops the leading slash of a filemail:// path; keep it explicit.
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail")
    # One .eml file per message (Django's writes one file per connection).
    EMAIL_BACKEND = "nps_project.mail.OneFilePerMessageBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="NPS <nps@example.com>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery -----------------------------------------------------------------
# No broker configured means "run tasks in-process": the embedded mode.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=None)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Tasks are idempotent: acknowledge after running, and give a message back to
# the broker when the worker dies under it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when the broker is down: the sweeper re-enqueues
# whatever was not published, so a customer never waits on Redis.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Above every countdown we use (the longest email retry is one hour).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # One retry, at once (a pooled connection may have died with a restarted
    # Redis; a new one then works). kombu's default waits 2 s before it.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_PUBLISH_RETRY = False
# Celery's Django fix-up closes the database connection around every task
# unless told to reuse it; a new PostgreSQL session per task costs more than
# most of our tasks. Reuse it, and let Django's own rules (CONN_MAX_AGE,
# health checks, a connection that saw an error) decide when to close it:
# nps_project/celery.py calls close_old_connections() around each task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "followups.route_responses": {"queue": "routing"},
    "followups.route_recent_responses": {"queue": "routing"},
    "followups.send_emails": {"queue": "email"},
    # Long, CPU-bound learning stays off the routing and email queues.
    "followups.train_root_causes": {"queue": "default"},
    "followups.compute_themes": {"queue": "default"},
    "followups.compute_survey_themes": {"queue": "default"},
}
# RabbitMQ (CELERY_BROKER_URL=amqp://...): quorum queues on a topic exchange,
# publisher confirms, countdowns through RabbitMQ's delayed delivery
# (nps_project/brokers.py says why each). Redis keeps the settings above.
if is_amqp(CELERY_BROKER_URL):
    vars().update(
        {
            f"CELERY_{name.upper()}": value
            for name, value in amqp_options(CELERY_BROKER_TRANSPORT_OPTIONS).items()
        }
    )

# --- REST API ---------------------------------------------------------------
# Seconds a web process keeps an API key it found usable (with its user and
# permissions), so that a client's requests cost no query to authenticate. A
# revoked key, or a user who lost a permission, is refused at once by the
# process where the change was made and within these seconds by every other
# (surveys/api_keys.py). 0 keeps none.
NPS_API_KEY_CACHE_SECONDS = env.int("NPS_API_KEY_CACHE_SECONDS", default=5)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "surveys.api_access.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A view that declares no scopes (required_scopes) is refused.
    "DEFAULT_PERMISSION_CLASSES": ["surveys.api_access.HasApiScope"],
    # DRF's parsers, with JSON nested past the recursion limit a 400.
    "DEFAULT_PARSER_CLASSES": [
        "nps_project.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "surveys.api_schema.ScopedAutoSchema",
    # Every 4xx in one shape: {"error": {"status", "code", "message", "fields"}}.
    "EXCEPTION_HANDLER": "nps_project.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "nps_project.throttling.UserWindowThrottle",
    ],
    # Counted per user in the cache (CACHE_URL: Redis when there are several
    # web processes). "ingest" and "read" are the API token scopes; a bulk
    # request of up to 1000 answers counts once.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="6000/min"),
        "ingest": env("API_THROTTLE_INGEST", default="1200/min"),
        "read": env("API_THROTTLE_READ", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NPS loop API",
    "DESCRIPTION": (
        "Ingest NPS answers, read statistics and work follow-up cases.\n\n"
        "Authenticate with `Authorization: Token <key>` (`manage.py api_token create`); "
        "each operation names the key scope it needs. "
        "Every error has one shape: "
        '`{"error": {"status", "code", "message", "fields"}}`.\n\n'
        "Coming from Delighted? Its API is served at `/api/delighted/v1/`, "
        "documented on its own page: [/api/delighted/](/api/delighted/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Delighted's API has its own description, /api/delighted/v1/openapi.json.
    "PREPROCESSING_HOOKS": ["followups.delighted.schema.main_schema_endpoints"],
    # Separate request and response components: read-only fields are not
    # asked for, and what is required in a request is exact.
    "COMPONENT_SPLIT_REQUEST": True,
    # What Django's <slug:...> path converter matches, stated in the schema.
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}},
    "ENUM_NAME_OVERRIDES": {
        # Several fields are called "status": each set of choices gets its name.
        "SurveyStatusEnum": "surveys.models.Survey.Status",
        "CaseStatusEnum": "followups.models.FollowUpCase.Status",
        "LocaleEnum": "surveys.models.Locale",
        "BulkItemStatusEnum": "surveys.ingestion.BULK_STATUSES",
        "ChannelEnum": "surveys.models.Channel",
        "InvitationChannelEnum": "followups.invitations.serializers.INPUT_CHANNELS",
        "InvitationStatusEnum": "surveys.models.InvitationStatus",
        "GrantStatusEnum": "followups.models.GrantStatus",
        "GrantKindEnum": "followups.incentives.serializers.GRANT_KINDS",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # OpenAPI 3.1 documents the webhooks the product sends (its `webhooks` section).
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": "followups.webhooks.schema.WEBHOOKS",
}

# --- Admin -----------------------------------------------------------------
# django-import-export lets anyone who sees a list import and export it unless
# told which permission each needs: <app>.import_<model>, <app>.export_<model>.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# --- The product ------------------------------------------------------------
# Survey page answers per client IP per minute, and how many reverse proxies
# in front of the app append to X-Forwarded-For (0: use the socket's address).
NPS_PAGE_POSTS_PER_MINUTE = env.int("NPS_PAGE_POSTS_PER_MINUTE", default=30)
# Requests of reward links recorded per client address and minute; past it a
# visitor is still sent on, and nothing is recorded.
NPS_LINK_CLICKS_PER_MINUTE = env.int("NPS_LINK_CLICKS_PER_MINUTE", default=30)
NPS_TRUSTED_PROXY_COUNT = env.int("NPS_TRUSTED_PROXY_COUNT", default=0)
# The survey page records the score chosen in the email as it opens; the
# customer may change it for this long, and it is routed then (or as soon as
# they send the page).
NPS_ANSWER_CHANGE_SECONDS = env.int("NPS_ANSWER_CHANGE_SECONDS", default=30)
# A translated, friendly page when a customer's form is refused.
CSRF_FAILURE_VIEW = "surveys.views.csrf_failure"
# Below this many answers a report says the sample is too small to trust.
NPS_MIN_SAMPLE = env.int("NPS_MIN_SAMPLE", default=30)
# eNPS: no figure, comment or trend point of a group of employees smaller than
# this is shown anywhere (README "Employee NPS (eNPS)").
NPS_ENPS_MIN_GROUP = env.int("NPS_ENPS_MIN_GROUP", default=5)
# The survey Delighted's API (/api/delighted/v1/) works on, by slug: Delighted
# had one survey per project. A call may name another with trend=<slug>.
NPS_DELIGHTED_SURVEY = env("NPS_DELIGHTED_SURVEY", default="")

LOGIN_URL = "admin:login"

# Login guessing: after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused (even with the right password) for
# AXES_COOLOFF_TIME. Counted in the database, so every web process sees them.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts are not shown in the admin: their pages would offer deletions that
# declare no permission. `manage.py axes_reset_username NAME` unlocks early.
AXES_ENABLE_ADMIN = False
AXES_LOCKOUT_CALLABLE = "nps_project.lockout.locked_out"
# The address counted is the one the survey page throttle uses: X-Forwarded-For
# only behind NPS_TRUSTED_PROXY_COUNT proxies, where a client cannot forge it,
# and an IPv6 client as its /64. (One username tried from many networks, or
# many usernames from one, is not locked: a lock on a username alone would let
# anyone lock staff out, one on an address alone an office behind one NAT.)
AXES_CLIENT_IP_CALLABLE = "surveys.views.client_address"

# Every handler carries the filter that cuts the token out of survey and
# unsubscribe links. Django's own loggers are routed to these handlers: its
# default ones ("django" to a console, "django.server" for runserver) would
# print request paths unfiltered.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_link_tokens": {"()": "nps_project.log_redaction.RedactTokensFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_link_tokens"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_link_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Twilio's client logs every request's headers at INFO: a line per SMS.
        "twilio": {"level": "WARNING"},
    },
}

# --- The loop ---------------------------------------------------------------
NPS_HANDOFF = {
    "response_recorded": "followups.handoff.enqueue_routing",
    "customer_erased": "followups.handoff.scrub_customer",
    "customer_unsubscribed": "followups.handoff.report_unsubscribed",
}
NPS_ROUTING_BATCH_SIZE = env.int("NPS_ROUTING_BATCH_SIZE", default=100)
# Messages a send task claims and sends over one connection. Each batch costs
# the sender about 10 ms of CPU besides its messages (the claim, loading the
# rows, opening the connection, the bookkeeping's statements): 0.4 ms an email
# at 25 (a quarter of sending's CPU), 0.2 at 50 (bench/results/loop-profile.md).
# Not more: at 50, a mail server answering each message in 1.2 s (a tarpit, a
# degraded relay) still lets the batch end before the task's soft time limit,
# and a batch has only so many rows to hold back for the sweeper if it does not.
NPS_EMAIL_BATCH_SIZE = env.int("NPS_EMAIL_BATCH_SIZE", default=50)
# A sender records what the mail server accepted this many messages at a time
# (one short transaction each, not one per message); a sender killed before
# recording sends at most this many of its emails a second time.
NPS_EMAIL_ACCEPTED_CHUNK = env.int("NPS_EMAIL_ACCEPTED_CHUNK", default=10)
# Answers handed over fewer than a batch at a time (single submissions) are
# routed by one run per this many seconds and process, whatever their number
# (followups.publish.routing_run_request); 0 publishes one run per answer.
NPS_ROUTING_COALESCE_SECONDS = env.float("NPS_ROUTING_COALESCE_SECONDS", default=0.25)
# A mail server that answers "try later" (or not at all) is tried again after
# 30 s, doubling to at most 30 min, with jitter (each wait between half and all
# of it): 16 attempts ride out at least 2.5 hours of outage (3.75 hours
# typically) before an email is marked failed, where an admin can send it again.
NPS_EMAIL_MAX_ATTEMPTS = env.int("NPS_EMAIL_MAX_ATTEMPTS", default=16)
NPS_EMAIL_RETRY_BASE_SECONDS = env.float("NPS_EMAIL_RETRY_BASE_SECONDS", default=30.0)
NPS_EMAIL_RETRY_MAX_SECONDS = env.float("NPS_EMAIL_RETRY_MAX_SECONDS", default=30 * 60.0)
# A sender holds the emails it claimed for a lease sized from EMAIL_TIMEOUT and
# the batch (followups.outbox.transports.email.email_lease_seconds), at most this long unless
# one message alone needs more, and renews it while a batch runs long; the
# sweeper queues an email again once its lease has expired (a worker killed
# mid-send). 75 s is what opening a connection and sending one message may take
# with EMAIL_TIMEOUT=10; with the sweep every 30 s, a killed sender's emails are
# sent again within two minutes.
NPS_EMAIL_LEASE_MAX_SECONDS = env.float("NPS_EMAIL_LEASE_MAX_SECONDS", default=75.0)
# Webhooks (followups.webhooks): a receiver gets 5 s to accept the connection
# and 10 s to answer; one failing every delivery for 3 days is disabled (the
# managers are told). Outside development and tests, endpoints whose host
# resolves to a private, loopback, link-local or reserved address are refused.
NPS_WEBHOOK_CONNECT_TIMEOUT = env.float("NPS_WEBHOOK_CONNECT_TIMEOUT", default=5.0)
NPS_WEBHOOK_READ_TIMEOUT = env.float("NPS_WEBHOOK_READ_TIMEOUT", default=10.0)
NPS_WEBHOOK_DISABLE_AFTER_DAYS = env.float("NPS_WEBHOOK_DISABLE_AFTER_DAYS", default=3.0)
NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("NPS_WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
NPS_SWEEP_INTERVAL_SECONDS = env.float("NPS_SWEEP_INTERVAL_SECONDS", default=30.0)
NPS_SWEEP_GRACE_SECONDS = env.float("NPS_SWEEP_GRACE_SECONDS", default=30.0)
NPS_SWEEP_LIMIT = env.int("NPS_SWEEP_LIMIT", default=5000)
# A survey wave is sent in chunks of this many customers, one small task each.
NPS_WAVE_CHUNK_SIZE = env.int("NPS_WAVE_CHUNK_SIZE", default=2000)

CELERY_BEAT_SCHEDULE = {
    "sweep-lost-work": {
        "task": "followups.sweep",
        "schedule": NPS_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": NPS_SWEEP_INTERVAL_SECONDS},
    },
}

# An overdue case escalates one more level after each such interval.
NPS_ESCALATION_REPEAT_HOURS = env.float("NPS_ESCALATION_REPEAT_HOURS", default=24.0)
# ... up to this level: past it the managers already know, and a daily email
# more about the same case tells them nothing new.
NPS_ESCALATION_MAX_LEVEL = env.int("NPS_ESCALATION_MAX_LEVEL", default=3)
# A case nobody owns escalates after this share of its SLA, before it is due.
NPS_UNOWNED_ESCALATION_SHARE = env.float("NPS_UNOWNED_ESCALATION_SHARE", default=0.5)
# Business hours, for surveys whose SLA counts only working time: ISO weekdays
# (Monday 1 .. Sunday 7), opening and closing time, and their time zone.
NPS_BUSINESS_DAYS = env.list("NPS_BUSINESS_DAYS", default=["1", "2", "3", "4", "5"])
NPS_BUSINESS_HOURS = env("NPS_BUSINESS_HOURS", default="09:00-17:00")
NPS_BUSINESS_TIME_ZONE = env("NPS_BUSINESS_TIME_ZONE", default=TIME_ZONE)
NPS_ESCALATION_INTERVAL_SECONDS = env.float("NPS_ESCALATION_INTERVAL_SECONDS", default=300.0)
CELERY_BEAT_SCHEDULE["escalate-overdue-cases"] = {
    "task": "followups.escalate_cases",
    "schedule": NPS_ESCALATION_INTERVAL_SECONDS,
    "options": {"expires": NPS_ESCALATION_INTERVAL_SECONDS},
}
# A customer import task writes for this long, then queues the rest of the file
# as a new task: no file size comes near the worker's time limits.
NPS_IMPORT_TIME_BUDGET_SECONDS = env.float("NPS_IMPORT_TIME_BUDGET_SECONDS", default=20.0)
CELERY_BEAT_SCHEDULE["resume-customer-imports"] = {
    "task": "surveys.resume_customer_imports",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "followups.send_reminders",
    "schedule": env.float("NPS_REMINDER_INTERVAL_SECONDS", default=3600.0),
}
CELERY_BEAT_SCHEDULE["send-due-waves"] = {
    "task": "followups.send_due_waves",
    "schedule": env.float("NPS_WAVE_INTERVAL_SECONDS", default=3600.0),
}
# Invitations asked for through the API are sent when due: every this many
# seconds the due ones are published in chunks of this many, at most the limit
# per run (the next run takes the rest).
NPS_INVITATION_SEND_INTERVAL_SECONDS = env.float(
    "NPS_INVITATION_SEND_INTERVAL_SECONDS", default=15.0
)
NPS_INVITATION_CHUNK_SIZE = env.int("NPS_INVITATION_CHUNK_SIZE", default=500)
NPS_INVITATION_SEND_LIMIT = env.int("NPS_INVITATION_SEND_LIMIT", default=20000)
CELERY_BEAT_SCHEDULE["send-due-invitations"] = {
    "task": "followups.send_due_invitations",
    "schedule": NPS_INVITATION_SEND_INTERVAL_SECONDS,
    "options": {"expires": NPS_INVITATION_SEND_INTERVAL_SECONDS},
}
# Codes past their date are refused at checkout at once; this marks them
# expired for the admin's lists and the reports.
CELERY_BEAT_SCHEDULE["expire-grants"] = {
    "task": "followups.expire_grants",
    "schedule": env.float("NPS_GRANT_EXPIRY_INTERVAL_SECONDS", default=3600.0),
    "options": {"expires": env.float("NPS_GRANT_EXPIRY_INTERVAL_SECONDS", default=3600.0)},
}
# Comment themes (README, "Comment themes"): learned from each period's comments.
NPS_THEMES_ENABLED = env.bool("NPS_THEMES_ENABLED", default=True)
NPS_THEMES_PERIOD = env("NPS_THEMES_PERIOD", default="week")  # or "month"
NPS_THEMES_MIN_ANSWERS = env.int("NPS_THEMES_MIN_ANSWERS", default=5)
NPS_THEMES_MAX = env.int("NPS_THEMES_MAX", default=10)
# At most this many comments of a survey's period are clustered (a seeded
# sample); every comment then joins the theme of its nearest centroid.
NPS_THEMES_MAX_CLUSTERED = env.int("NPS_THEMES_MAX_CLUSTERED", default=3000)
NPS_THEMES_MATCH_SIMILARITY = env.float("NPS_THEMES_MATCH_SIMILARITY", default=0.4)
NPS_THEMES_MATCH_PERIODS = env.int("NPS_THEMES_MATCH_PERIODS", default=8)
NPS_THEMES_GROWTH_POINTS = env.float("NPS_THEMES_GROWTH_POINTS", default=5.0)
NPS_THEMES_GROWTH_RATIO = env.float("NPS_THEMES_GROWTH_RATIO", default=1.5)
CELERY_BEAT_SCHEDULE["compute-themes"] = {
    "task": "followups.compute_themes",
    # Daily, before the Monday digest: the period that closed gets its themes.
    "schedule": crontab(minute=30, hour=5),
}
CELERY_BEAT_SCHEDULE["weekly-digest"] = {
    "task": "followups.send_weekly_digest",
    # Mondays at 07:00 in TIME_ZONE.
    "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
}

# Replies from customers. Every email staff send from a case carries a
# per-case reply address, <local>+<signed token>@<domain> (plus-addressing:
# one mailbox receives them all); the token is an HMAC under SECRET_KEY, so
# there is no secret of its own to set. Domain: the sender's (DEFAULT_FROM_EMAIL)
# unless set.
NPS_REPLY_LOCAL_PART = env("NPS_REPLY_LOCAL_PART", default="replies")
NPS_REPLY_DOMAIN = env("NPS_REPLY_DOMAIN", default="")
# A reply address stops working this many days after the email that gave it.
NPS_REPLY_MAX_AGE_DAYS = env.int("NPS_REPLY_MAX_AGE_DAYS", default=365)
# A reply message (the whole MIME message, attachments included) larger than
# this is refused by the inbound endpoint (413) and skipped over IMAP.
NPS_REPLY_MAX_BYTES = env.int("NPS_REPLY_MAX_BYTES", default=10 * 1024 * 1024)
# The IMAP mailbox `manage.py fetch_replies` reads (and, when a host is set,
# Celery beat every NPS_REPLY_FETCH_INTERVAL_SECONDS). No password default.
NPS_REPLY_IMAP_HOST = env("NPS_REPLY_IMAP_HOST", default="")
NPS_REPLY_IMAP_PORT = env.int("NPS_REPLY_IMAP_PORT", default=993)
NPS_REPLY_IMAP_SSL = env.bool("NPS_REPLY_IMAP_SSL", default=True)
NPS_REPLY_IMAP_USER = env("NPS_REPLY_IMAP_USER", default="")
NPS_REPLY_IMAP_PASSWORD = env("NPS_REPLY_IMAP_PASSWORD", default="")
NPS_REPLY_IMAP_FOLDER = env("NPS_REPLY_IMAP_FOLDER", default="INBOX")
NPS_REPLY_IMAP_TIMEOUT = env.float("NPS_REPLY_IMAP_TIMEOUT", default=30.0)
NPS_REPLY_FETCH_INTERVAL_SECONDS = env.float("NPS_REPLY_FETCH_INTERVAL_SECONDS", default=60.0)
if NPS_REPLY_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["fetch-replies"] = {
        "task": "followups.fetch_replies",
        "schedule": NPS_REPLY_FETCH_INTERVAL_SECONDS,
        "options": {"expires": NPS_REPLY_FETCH_INTERVAL_SECONDS},
    }

# Root-cause suggestions (followups.insights.suggestions): a model trained on
# the team's own resolved detractor cases suggests a new case's root cause.
# Off: no training, no suggestions, nothing shown.
NPS_SUGGESTIONS_ENABLED = env.bool("NPS_SUGGESTIONS_ENABLED", default=True)
# No model is trained from fewer labelled cases than this ...
NPS_SUGGESTION_MIN_LABELS = env.int("NPS_SUGGESTION_MIN_LABELS", default=40)
# ... nor made active with a cross-validated macro-F1 below this.
NPS_SUGGESTION_MIN_QUALITY = env.float("NPS_SUGGESTION_MIN_QUALITY", default=0.4)
# Below this probability a case gets "no suggestion".
NPS_SUGGESTION_MIN_CONFIDENCE = env.float("NPS_SUGGESTION_MIN_CONFIDENCE", default=0.5)
# A training learns from at most this many labelled cases, the latest: its
# time grows with its size (bench/results/quality.md has the measured times).
NPS_SUGGESTION_MAX_TRAINING_CASES = env.int("NPS_SUGGESTION_MAX_TRAINING_CASES", default=3000)
# The beat job retrains once this many labelled cases are new since the last model.
NPS_SUGGESTION_RETRAIN_AFTER = env.int("NPS_SUGGESTION_RETRAIN_AFTER", default=20)
NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS = env.float(
    "NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS", default=3600.0
)
CELERY_BEAT_SCHEDULE["train-root-causes"] = {
    "task": "followups.train_root_causes",
    "schedule": NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS,
    "options": {"expires": NPS_SUGGESTION_TRAIN_INTERVAL_SECONDS},
}
# --- SMS (README: "SMS surveys") ---------------------------------------------
# Which provider carries SMS: "console" (printed, the default), "http" (a generic
# gateway: a signed JSON POST to NPS_SMS_HTTP_URL) or "twilio". No credential
# has a default.
NPS_SMS_TRANSPORT = env("NPS_SMS_TRANSPORT", default="console")
NPS_SMS_FROM = env("NPS_SMS_FROM", default="")
NPS_SMS_TIMEOUT = env.float("NPS_SMS_TIMEOUT", default=10.0)
NPS_SMS_HTTP_URL = env("NPS_SMS_HTTP_URL", default="")
# Signs what we post to the gateway and checks what it posts to us (HMAC-SHA256).
NPS_SMS_HTTP_SECRET = env("NPS_SMS_HTTP_SECRET", default="")
NPS_SMS_TWILIO_ACCOUNT_SID = env("NPS_SMS_TWILIO_ACCOUNT_SID", default="")
NPS_SMS_TWILIO_AUTH_TOKEN = env("NPS_SMS_TWILIO_AUTH_TOKEN", default="")
NPS_SMS_TWILIO_BASE_URL = env("NPS_SMS_TWILIO_BASE_URL", default="https://api.twilio.com")
# No SMS reaches a customer between these local times (their Customer.time_zone,
# else NPS_SMS_DEFAULT_TIME_ZONE): it waits for the end of the quiet hours.
NPS_SMS_QUIET_HOURS = env("NPS_SMS_QUIET_HOURS", default="21:00-09:00")
NPS_SMS_DEFAULT_TIME_ZONE = env("NPS_SMS_DEFAULT_TIME_ZONE", default=TIME_ZONE)
# An inbound message older than this many seconds (the generic gateway's timestamp) is refused.
NPS_SMS_SIGNATURE_MAX_AGE_SECONDS = env.int("NPS_SMS_SIGNATURE_MAX_AGE_SECONDS", default=300)
# An answer by text waits this long for its comment before it is routed (its
# outcome then follows the comment); a comment routes it at once. 0: routed at once.
NPS_SMS_COMMENT_WAIT_SECONDS = env.int("NPS_SMS_COMMENT_WAIT_SECONDS", default=600)
