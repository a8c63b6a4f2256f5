"""Writes about organisations. Each checks the access layer and runs in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cymuned.access.policy import Action, can, can_create

from .models import LocalAuthority, Partner, School

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


@transaction.atomic
def school_update(*, by: Any, school: School, data: dict[str, Any]) -> School:
    if not can(by, Action.CHANGE, school):
        raise PermissionDenied
    for field in SCHOOL_EDITABLE:
        if field in data:
            setattr(school, field, data[field])
    school.modified_by = by
    school.full_clean()
    school.save()
    return school


@transaction.atomic
def partner_create(*, by: Any, local_authority: LocalAuthority, data: dict[str, Any]) -> Partner:
    if not can_create(by, Partner, parent=local_authority):
        raise PermissionDenied
    partner = Partner(local_authority=local_authority, created_by=by, modified_by=by, kind="partner")
    for field in PARTNER_EDITABLE:
        if field in data:
            setattr(partner, field, data[field])
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, by: Any, partner: Partner, data: dict[str, Any]) -> Partner:
    if not can(by, Action.CHANGE, partner):
        raise PermissionDenied
    for field in PARTNER_EDITABLE:
        if field in data:
            setattr(partner, field, data[field])
    partner.modified_by = by
    partner.full_clean()
    partner.save()
    return partner
