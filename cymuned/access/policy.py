"""The one place that decides who may list, view, create, change and delete what.

Each scoped model registers a :class:`ModelPolicy` (in its app's ``policies.py``).
Every page, API endpoint, export and search reads through :func:`visible_to`
or :func:`get_object_for_user`; a model with no policy cannot be read through
the layer at all (deny by default).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404

from .principal import Principal, principal_for

M = TypeVar("M", bound=models.Model)


class Action(StrEnum):
    LIST = "list"
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    # Workflow actions some domains add (self-evaluation moderation and publication).
    MODERATE = "moderate"
    PUBLISH = "publish"
    # Taking everything held about someone out of Cymuned (a subject access request).
    EXPORT = "export"


NOTHING = Q(pk__in=[])
EVERYTHING = Q()


class PolicyMissing(LookupError):
    """Raised when code asks the access layer about a model that declared no policy."""


class ModelPolicy:
    """Who may do what to one model. Subclasses override the methods they need.

    ``scope`` answers with a filter for the rows the principal may act on; the
    default is nothing, so a policy grants only what it says.
    """

    model: type[models.Model]

    def scope(self, principal: Principal, action: Action) -> Q:
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return False


_registry: dict[type[models.Model], ModelPolicy] = {}


def register(model: type[models.Model]):
    """Class decorator: ``@register(School) class SchoolPolicy(ModelPolicy): ...``."""

    def decorator(policy_class: type[ModelPolicy]) -> type[ModelPolicy]:
        policy = policy_class()
        policy.model = model
        _registry[model] = policy
        return policy_class

    return decorator


def policy_for(model: type[models.Model]) -> ModelPolicy:
    concrete = model._meta.concrete_model or model
    try:
        return _registry[model]
    except KeyError:
        try:
            return _registry[concrete]
        except KeyError:
            raise PolicyMissing(f"No access policy is declared for {model._meta.label}.") from None


def registered_models() -> list[type[models.Model]]:
    return list(_registry)


def _as_queryset(model_or_queryset: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    if isinstance(model_or_queryset, models.QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def scope_q(user: Any, model: type[models.Model], action: Action | str = Action.VIEW) -> Q:
    return policy_for(model).scope(principal_for(user), Action(action))


def visible_to(
    user: Any, model_or_queryset: type[M] | models.QuerySet[M], action: Action | str = Action.VIEW
) -> models.QuerySet[M]:
    """The rows of a model (or of a narrower queryset) that the user may act on."""
    queryset = _as_queryset(model_or_queryset)
    q = scope_q(user, queryset.model, action)
    if q == NOTHING:
        return queryset.none()
    return queryset.filter(q)


def get_object_for_user(
    user: Any,
    model_or_queryset: type[M] | models.QuerySet[M],
    action: Action | str = Action.VIEW,
    **lookup: Any,
) -> M:
    """One row the user may act on; 404 alike for missing and forbidden, so ids leak nothing."""
    try:
        return visible_to(user, model_or_queryset, action).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError, ValidationError, OverflowError):
        raise Http404 from None


def can(user: Any, action: Action | str, obj: models.Model) -> bool:
    return visible_to(user, type(obj), action).filter(pk=obj.pk).exists()


def can_create(user: Any, model: type[models.Model], *, parent: models.Model | None = None) -> bool:
    return policy_for(model).can_create(principal_for(user), parent=parent)
