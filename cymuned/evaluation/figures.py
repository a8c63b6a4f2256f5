"""Live figures from Cymuned that a school can attach as evidence.

Each domain registers the figures it can compute for a school and an academic year
(``register_figure``); the evidence form offers every registered figure, and the value is
captured when the evidence is attached, so evidence does not change under the moderator.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cymuned.organisations.models import School


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    compute: Callable[[School, str], Decimal | int | None]


_figures: dict[str, Figure] = {}


def register_figure(key: str, label: str | Promise) -> Callable[[Callable[[School, str], Decimal | int | None]], Callable]:
    def decorator(compute: Callable[[School, str], Decimal | int | None]) -> Callable:
        _figures[key] = Figure(key=key, label=label, compute=compute)
        return compute

    return decorator


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: str(f.label))


def figure(key: str) -> Figure | None:
    return _figures.get(key)


def year_bounds(academic_year: str) -> tuple[datetime.date, datetime.date]:
    start = int(academic_year[:4])
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


@register_figure("learners_on_roll", _("Learners on the roll in Cymuned"))
def _learners_on_roll(school: School, academic_year: str) -> int:
    return school.learners.filter(archived_on__isnull=True).count()


@register_figure("efsm_learners", _("Learners eligible for free school meals"))
def _efsm_learners(school: School, academic_year: str) -> int:
    return school.learners.filter(archived_on__isnull=True, efsm=True).count()


@register_figure("partners_in_la", _("Partner organisations working with the local authority"))
def _partners(school: School, academic_year: str) -> int:
    from cymuned.organisations.models import Partner

    return Partner.objects.filter(local_authority_id=school.local_authority_id, is_active=True).count()


@register_figure("community_governors", _("Community governors at the school"))
def _community_governors(school: School, academic_year: str) -> int:
    return school.memberships.filter(role="governor", governor_category="community", is_active=True).count()
