"""Access declarations for views, and the base views that enforce them.

Every URL of Cymuned names an :class:`Access`; the every-URL test reads the
same declarations, so a page cannot be added without saying who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.views import View

from .policy import Action, get_object_for_user, policy_for
from .principal import Principal, principal_for


class Access:
    """Base declaration. ``requires_sign_in`` pages send the anonymous to sign in."""

    requires_sign_in = True

    def permits(self, principal: Principal) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Public(Access):
    """Anyone, signed in or not. Keep this list short: the anonymous-walk test lists it."""

    reason: str
    requires_sign_in = False

    def permits(self, principal: Principal) -> bool:
        return True


@dataclass(frozen=True)
class SignedIn(Access):
    """Anyone signed in, staff or member of the public."""

    def permits(self, principal: Principal) -> bool:
        return principal.is_authenticated


@dataclass(frozen=True)
class HasRole(Access):
    """A signed-in user holding at least one of these roles somewhere."""

    roles: frozenset[str]

    def __init__(self, *roles: str) -> None:
        object.__setattr__(self, "roles", frozenset(roles))

    def permits(self, principal: Principal) -> bool:
        return principal.has_role(*self.roles)


@dataclass(frozen=True)
class ObjectAccess(Access):
    """The ``pk`` in the URL names a row of ``model`` that the policy lets the user act on."""

    model: type[models.Model]
    action: Action = Action.VIEW
    url_kwarg: str = "pk"

    def permits(self, principal: Principal) -> bool:
        # The object decides; see ScopedViewMixin.get_scoped_object.
        return principal.is_authenticated


@dataclass(frozen=True)
class CanCreate(Access):
    """The model's policy lets the user create one somewhere (the view names the parent, the service checks it)."""

    model: type[models.Model]

    def permits(self, principal: Principal) -> bool:
        return principal.is_authenticated and policy_for(self.model).can_create(principal)


@dataclass(frozen=True)
class Superuser(Access):
    """Platform administrators only (the Django admin)."""

    def permits(self, principal: Principal) -> bool:  # pragma: no cover - decided by the admin itself
        return False


class ScopedViewMixin:
    """Checks ``access`` before anything else runs, whatever the HTTP method."""

    access: Access
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access = getattr(self, "access", None)
        if access is None:
            raise PermissionDenied
        principal = principal_for(request.user)
        if access.requires_sign_in and not principal.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.permits(principal):
            raise PermissionDenied
        if isinstance(access, ObjectAccess):
            self.object = self.get_scoped_object()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_scoped_object(self) -> models.Model:
        access = self.access
        assert isinstance(access, ObjectAccess)
        return get_object_for_user(
            self.request.user, self.get_object_queryset(), access.action, pk=self.kwargs.get(access.url_kwarg)
        )

    def get_object_queryset(self) -> models.QuerySet:
        access = self.access
        assert isinstance(access, ObjectAccess)
        return access.model._default_manager.all()

    def get_object(self, queryset: models.QuerySet | None = None) -> models.Model:
        return self.object


class ScopedView(ScopedViewMixin, View):
    pass


def declare(access: Access) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For function views: ``@declare(SignedIn())`` records and enforces the declaration."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            principal = principal_for(request.user)
            if access.requires_sign_in and not principal.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not access.permits(principal):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access = access  # type: ignore[attr-defined]
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.__module__ = view.__module__
        return wrapped

    return decorator


def access_of(callback: Callable[..., Any]) -> Access | None:
    """The declaration behind a resolved URL callback, if any."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None and getattr(view_class, "access", None) is not None:
        return view_class.access
    initkwargs = getattr(callback, "view_initkwargs", None) or {}
    if "access" in initkwargs:
        return initkwargs["access"]
    return getattr(callback, "access", None)


#: Declarations for whole URL namespaces of third-party apps whose views we do not write.
NAMESPACE_ACCESS: dict[str, Access] = {
    "admin": Superuser(),
}
