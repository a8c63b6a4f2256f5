"""Writes about organisations. Each checks the access layer and runs in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cymuned.access.policy import Action, can, can_create

from .models import LocalAuthority, Organisation, OrganisationKind, Partner, School

SCHOOL_EDITABLE = (
    "name_en",
    "name_cy",
    "address",
    "postcode",
    "email",
    "telephone",
    "website",
    "phase",
    "language_medium",
    "efsm_percentage",
    "number_on_roll",
    "cluster",
)
PARTNER_EDITABLE = (
    "name_en",
    "name_cy",
    "partner_type",
    "description_en",
    "description_cy",
    "address",
    "postcode",
    "email",
    "telephone",
    "website",
)


def _save_fields(instance: Organisation, *, by: Any, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Copy the editable fields present in ``data``, validate the whole record, then save it."""
    for field in fields:
        if field in data:
            setattr(instance, field, data[field])
    instance.modified_by = by
    instance.full_clean()
    instance.save()


@transaction.atomic
def school_update(*, by: Any, school: School, data: dict[str, Any]) -> School:
    if not can(by, Action.CHANGE, school):
        raise PermissionDenied
    _save_fields(school, by=by, data=data, fields=SCHOOL_EDITABLE)
    return school


@transaction.atomic
def partner_create(*, by: Any, local_authority: LocalAuthority, data: dict[str, Any]) -> Partner:
    if not can_create(by, Partner, parent=local_authority):
        raise PermissionDenied
    partner = Partner(local_authority=local_authority, created_by=by, kind=OrganisationKind.PARTNER)
    _save_fields(partner, by=by, data=data, fields=PARTNER_EDITABLE)
    return partner


@transaction.atomic
def partner_update(*, by: Any, partner: Partner, data: dict[str, Any]) -> Partner:
    if not can(by, Action.CHANGE, partner):
        raise PermissionDenied
    _save_fields(partner, by=by, data=data, fields=PARTNER_EDITABLE)
    return partner
