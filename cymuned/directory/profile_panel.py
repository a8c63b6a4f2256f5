"""The services-directory panel of a community profile: public services nearest the schools the profile covers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cymuned.governance.panels import SERVICES_NEARBY, Panel, ProfileContext, register_profile_panel

from .geo import Point, point_for_postcode
from .selectors import public_search

#: How far from the schools a service counts as nearby, and how many are listed.
NEARBY_KM = 8.0
NEARBY_LIMIT = 12


def _centre(context: ProfileContext) -> Point | None:
    """The schools' postcode districts, averaged (a cluster's middle); None when no school has a known postcode."""
    points = [p for p in (point_for_postcode(s.postcode) for s in context.schools if s.postcode) if p is not None]
    if not points:
        return None
    return Point(sum(p.latitude for p in points) / len(points), sum(p.longitude for p in points) / len(points))


def build_services_nearby(*, profile: Any, context: ProfileContext) -> Panel:
    """Public directory entries (what anyone may read) within ``NEARBY_KM`` of the schools, nearest first. One query."""
    centre = _centre(context)
    services = list(public_search(origin=centre, within_km=NEARBY_KM)[:NEARBY_LIMIT]) if centre else []
    return Panel(title=_("Services nearby"), template="directory/_profile_panel.html",
                 data={"services": services, "located": centre is not None, "km": NEARBY_KM})


register_profile_panel(SERVICES_NEARBY, 40, build_services_nearby)
