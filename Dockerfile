# syntax=docker/dockerfile:1
# Cymuned's production image: docs/deploy.md. Three stages, so that the image that runs holds the
# Python packages, the code, the collected static files and the compiled Welsh catalogue, and no
# compiler, npm or Node.js.
#
#   docker build -t cymuned:$(git rev-parse --short HEAD) .
#
# Pin the base images by digest (python:3.11-slim-bookworm@sha256:...) when you publish an image.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- 1. Front-end packages (GOV.UK Frontend, htmx, Chart.js) exactly as package-lock.json says. ---
FROM ${NODE_IMAGE} AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- 2. Build: the virtual environment, the Welsh catalogue and the static files. ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/base.txt requirements/constraints.txt /app/requirements/
RUN pip install -r /app/requirements/base.txt -c /app/requirements/constraints.txt

WORKDIR /app
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# Production settings, with a throw-away key that exists only for these two commands (never in the image).
RUN export DJANGO_SETTINGS_MODULE=config.settings.production \
           DJANGO_SECRET_KEY=build-only-key-for-collectstatic-and-compilemessages-0123456789 \
 && python manage.py compilemessages --ignore=node_modules -v 0 \
 && python manage.py collectstatic --noinput -v 0 \
 && rm -rf node_modules

# --- 3. Runtime: what Cymuned needs to run, as an unprivileged user. ---
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Cymuned" \
      org.opencontainers.image.description="The platform for community focused schools in Wales"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_VAR_DIR=/var/lib/cymuned
# A fixed uid and gid, so volumes and orchestrators (runAsUser, runAsNonRoot) can rely on them.
RUN groupadd --system --gid 10001 cymuned \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin cymuned \
 && mkdir -p /var/lib/cymuned/media \
 && chown -R 10001:10001 /var/lib/cymuned
COPY --from=build /opt/venv /opt/venv
# Code, static files and catalogues belong to root: the process can read them, not change them.
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
# Uploads go to /var/lib/cymuned/media: mount a volume there, or use DJANGO_MEDIA_STORAGE=s3.
EXPOSE 8000
# Liveness: the process and the database answer (the middleware answers before host checks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status != 200)"]
# The web server. The worker and scheduler use the same image with another command:
#   python manage.py db_worker     python manage.py run_scheduler     python manage.py migrate
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
