"""Gunicorn settings for the production image (docs/deploy.md). Each value can be changed through the environment.

Threads, not processes alone: most of a request's time is spent waiting on PostgreSQL. Each worker
process holds up to GUNICORN_THREADS database connections (kept for DJANGO_CONN_MAX_AGE seconds), so size
PostgreSQL's max_connections for web servers x WEB_CONCURRENCY x GUNICORN_THREADS, plus workers and schedulers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request taking longer than this is killed and logged: exports and PDFs take seconds, not minutes.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file in memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - a fixed, container-private tmpfs
accesslog = "-"
errorlog = "-"
# Which addresses may set X-Forwarded-* for gunicorn itself comes from FORWARDED_ALLOW_IPS (gunicorn reads it).
