"""WSGI entry point (gunicorn nps_project.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from nps_project import celery
from nps_project.settings import PRODUCTION

# A web process is production unless told otherwise by name: DEBUG alone never
# starts one on the dev settings (their SECRET_KEY is published), and the
# production settings refuse DEBUG.
if celery.SETTINGS_DEFAULTED:
    os.environ["DJANGO_SETTINGS_MODULE"] = PRODUCTION

application = get_wsgi_application()
