"""Settings modules: ``base`` reads the environment; ``dev``, ``test`` and
``production`` only choose defaults and hardening on top of it."""

import environ

PRODUCTION = "nps_project.settings.production"
DEV = "nps_project.settings.dev"


def default_module() -> str:
    """The settings for a process started without ``DJANGO_SETTINGS_MODULE``.

    Production, with its checks (a real SECRET_KEY, no DEBUG), unless the
    environment asks for DEBUG: a forgotten variable must never start a web
    process or worker on the dev settings, whose SECRET_KEY is published.
    """
    return DEV if environ.Env().bool("DEBUG", default=False) else PRODUCTION
