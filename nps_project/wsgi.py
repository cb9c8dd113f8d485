"""WSGI entry point (gunicorn nps_project.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from nps_project.settings import default_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_module())

application = get_wsgi_application()
