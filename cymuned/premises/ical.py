"""iCalendar (RFC 5545) feeds of bookings, per space, per school and per hirer, behind revocable tokens.

Decisions (see also the feed pages):

* **One VEVENT per occurrence**, never an RRULE. Each :class:`~cymuned.premises.models.Booking` row already is one
  occurrence expanded in Europe/London wall-clock time, single dates can be cancelled out of a series, and calendar
  clients disagree about RRULE/EXDATE across clock changes; individual events are correct by construction.
* **Only slots that are held** appear: approved occurrences as ``STATUS:CONFIRMED``, occurrences of requests still
  waiting for a decision as ``STATUS:TENTATIVE``. Cancelled dates, declined requests and requests answered with
  another time are *left out*, not sent as ``STATUS:CANCELLED``: a feed is a subscription that clients re-read
  whole, and every common client removes an event that disappears from it, while several show a
  ``STATUS:CANCELLED`` event as if it were still on.
* Times are ``DTSTART;TZID=Europe/London`` local times with a ``VTIMEZONE`` covering every event, so an 18:00
  booking after the October clock change is still 18:00.
* ``UID`` is ``booking-<pk>@cymuned`` (stable for the life of the booking); ``DTSTAMP`` and ``LAST-MODIFIED`` are
  when the request was last changed (the RFC's meaning when the object has no ``METHOD``), so the same data always
  gives the same bytes; ``SEQUENCE`` is 0 while a request waits and 1 once approved, the only change an occurrence
  goes through while it stays in the feed.
* **What a feed says depends on its scope, not on who reads it** (a token can be passed on):
  a *space* feed is a busy/free feed that is safe to publish (every event is just "Booked", no activity, no
  hirer); a *school* feed is for the school's lettings staff (activity, hirer, reference); a *hirer* feed shows
  the hirer's own activities.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import zoneinfo
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, visible_to
from cymuned.organisations.models import School

from .models import HOLDING, Booking, CalendarFeed, FeedScope, Hirer, SeriesStatus, Space

#: Product identifier (RFC 5545 3.7.3).
PRODID = "-//Cymuned//Premises lettings//EN"
ZONE = "Europe/London"
#: How far back a feed reaches: clients keep what they already have, so recent history is enough.
PAST = datetime.timedelta(days=90)
#: The most events one feed carries (a busy school has a few thousand occurrences a year).
MAX_EVENTS = 5000
#: How often clients are asked to refresh (RFC 7986 REFRESH-INTERVAL and the older X-PUBLISHED-TTL).
REFRESH = datetime.timedelta(hours=1)


def uid_for(booking: Booking) -> str:
    return f"booking-{booking.pk}@cymuned"


@functools.lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of Europe/London with every transition from ``first_year`` to a year after ``last_year`` (cached: it is slow)."""
    from icalendar import Timezone

    component = Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(ZONE), tzid=ZONE, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 2, 1, 1)
    )
    return component.to_ical()


# Reading a feed -------------------------------------------------------------------------------------------------


def feed_for_token(token: str) -> CalendarFeed:
    """The live feed behind ``token``; 404 for an unknown or revoked token alike."""
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_on__isnull=True)
        .select_related("space", "space__school", "school", "hirer", "hirer__user")
        .first()
    )
    if feed is None or not token:
        raise Http404
    return feed


def feed_bookings(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> models.QuerySet[Booking]:
    """The occurrences a feed carries: those holding their slot, from ``PAST`` ago on, in time order (one query)."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(status__in=HOLDING, ends_at__gte=now - PAST)
    if feed.scope == FeedScope.SPACE:
        bookings = bookings.filter(space_id=feed.space_id)
    elif feed.scope == FeedScope.SCHOOL:
        bookings = bookings.filter(space__school_id=feed.school_id)
    elif feed.scope == FeedScope.HIRER:
        bookings = bookings.filter(series__hirer_id=feed.hirer_id)
    else:  # pragma: no cover - the choices say otherwise
        return bookings.none()
    return bookings.select_related("space", "space__school", "series", "series__hirer", "series__hirer__user").order_by(
        "starts_at", "pk"
    )[:MAX_EVENTS]


def feed_name(feed: CalendarFeed) -> str:
    if feed.scope == FeedScope.SPACE and feed.space is not None:
        return _("%(space)s, %(school)s: bookings") % {"space": feed.space.name, "school": feed.space.school.name}
    if feed.scope == FeedScope.SCHOOL and feed.school is not None:
        return _("%(school)s: lettings") % {"school": feed.school.name}
    if feed.scope == FeedScope.HIRER and feed.hirer is not None:
        return _("%(hirer)s: school bookings") % {"hirer": feed.hirer}
    return _("Bookings")


def _location(space: Space) -> str:
    school = space.school
    parts = [space.name, school.name, " ".join(school.address.split()) if school.address else "", school.postcode]
    return ", ".join(p for p in parts if p)


def render_feed(feed: CalendarFeed, bookings: Iterable[Booking], *, url_for: Callable[[Booking], str] | None = None) -> bytes:
    """The VCALENDAR of these bookings for this feed, as bytes. ``url_for`` gives a page about a booking, if any."""
    from icalendar import Calendar, Event, Timezone

    zone = zoneinfo.ZoneInfo(ZONE)
    bookings = list(bookings)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = feed_name(feed)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-timezone", ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    today = timezone.localdate()
    first_year = min([today.year, *(timezone.localtime(b.starts_at, zone).year for b in bookings[:1])])
    last_year = max([today.year, *(timezone.localtime(b.ends_at, zone).year for b in bookings[-1:])])
    calendar.add_component(Timezone.from_ical(_vtimezone(first_year, last_year)))
    for booking in bookings:
        calendar.add_component(_event(feed, booking, zone=zone, url=url_for(booking) if url_for else "", event_class=Event))
    return calendar.to_ical()


def _event(feed: CalendarFeed, booking: Booking, *, zone: zoneinfo.ZoneInfo, url: str, event_class: type) -> object:
    series = booking.series
    approved = booking.status == SeriesStatus.APPROVED
    event = event_class()
    event.add("uid", uid_for(booking))
    event.add("dtstamp", series.modified_on.astimezone(datetime.UTC))
    event.add("last-modified", series.modified_on.astimezone(datetime.UTC))
    event.add("created", series.created_on.astimezone(datetime.UTC))
    event.add("dtstart", timezone.localtime(booking.starts_at, zone))
    event.add("dtend", timezone.localtime(booking.ends_at, zone))
    event.add("sequence", 1 if approved else 0)
    event.add("status", "CONFIRMED" if approved else "TENTATIVE")
    event.add("transp", "OPAQUE")
    event.add("location", _location(booking.space))
    if feed.scope == FeedScope.SPACE:
        # Safe to publish: busy time only.
        event.add("summary", _("Booked"))
        event.add("class", "PUBLIC")
        return event
    event.add("summary", series.activity)
    event.add("class", "PRIVATE")
    lines = [_("Reference: %(ref)s") % {"ref": series.reference}, _("Status: %(status)s") % {"status": booking.get_status_display()}]
    if feed.scope == FeedScope.SCHOOL:
        lines.insert(0, _("Hirer: %(hirer)s") % {"hirer": series.hirer})
        lines.append(_("People expected: %(count)s") % {"count": series.expected_people})
    event.add("description", "\n".join(lines))
    if url:
        event.add("url", url)
    return event


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# Managing feeds -------------------------------------------------------------------------------------------------


def own_hirer(user: object) -> Hirer | None:
    """The signed-in user's own hirer record, read through the access layer (CHANGE: only one's own)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return visible_to(user, Hirer, Action.CHANGE).first()


def managed_spaces(user: object) -> models.QuerySet[Space]:
    """Spaces whose lettings the user manages."""
    return visible_to(user, Space.objects.with_related(), Action.CHANGE)


def managed_schools(user: object) -> models.QuerySet[School]:
    """Schools with at least one space whose lettings the user manages."""
    return School.objects.filter(pk__in=managed_spaces(user).values("school_id"))


@transaction.atomic
def calendar_feed_create(*, by: object, scope: str, space: Space | None = None, school: School | None = None,
                         hirer: Hirer | None = None) -> CalendarFeed:
    """A new feed with a fresh token. The user must manage the space or school, or be the hirer."""
    if scope == FeedScope.SPACE and space is not None:
        allowed = managed_spaces(by).filter(pk=space.pk).exists()
        target = {"space": space}
    elif scope == FeedScope.SCHOOL and school is not None:
        allowed = managed_schools(by).filter(pk=school.pk).exists()
        target = {"school": school}
    elif scope == FeedScope.HIRER and hirer is not None:
        allowed = can(by, Action.CHANGE, hirer)
        target = {"hirer": hirer}
    else:
        raise ValidationError(_("Choose what the feed is of."), code="invalid")
    if not allowed:
        raise PermissionDenied
    return CalendarFeed.objects.create(scope=scope, created_by=by, modified_by=by, **target)


@transaction.atomic
def calendar_feed_revoke(*, by: object, feed: CalendarFeed) -> CalendarFeed:
    """Stop a feed for good: its address answers 404 from now on. Revoking twice changes nothing."""
    if not can(by, Action.CHANGE, feed):
        raise PermissionDenied
    if feed.revoked_on is None:
        feed.revoked_on = timezone.now()
        feed.modified_by = by
        feed.save(update_fields=["revoked_on", "modified_on", "modified_by"])
    return feed
