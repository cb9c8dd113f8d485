# One image for every process of the product: web (the default CMD), the
# Celery worker and Celery beat. docker-compose.yml picks the process with
# `command:`. Configuration comes from the environment at run time (see
# nps_project/settings/base.py); nothing secret is baked into the image.
FROM python:3.11-slim

# The code runs from the source tree in /app (BASE_DIR = /app, so var/ and the
# templates, static files and translations next to the code are found there);
# `pip install .` below brings in the dependencies declared in pyproject.toml.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=nps_project.settings.production

WORKDIR /app

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --no-log-init app

# Dependencies first, in their own layer: it is rebuilt only when
# pyproject.toml changes, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install . \
    && rm -rf build ./*.egg-info

# Static files are collected into the image (served by WhiteNoise). The
# production settings refuse to load without a long SECRET_KEY and an
# ALLOWED_HOSTS: these throwaway values exist for this one command only and are
# not part of the image's environment.
RUN DJANGO_SETTINGS_MODULE=nps_project.settings.production \
    SECRET_KEY=build-time-only-collectstatic-key-never-used-at-runtime-9f4c2a7e1b \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p var \
    && chown app:app var

USER app

EXPOSE 8000

# The logger class cuts the token of survey and unsubscribe links out of the
# access log.
CMD ["gunicorn", "nps_project.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "--logger-class", "nps_project.log_redaction.GunicornLogger"]
