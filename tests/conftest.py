"""Shared fixtures, and the rule for tests that need real services.

Tests marked ``postgres``, ``redis``, ``browser``, ``gettext`` or ``imap`` run
when the service is reachable and are skipped loudly when not. With REQUIRE_SERVICES=1 (as in CI)
a missing service fails the run instead, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.utils import translation

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@cache
def _redis_reachable() -> str | None:
    url = urlparse(settings.CELERY_BROKER_URL or "")
    if url.scheme not in {"redis", "rediss"}:
        return f"TEST_BROKER_URL is not a Redis URL ({settings.CELERY_BROKER_URL!r})"
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                return "Redis did not answer PING"
    except OSError as exc:
        return f"Redis at {url.hostname}:{url.port or 6379} is unreachable ({exc})"
    return None


# RabbitMQ for the pipeline tests' second broker: a vhost of its own (.ci/run makes one).
AMQP_BROKER_URL = os.environ.get("TEST_AMQP_BROKER_URL", "")


@cache
def _amqp_missing() -> str | None:
    if not AMQP_BROKER_URL:
        return "TEST_AMQP_BROKER_URL is not set (amqp://guest:guest@127.0.0.1:5672/<vhost>)"
    from kombu import Connection

    try:
        with Connection(AMQP_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        return f"RabbitMQ at {AMQP_BROKER_URL.rsplit('@', 1)[-1]} is unreachable ({exc})"
    return None


def _postgres_missing() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def _browser_missing() -> str | None:
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _gettext_missing() -> str | None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        return "GNU gettext is not installed (apt-get install gettext)"
    return None


def _dovecot_missing() -> str | None:
    from tests.dovecot import dovecot_path

    if dovecot_path() is None:
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    return None


SERVICE_CHECKS = {
    "postgres": _postgres_missing,
    "redis": _redis_reachable,
    "amqp": _amqp_missing,
    "browser": _browser_missing,
    "gettext": _gettext_missing,
    "imap": _dovecot_missing,
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, check in SERVICE_CHECKS.items():
            if marker not in item.keywords:
                continue
            reason = check()
            if reason is None:
                continue
            if REQUIRE_SERVICES:
                item.add_marker(
                    pytest.mark.usefixtures("_fail_missing_service"),
                )
                item.user_properties.append(("missing_service", f"{marker}: {reason}"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"SKIPPED, needs {marker}: {reason}"))


@pytest.fixture
def _fail_missing_service(request):
    missing = dict(request.node.user_properties).get("missing_service")
    pytest.fail(f"REQUIRE_SERVICES=1 but a service is missing: {missing}")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache as django_cache

    django_cache.clear()
    yield


def _reset_producer_pools(app) -> None:
    # Connection pools are keyed by broker URL; drop the app's references so
    # the next publish connects to whatever broker_url now says. The queues
    # and routes are declared from the configuration once: forget them too
    # (a RabbitMQ test declares quorum queues on a topic exchange).
    app._pool = None
    app.__dict__.pop("amqp", None)
    app.amqp._producer_pool = None


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test, then restore it."""
    from nps_project.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf.get(key))
            app.conf[key] = value
        _reset_producer_pools(app)

    yield change
    for key, value in saved.items():
        app.conf[key] = value
    _reset_producer_pools(app)


@pytest.fixture
def redis_broker(celery_conf, settings):
    """Publish tasks to the real Redis broker (emptied first) instead of running
    them in-process. Returns the broker URL."""
    import redis

    url = settings.CELERY_BROKER_URL
    redis.Redis.from_url(url).flushdb()
    celery_conf(task_always_eager=False, broker_url=url)
    return url


def _amqp_emptied(url: str) -> None:
    """Delete the work queues and the delayed-delivery queues, so a test
    starts with nothing left by another (the worker declares them again)."""
    from kombu import Connection
    from kombu.transport.native_delayed_delivery import MAX_LEVEL, level_name

    from nps_project.brokers import QUEUES

    names = [*QUEUES, *(level_name(level) for level in range(MAX_LEVEL + 1))]
    with Connection(url, connect_timeout=2) as conn:
        channel = conn.channel()
        for name in names:
            channel.queue_delete(name)


@pytest.fixture(
    params=[
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("amqp", marks=pytest.mark.amqp),
    ]
)
def broker(request, celery_conf, settings):
    """The pipeline tests' broker, once Redis and once RabbitMQ (quorum
    queues, publisher confirms): emptied, and published to by this process
    with the settings a deployment on it has. Returns the broker URL."""
    if request.param == "redis":
        return request.getfixturevalue("redis_broker")
    from nps_project.brokers import amqp_options

    _amqp_emptied(AMQP_BROKER_URL)
    celery_conf(
        task_always_eager=False,
        broker_url=AMQP_BROKER_URL,
        **amqp_options(settings.CELERY_BROKER_TRANSPORT_OPTIONS),
    )
    return AMQP_BROKER_URL


@pytest.fixture(scope="session")
def smtp_server():
    from tests.smtp import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server, settings):
    """A real SMTP server on 127.0.0.1 that this process sends to; reset per test."""
    smtp_server.handler.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield smtp_server
    smtp_server.handler.reset()


@pytest.fixture(scope="session")
def dovecot_server():
    """Dovecot with a configuration of its own, on a free port (tests marked ``imap``)."""
    from tests.dovecot import Dovecot

    with Dovecot() as server:
        yield server


@pytest.fixture
def imap_mailbox(dovecot_server, settings):
    """The reply mailbox, empty, and the settings that point at it."""
    from tests.dovecot import PASSWORD, USER

    dovecot_server.empty()
    settings.NPS_REPLY_IMAP_HOST = "127.0.0.1"
    settings.NPS_REPLY_IMAP_PORT = dovecot_server.port
    settings.NPS_REPLY_IMAP_SSL = False
    settings.NPS_REPLY_IMAP_USER = USER
    settings.NPS_REPLY_IMAP_PASSWORD = PASSWORD
    settings.NPS_REPLY_IMAP_FOLDER = "INBOX"
    return dovecot_server


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Roles and the default offer and reward, as the data migration makes them.
    Transactional tests flush every table (and --reuse-db keeps the flushed
    database), so they are ensured for each database test, not trusted."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")
    from followups.roles import ensure_reference_data

    ensure_reference_data()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never its own download)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between page actions are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


DESKTOP_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture
def page(browser):
    # Headless Chromium names itself "HeadlessChrome", as scanners' browsers
    # do, and the survey page records nothing for those: this is a person's.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", user_agent=DESKTOP_AGENT
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot under test-artifacts/ (kept by CI as evidence)."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _no_language_leaks_into_the_next_test():
    """LocaleMiddleware activates the request's language for the thread and
    nothing switches it back: without this, one request in Polish would make
    every later test in the process read Polish messages."""
    yield
    translation.deactivate()
