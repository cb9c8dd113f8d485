"""The Celery app. Configured from Django settings (``CELERY_`` namespace);
tasks are found in each app's ``tasks`` module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_project.settings.dev")

app = Celery("nps_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
