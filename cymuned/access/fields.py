"""Fields some roles may not see or write, even on records they may open: the field half of the access layer.

A school's office staff may open a learner's record, but safeguarding notes about who must not contact a family
are for those who work with the family, not the school office; details of a learner's additional learning needs
are for the school's staff and the family's engagement officer, not for the community school manager, LA officers
or partners. Pages, forms, the API and exports all ask
:func:`may_see_field` (or use :func:`hidden_fields` / :func:`without_hidden`) rather than deciding for themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models

from cymuned.accounts.roles import Role

from .principal import principal_for

#: (app_label.ModelName, field) -> the roles that may see and write it. Superusers may too.
RESTRICTED_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("families.Household", "safe_contact_notes"): frozenset(
        {Role.LA_LEAD, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.FEO, Role.CSM}
    ),
    ("families.Learner", "aln_detail"): frozenset(
        {Role.LA_LEAD, Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO}
    ),
}


def _key(model: type[models.Model] | models.Model) -> str:
    return model._meta.label


def may_see_field(user: Any, model: type[models.Model] | models.Model, field: str) -> bool:
    """Whether the user may see (and so write) this field of records of this model they can already open."""
    roles = RESTRICTED_FIELDS.get((_key(model), field))
    if roles is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or principal_for(user).has_role(*roles)


def hidden_fields(user: Any, model: type[models.Model] | models.Model) -> frozenset[str]:
    """The fields of this model to leave out of pages, forms, API responses and exports for this user."""
    label = _key(model)
    return frozenset(field for (owner, field) in RESTRICTED_FIELDS if owner == label and not may_see_field(user, model, field))


def without_hidden(user: Any, model: type[models.Model] | models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Data to write, less any field the user may not write (services call this, whatever the form sent)."""
    hidden = hidden_fields(user, model)
    return {key: value for key, value in data.items() if key not in hidden}


# --- Rules that depend on the record as well as the role ------------------------------------------------------------

#: app_label.ModelName -> rule(user, obj) answering the fields of that record to hide from that user. A referral, for
#: example, shows a partner only the fields the basis it was shared on allows (cymuned/hub/minimisation.py).
OBJECT_RULES: dict[str, Callable[[Any, models.Model], frozenset[str]]] = {}


def register_object_rule(label: str, rule: Callable[[Any, models.Model], frozenset[str]]) -> None:
    OBJECT_RULES[label] = rule


def hidden_fields_of(user: Any, obj: models.Model) -> frozenset[str]:
    """The fields of this one record to leave out for this user: the role rules and the record's own rule together."""
    rule = OBJECT_RULES.get(_key(obj))
    return hidden_fields(user, obj) | (rule(user, obj) if rule is not None else frozenset())
