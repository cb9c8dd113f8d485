"""Production settings, serving only ``bench.http_floor`` (the floor of
``ingest.single_post``): same middleware, database and cache settings as the
API's server, another URLconf."""

from nps_project.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.http_floor"
