"""Probes for load balancers and orchestrators, outside the language prefix.

``/health/`` (liveness): the process answers and so does the database. ``/ready/`` (readiness): the
database answers, every migration is applied, and the cache and file storage take writes; 503 with the
reasons otherwise, so a load balancer sends no traffic to a server started before ``migrate`` has run.
Reasons are short and fixed: the errors themselves go to the log, not to whoever asks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

#: Set once every migration is applied: the code of a running process does not change, so it stays so.
_migrations_applied = False


def database_answers() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("Probe: the database does not answer")
        return False
    return True


def pending_migrations() -> list[str]:
    """Migrations in the code that the database has not applied."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migrations_applied() -> bool:
    global _migrations_applied
    if _migrations_applied:
        return True
    try:
        pending = pending_migrations()
    except Exception:
        logger.exception("Probe: could not read the migration state")
        return False
    if pending:
        logger.warning("Probe: %d migrations are not applied yet: %s", len(pending), ", ".join(pending[:10]))
        return False
    _migrations_applied = True
    return True


def cache_writable() -> bool:
    """Only a shared cache is worth checking: a process's own memory always takes writes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return True
    key = f"cymuned:ready:{uuid.uuid4().hex}"
    try:
        cache = caches["default"]
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        logger.exception("Probe: the cache does not take writes")
        return False
    return ok


def storage_writable() -> bool:
    """Write and delete a small file where uploads go (a volume or a bucket)."""
    try:
        name = default_storage.save(f"probes/ready-{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
        default_storage.delete(name)
    except Exception:
        logger.exception("Probe: the file storage does not take writes")
        return False
    return True


def not_ready_reasons() -> list[str]:
    if not database_answers():
        return ["database unavailable"]
    reasons = []
    if not migrations_applied():
        reasons.append("migrations not applied")
    if not cache_writable():
        reasons.append("cache not writable")
    if not storage_writable():
        reasons.append("file storage not writable")
    return reasons


def health_response() -> JsonResponse:
    if not database_answers():
        return JsonResponse({"status": "unavailable", "reasons": ["database unavailable"]}, status=503)
    return JsonResponse({"status": "ok"})


def ready_response() -> JsonResponse:
    reasons = not_ready_reasons()
    if reasons:
        return JsonResponse({"status": "not ready", "reasons": reasons}, status=503)
    return JsonResponse({"status": "ready"})


class ProbeMiddleware:
    """Answers GET and HEAD on the probe URLs before any other middleware.

    Load balancers probe each server by its address, over plain HTTP: without this, host validation
    (ALLOWED_HOSTS) would answer 400 and the HTTPS redirect 301, and every probe would cost a session
    lookup. The views behind the same URLs in config/urls.py stay, declared public, for everything else.
    """

    PROBES: dict[str, Callable[[], HttpResponse]] = {"/health/": health_response, "/ready/": ready_response}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            response = probe()
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
