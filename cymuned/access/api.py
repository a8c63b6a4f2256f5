"""The access layer for the REST API: one permission class and one filter backend.

List and detail go through the same scope as the pages, so an id that a user
may not see answers 404 in the API exactly as it does on a page.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import permissions
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from .policy import Action, can, visible_to
from .principal import principal_for
from .views import Access

METHOD_ACTIONS = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}


class ScopedPermission(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        access: Access | None = getattr(view, "access", None)
        if access is None:
            return False
        principal = principal_for(request.user)
        if access.requires_sign_in and not principal.is_authenticated:
            return False
        return access.permits(principal)

    def has_object_permission(self, request: Request, view: Any, obj: models.Model) -> bool:
        action = METHOD_ACTIONS.get(request.method or "GET", Action.CHANGE)
        if action == Action.VIEW:
            return True  # the filter backend already limited the queryset to what may be viewed
        return can(request.user, action, obj)


class ScopedFilterBackend(BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: models.QuerySet, view: Any) -> models.QuerySet:
        return visible_to(request.user, queryset, Action.VIEW)
