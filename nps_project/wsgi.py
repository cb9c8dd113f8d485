"""WSGI entry point (gunicorn nps_project.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nps_project.settings.production")

application = get_wsgi_application()
