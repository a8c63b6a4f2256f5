from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY")


class DatabaseActorMiddleware:
    """Tells PostgreSQL who is acting before each write of a request, so the audit triggers can name them.

    The setting is put on the connection just before each INSERT, UPDATE or DELETE (reads cost nothing), for
    anonymous requests too, and cleared after the request, so a reused connection never carries an earlier user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "postgresql":
            return self.get_response(request)
        user = getattr(request, "user", None)
        named = False

        def name_the_actor(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            nonlocal named
            if sql.lstrip()[:6].upper().startswith(_WRITES):
                named = True
                actor = str(user.pk) if user is not None and user.is_authenticated else ""
                context["cursor"].cursor.execute("SELECT set_config('cymuned.actor_id', %s, false)", [actor])
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(name_the_actor):
                return self.get_response(request)
        finally:
            if named:
                # Writes after the request (commands, workers) must not be put down to this user.
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('cymuned.actor_id', '', false)")
                except DatabaseError:
                    pass
