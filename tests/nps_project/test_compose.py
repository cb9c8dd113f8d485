"""docker-compose.yml and the Dockerfile describe a stack that can actually start.

No Docker engine is needed: the files are parsed, and what they point at (the
WSGI application, the Celery app, management commands, environment variables,
the production settings) is checked against the code. A compose file that names
a module that does not exist, or sets a variable no setting reads, fails here
instead of at ``docker compose up``.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_DIR = ROOT / "nps_project" / "settings"

APP_SERVICES = ("migrate", "web", "worker", "worker-email", "beat")
WORKERS = ("worker", "worker-email")
BACKING_SERVICES = ("db", "redis", "rabbitmq", "mailpit")
CRITICAL_ENV = {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
# Stands in for the operator's SECRET_KEY when the compose environment is resolved.
FAKE_SECRET_KEY = "compose-test-secret-value-0123456789-abcdefghijklmnopqrstuvwxyz"

_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


# --- reading the files ------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def argv(command: str | list) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def environment(service: dict) -> dict[str, str]:
    """A service's ``environment:``, in either of compose's two spellings."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def interpolate(value: str, supplied: dict[str, str]) -> str:
    """Resolve ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` as compose
    does, with ``supplied`` standing in for the user's shell environment."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if name in supplied:
            return supplied[name]
        if op and op.endswith("?"):
            raise AssertionError(f"compose would refuse to start without {name}: {arg}")
        return arg if op else ""

    return _INTERPOLATION.sub(substitute, value).replace("$$", "$")


def documented_rabbitmq_url(compose_text: str) -> str:
    """The broker URL the file's header tells a RabbitMQ user to export."""
    return re.search(r"export CELERY_BROKER_URL=(\S+)", compose_text).group(1)


def resolved_environment(service: dict, **shell: str) -> dict[str, str]:
    supplied = {"SECRET_KEY": FAKE_SECRET_KEY, **shell}
    return {name: interpolate(value, supplied) for name, value in environment(service).items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped, continuations joined."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, rest = pending.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def dockerfile_env_names(keyword: str) -> set[str]:
    names = set()
    for instruction, rest in dockerfile_instructions():
        if instruction != keyword:
            continue
        tokens = shlex.split(rest)
        if tokens and "=" not in tokens[0]:  # legacy form: ENV NAME value
            names.add(tokens[0])
        else:
            names.update(token.split("=", 1)[0] for token in tokens)
    return names


def settings_env_names() -> set[str]:
    """Every variable name the settings modules read through django-environ
    (``env("X")``, ``env.bool("X")``, ``env.db("X")``, ...) or ``os.environ``."""
    names = {"DJANGO_SETTINGS_MODULE"}
    for path in SETTINGS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = ast.unparse(node.func)
            is_env = func == "env" or (func.startswith("env.") and func != "env.read_env")
            if is_env or func in {"os.environ.get", "os.getenv"}:
                names.add(first.value)
    return names


# --- checking what a command points at --------------------------------------


def option_value(args: list[str], *flags: str) -> str | None:
    for index, arg in enumerate(args):
        if arg in flags and index + 1 < len(args):
            return args[index + 1]
        for flag in flags:
            if flag.startswith("--") and arg.startswith(flag + "="):
                return arg.split("=", 1)[1]
    return None


def gunicorn_target(args: list[str]) -> str:
    targets = [arg for arg in args[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", arg)]
    assert len(targets) == 1, f"gunicorn needs exactly one module:attribute, got {targets}"
    return targets[0]


def assert_entry_point_exists(args: list[str]) -> None:
    """Fail unless the program ``args`` starts would find its Python target."""
    program = Path(args[0]).name
    if program == "gunicorn":
        module_name, attribute = gunicorn_target(args).split(":")
        # Under pytest-django the test settings are configured already, and
        # wsgi.py only setdefault()s DJANGO_SETTINGS_MODULE: importing it here
        # builds the real WSGI handler without switching to production.
        settings_module = os.environ["DJANGO_SETTINGS_MODULE"]
        application = getattr(importlib.import_module(module_name), attribute)
        assert callable(application), f"{module_name}:{attribute} is not a WSGI callable"
        assert os.environ["DJANGO_SETTINGS_MODULE"] == settings_module == settings.SETTINGS_MODULE
    elif program == "celery":
        app_name = option_value(args, "-A", "--app")
        assert app_name, f"celery without -A/--app: {args}"
        # find_app is what the celery command line itself uses to resolve -A.
        assert isinstance(find_app(app_name), Celery), f"-A {app_name} is not a Celery app"
    elif program.startswith("python") and args[1:2] == ["manage.py"]:
        assert (ROOT / "manage.py").is_file()
        assert args[2] in get_commands(), f"no management command {args[2]!r}"
    else:
        pytest.fail(f"unknown launcher {args[0]!r}: teach this test how to check it")


# --- the compose file -------------------------------------------------------


def test_compose_file_defines_the_expected_services(services):
    assert set(services) == set(APP_SERVICES) | set(BACKING_SERVICES)


def test_app_services_build_one_image_from_the_repo_dockerfile(services):
    builds = {name: services[name].get("build") for name in APP_SERVICES}
    images = {name: services[name].get("image") for name in APP_SERVICES}
    assert all(builds.values()), f"every app service builds the image: {builds}"
    assert len({json.dumps(build, sort_keys=True) for build in builds.values()}) == 1, builds
    assert len(set(images.values())) == 1, f"one image name for all app services: {images}"

    build = builds["web"]
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (context / dockerfile).resolve() == DOCKERFILE.resolve()
    assert DOCKERFILE.is_file()


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_service_command_points_at_a_real_entry_point(services, service):
    assert_entry_point_exists(argv(services[service]["command"]))


def test_app_service_commands_start_the_documented_processes(services):
    assert argv(services["migrate"]["command"])[1:] == ["manage.py", "migrate", "--noinput"]
    assert argv(services["web"]["command"])[:2] == ["gunicorn", "nps_project.wsgi:application"]
    for name in WORKERS:
        assert "worker" in argv(services[name]["command"])
    assert "beat" in argv(services["beat"]["command"])


def worker_queues(services, name) -> set[str]:
    queues = option_value(argv(services[name]["command"]), "-Q", "--queues")
    assert queues, f"{name} names its queues with -Q"
    return set(queues.split(","))


def test_workers_consume_every_queue_tasks_are_routed_to(services):
    consumed = set().union(*(worker_queues(services, name) for name in WORKERS))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    expected = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert expected <= consumed, f"no worker consumes {expected - consumed}"


def test_email_has_a_worker_of_its_own_so_slow_mail_never_delays_routing(services):
    assert worker_queues(services, "worker-email") == {"email"}
    assert "email" not in worker_queues(services, "worker")
    assert "routing" in worker_queues(services, "worker")


def test_app_environment_only_sets_variables_the_settings_read(services):
    read = settings_env_names()
    assert read >= CRITICAL_ENV, "the settings parser missed variables the settings read"
    for name in APP_SERVICES:
        unknown = set(environment(services[name])) - read
        assert not unknown, f"{name} sets {sorted(unknown)}, which no setting reads"


def test_app_environment_sets_the_critical_variables(services):
    for name in APP_SERVICES:
        missing = CRITICAL_ENV - set(environment(services[name]))
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert environment(services[name])["DJANGO_SETTINGS_MODULE"] == (
            "nps_project.settings.production"
        )


def test_secret_key_must_come_from_the_user_environment(services):
    for name in APP_SERVICES:
        value = environment(services[name])["SECRET_KEY"]
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", value), (
            f"{name}: SECRET_KEY must be ${{SECRET_KEY:?...}}, not {value!r}"
        )
    with pytest.raises(AssertionError, match="refuse to start without SECRET_KEY"):
        interpolate(environment(services["web"])["SECRET_KEY"], supplied={})


def test_connection_urls_point_at_compose_services(services):
    env = resolved_environment(services["web"])
    for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL"):
        host = urlparse(env[variable]).hostname
        assert host in services, f"{variable} points at {host!r}, not a compose service"


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_production_settings_load_from_the_compose_environment(services, broker):
    """The app services' environment, as compose resolves it, is accepted by the
    production settings and passes ``check --deploy`` (errors fail it): as it
    stands, and with the RabbitMQ broker the file's header documents."""
    shell = {}
    if broker == "rabbitmq":
        shell["CELERY_BROKER_URL"] = documented_rabbitmq_url(COMPOSE_FILE.read_text())
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True)\n"
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
        " 'db_host': s.DATABASES['default']['HOST'], 'cache': s.CACHES['default']['BACKEND'],"
        " 'email': s.EMAIL_BACKEND, 'email_host': s.EMAIL_HOST, 'email_port': s.EMAIL_PORT,"
        " 'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        " 'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hosts': s.ALLOWED_HOSTS}))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), **resolved_environment(services["web"], **shell)}
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["db_host"] == "db"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["email_host"], loaded["email_port"]) == ("mailpit", 1025)
    expected = shell.get("CELERY_BROKER_URL", "redis://redis:6379/0")
    assert loaded["broker"] == expected
    assert loaded["eager"] is False, "with a broker, tasks must go to the worker"
    assert loaded["ssl_redirect"] is False, "the local stack serves plain HTTP"


def test_web_healthcheck_calls_healthz_on_the_port_gunicorn_binds(services):
    web = services["web"]
    test = web["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "the slim image has python, not curl"
    compile(test[3], "<healthcheck>", "exec")  # the snippet is valid Python

    url = urlparse(re.search(r"https?://[^'\"\s]+", test[3]).group())
    bind = option_value(argv(web["command"]), "--bind", "-b")
    assert bind and bind.startswith("0.0.0.0:"), f"gunicorn must listen on all interfaces: {bind}"
    assert url.port == int(bind.rsplit(":", 1)[1])
    assert f"{url.port}:{url.port}" in [str(port) for port in web["ports"]]
    assert resolve(url.path).url_name == "healthz"
    hosts = resolved_environment(web)["ALLOWED_HOSTS"].split(",")
    assert url.hostname in hosts, "Django would answer the healthcheck with 400 Bad Request"


def test_dependencies_wait_on_conditions_their_targets_can_meet(services):
    for name, service in services.items():
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown service {target}"
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
            elif spec["condition"] == "service_completed_successfully":
                assert services[target].get("restart", "no") == "no", f"{target} is not one-shot"
    for name in ("web", *WORKERS, "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["db"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_rabbitmq_runs_only_with_its_profile_and_matches_the_documented_url(compose, services):
    rabbitmq = services["rabbitmq"]
    assert rabbitmq["profiles"] == ["rabbitmq"], "Redis stays the default broker"
    url = urlparse(documented_rabbitmq_url(COMPOSE_FILE.read_text()))
    env = environment(rabbitmq)
    assert url.scheme == "amqp"
    assert url.hostname == "rabbitmq"
    assert (url.username, url.password) == (
        env["RABBITMQ_DEFAULT_USER"],
        env["RABBITMQ_DEFAULT_PASS"],
    )
    assert url.path.lstrip("/") == env["RABBITMQ_DEFAULT_VHOST"]
    # Quorum queues keep their messages on disk: that disk is a named volume.
    source = rabbitmq["volumes"][0].split(":", 1)[0]
    assert rabbitmq["volumes"][0].endswith(":/var/lib/rabbitmq")
    assert source in compose["volumes"]
    # Every process that talks to the broker waits for it when it runs, and only then.
    for name in ("web", *WORKERS, "beat"):
        spec = services[name]["depends_on"]["rabbitmq"]
        assert spec == {"condition": "service_healthy", "required": False}, name


def test_redis_persists_its_data_with_appendonly(compose, services):
    args = argv(services["redis"]["command"])
    assert option_value(args, "--appendonly") == "yes"
    assert any(str(volume).endswith(":/data") for volume in services["redis"]["volumes"])


def test_databases_keep_their_data_in_named_volumes(compose, services):
    for name in ("db", "redis"):
        for volume in services[name]["volumes"]:
            source = str(volume).split(":", 1)[0]
            assert source in (compose.get("volumes") or {}), f"{name}: {source} is not named"


def test_mailpit_web_ui_is_published(services):
    assert "8025:8025" in [str(port) for port in services["mailpit"]["ports"]]


# --- the Dockerfile ---------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim_and_installs_the_package():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any(
        kw == "RUN" and re.search(r"pip install \.(\s|$)", rest) for kw, rest in instructions
    )


def test_dockerfile_default_cmd_points_at_a_real_entry_point():
    instructions = dockerfile_instructions()
    assert "ENTRYPOINT" not in {kw for kw, _ in instructions}, "compose commands replace CMD"
    cmd = json.loads([rest for kw, rest in instructions if kw == "CMD"][-1])
    assert_entry_point_exists(cmd)
    assert gunicorn_target(cmd) == "nps_project.wsgi:application"
    assert option_value(cmd, "--bind", "-b") == "0.0.0.0:8000"


def test_image_runs_as_a_non_root_user():
    users = [rest for kw, rest in dockerfile_instructions() if kw == "USER"]
    assert users, "no USER instruction: the processes would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_does_not_bake_build_time_secrets_into_the_image():
    baked = dockerfile_env_names("ENV") | dockerfile_env_names("ARG")
    assert not baked & {"SECRET_KEY", "ALLOWED_HOSTS"}, baked


def test_dockerfile_collectstatic_step_succeeds_with_its_build_time_values(tmp_path):
    """Re-run the image's collectstatic RUN line, with the values it passes inline,
    so a SECRET_KEY the production settings reject fails here, not in the build."""
    runs = [
        rest for kw, rest in dockerfile_instructions() if kw == "RUN" and "collectstatic" in rest
    ]
    assert len(runs) == 1, runs
    tokens = shlex.split(runs[0])
    assignments = {}
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        name, value = tokens.pop(0).split("=", 1)
        assignments[name] = value
    command = tokens[: tokens.index("&&")] if "&&" in tokens else tokens
    assert command[:3] == ["python", "manage.py", "collectstatic"], command
    assert assignments.get("DJANGO_SETTINGS_MODULE") == "nps_project.settings.production"
    assert set(assignments) <= settings_env_names()

    env = {"PATH": os.environ.get("PATH", ""), **assignments, "STATIC_ROOT": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - our own interpreter, the Dockerfile's command
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file(), "the manifest WhiteNoise serves from"
