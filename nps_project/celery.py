"""The Celery app. Configured from Django settings (``CELERY_`` namespace);
tasks are found in each app's ``tasks`` module."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_ready
from django.db import close_old_connections

from nps_project.brokers import amqp_parking_declare, is_amqp
from nps_project.settings import default_module

# Whether the settings module was chosen here rather than by whoever started
# the process: the WSGI entry point (which imports this module first) then
# chooses again, for a web process never runs on the dev settings by default.
SETTINGS_DEFAULTED = "DJANGO_SETTINGS_MODULE" not in os.environ
os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_module())

app = Celery("nps_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    """What Django does around a request, around a task: close a connection
    past CONN_MAX_AGE or one left unusable by an error (CELERY_DB_REUSE_MAX
    keeps Celery from closing every connection after every task)."""
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()


@worker_ready.connect
def _parking_declare(sender=None, **kwargs) -> None:
    """On RabbitMQ, the queue dead-lettered messages go to (no worker reads
    it: see nps_project.brokers)."""
    if is_amqp(app.conf.broker_url):
        with app.connection_for_write() as connection:
            amqp_parking_declare(connection)
