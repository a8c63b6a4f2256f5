"""Calendars of bookings per space and per school (week and month), and iCalendar feeds with the pages that manage them.

The calendars are plain server-rendered tables (no JavaScript): a week is a table with a row per day, a month a
table with a row per week and a list of bookings in each day's cell. Anyone working in Cymuned who may view the
space (or school) sees when it is taken; what each booking is for, who hired it and a link to the request are shown
only where the user manages lettings for that space (the access layer's CHANGE on Space). Each page runs the same
number of queries however many bookings, spaces and closures it shows.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from cymuned.access.policy import Action, get_object_for_user, visible_to
from cymuned.access.principal import Principal, principal_for
from cymuned.access.views import HasRole, ObjectAccess, Public, ScopedViewMixin, SignedIn
from cymuned.accounts.roles import Role
from cymuned.core.models import localised_order
from cymuned.organisations.models import School

from . import ical
from .models import Block, Booking, CalendarFeed, FeedScope, SeriesStatus, Space
from .policies import LA_MANAGER_ROLES, MANAGER_ROLES

FEED_ACCESS = (
    "Calendar apps fetch a feed without signing in: the unguessable revocable token in the address is the key, "
    "and an unknown or revoked token is 404."
)
#: Everyone who works in Cymuned (the public hirer holds no role).
STAFF_ROLES = tuple(Role.values)
#: Dates a calendar can show; anything outside is treated as a bad address.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 3), datetime.date(2099, 12, 27)


@dataclass(frozen=True)
class StaffObjectAccess(ObjectAccess):
    """Someone who works in Cymuned, and the ``pk`` names a row the policy lets them act on."""

    def permits(self, principal: Principal) -> bool:
        return principal.is_staff_member


# Periods ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows, and where its previous and next links go."""

    kind: str  # "week" or "month"
    first: datetime.date  # first day shown (a Monday)
    last: datetime.date  # last day shown (a Sunday)
    start: datetime.date  # the Monday of the week, or the 1st of the month
    problem: str = ""

    @property
    def days(self) -> list[datetime.date]:
        return [self.first + datetime.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def title(self) -> str:
        if self.kind == "month":
            return date_format(self.start, "F Y")
        return _("Week beginning %(day)s") % {"day": date_format(self.start, "l j F Y")}

    def _query(self, day: datetime.date) -> str:
        return f"?month={day:%Y-%m}" if self.kind == "month" else f"?week={day:%Y-%m-%d}"

    @property
    def previous(self) -> dict[str, str] | None:
        day = _add_months(self.start, -1) if self.kind == "month" else self.start - datetime.timedelta(days=7)
        if day < FIRST_DAY.replace(day=1):
            return None
        return {"query": self._query(day), "label": _month_or_week_label(self.kind, day)}

    @property
    def next(self) -> dict[str, str] | None:
        day = _add_months(self.start, 1) if self.kind == "month" else self.start + datetime.timedelta(days=7)
        if day > LAST_DAY:
            return None
        return {"query": self._query(day), "label": _month_or_week_label(self.kind, day)}

    @property
    def other_view_query(self) -> str:
        """The same time as a month (from a week) or as its first week (from a month)."""
        if self.kind == "month":
            today = timezone.localdate()
            day = today if (today.year, today.month) == (self.start.year, self.start.month) else self.start
            return f"?week={day:%Y-%m-%d}"
        return f"?month={self.start:%Y-%m}"


def _month_or_week_label(kind: str, day: datetime.date) -> str:
    return date_format(day, "F Y") if kind == "month" else _("week beginning %(day)s") % {"day": date_format(day, "j F Y")}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _week(day: datetime.date, problem: str = "") -> Period:
    monday = _monday(day)
    return Period("week", monday, monday + datetime.timedelta(days=6), monday, problem)


def _month(first: datetime.date, problem: str = "") -> Period:
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    return Period("month", _monday(first), _monday(last) + datetime.timedelta(days=6), first, problem)


WEEK_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


def period_from(params: Any, *, today: datetime.date) -> Period:
    """The period asked for by ``?month=YYYY-MM`` or ``?week=YYYY-MM-DD`` (any day of the week).

    A value that is not a real date, or is out of range, gives the current month or week with ``problem`` set:
    never an error page.
    """
    if "month" in params:
        value = str(params.get("month", ""))[:20]
        match = MONTH_RE.match(value.strip())
        if match:
            try:
                first = datetime.date(int(match[1]), int(match[2]), 1)
            except ValueError:
                first = None
            if first is not None and FIRST_DAY.replace(day=1) <= first <= LAST_DAY:
                return _month(first)
        return _month(today.replace(day=1), _("“%(value)s” is not a month we can show, for example 2026-11. Showing this month instead.")
                      % {"value": value})
    if "week" in params:
        value = str(params.get("week", ""))[:20]
        match = WEEK_RE.match(value.strip())
        if match:
            try:
                day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                day = None
            if day is not None and FIRST_DAY <= day <= LAST_DAY:
                return _week(day)
        return _week(today, _("“%(value)s” is not a date we can show, for example 2026-11-23. Showing this week instead.")
                     % {"value": value})
    return _week(today)


# What a calendar shows ---------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One line in a day's cell: a booking or a time the space cannot be hired."""

    starts: datetime.datetime  # local time
    ends: datetime.datetime
    space: Space
    label: str
    kind: str  # "booking" or "block"
    waiting: bool = False
    hirer: str = ""
    reference: str = ""
    url: str = ""
    all_day: bool = False


@dataclass
class Day:
    date: datetime.date
    in_period: bool
    entries: list[Entry] = field(default_factory=list)
    cells: list[list[Entry]] = field(default_factory=list)


def calendar_entries(*, user: Any, spaces: list[Space], period: Period) -> dict[datetime.date, list[Entry]]:
    """Everything on each day of the period for these spaces, in time order. Three queries whatever the size."""
    zone = timezone.get_default_timezone()
    lo = datetime.datetime.combine(period.first, datetime.time.min).replace(tzinfo=zone)
    hi = datetime.datetime.combine(period.last + datetime.timedelta(days=1), datetime.time.min).replace(tzinfo=zone)
    by_id = {s.pk: s for s in spaces}
    days: dict[datetime.date, list[Entry]] = {d: [] for d in period.days}
    if not spaces:
        return days
    manageable = set(visible_to(user, Space.objects.filter(pk__in=list(by_id)), Action.CHANGE).values_list("pk", flat=True))
    bookings = (
        Booking.objects.holding().filter(space_id__in=list(by_id), starts_at__lt=hi, ends_at__gt=lo)
        .select_related("series", "series__hirer", "series__hirer__user").order_by("starts_at", "pk")
    )
    for booking in bookings:
        starts, ends = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)
        waiting = booking.status == SeriesStatus.REQUESTED
        entry = Entry(starts=starts, ends=ends, space=by_id[booking.space_id], kind="booking", waiting=waiting, label=_("Booked"))
        if booking.space_id in manageable:
            series = booking.series
            entry.label = series.activity
            entry.hirer = str(series.hirer)
            entry.reference = series.reference
            entry.url = reverse("premises:request", args=[series.pk])
        if starts.date() in days:
            days[starts.date()].append(entry)
    school_ids = {s.school_id for s in spaces}
    blocks = visible_to(
        user,
        Block.objects.filter(Q(space_id__in=list(by_id)) | Q(space__isnull=True, school_id__in=school_ids), starts_at__lt=hi, ends_at__gt=lo),
        Action.VIEW,
    ).order_by("starts_at", "pk")
    for block in blocks:
        targets = [by_id[block.space_id]] if block.space_id else [s for s in spaces if s.school_id == block.school_id]
        label = block.get_kind_display() + (f": {block.reason}" if block.reason else "")
        for day in days:
            day_lo = datetime.datetime.combine(day, datetime.time.min).replace(tzinfo=zone)
            day_hi = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min).replace(tzinfo=zone)
            if not (block.starts_at < day_hi and day_lo < block.ends_at):
                continue
            starts = timezone.localtime(max(block.starts_at, day_lo))
            ends = timezone.localtime(min(block.ends_at, day_hi))
            for space in targets:
                days[day].append(Entry(starts=starts, ends=ends, space=space, label=label, kind="block",
                                       all_day=block.starts_at <= day_lo and day_hi <= block.ends_at))
    for entries in days.values():
        entries.sort(key=lambda e: (e.starts, e.kind != "block", e.space.name))
    return days


def _layout(period: Period, entries: dict[datetime.date, list[Entry]], spaces: list[Space] | None) -> dict[str, Any]:
    """Week: one row per day (with a cell per space when ``spaces`` is given). Month: rows of seven days."""
    days = []
    for date in period.days:
        in_period = period.kind == "week" or date.month == period.start.month
        day = Day(date=date, in_period=in_period, entries=entries.get(date, []))
        if spaces is not None:
            day.cells = [[e for e in day.entries if e.space.pk == s.pk] for s in spaces]
        days.append(day)
    if period.kind == "week":
        return {"days": days}
    return {"weeks": [days[i:i + 7] for i in range(0, len(days), 7)], "weekdays": [date_format(d.date, "l") for d in days[:7]]}


class _CalendarPage(ScopedViewMixin, TemplateView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        period = period_from(self.request.GET, today=timezone.localdate())
        if period.problem:
            messages.warning(self.request, period.problem)
        return super().get_context_data(period=period, today=timezone.localdate(), **kwargs)


class SpaceCalendarView(_CalendarPage):
    """A week or a month of one space."""

    access = StaffObjectAccess(Space, Action.VIEW)
    template_name = "premises/calendar/space.html"
    object: Space

    def get_object_queryset(self) -> Any:
        return Space.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = context["period"]
        space = self.object
        entries = calendar_entries(user=self.request.user, spaces=[space], period=period)
        school_visible = visible_to(self.request.user, School, Action.VIEW).filter(pk=space.school_id).exists()
        return {**context, "space": space, "school_visible": school_visible, **_layout(period, entries, None),
                "manages": ical.managed_spaces(self.request.user).filter(pk=space.pk).exists()}


class SchoolCalendarView(_CalendarPage):
    """A week (a column per space) or a month of every space of a school."""

    access = StaffObjectAccess(School, Action.VIEW)
    template_name = "premises/calendar/school.html"
    object: School

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = context["period"]
        school = self.object
        spaces = list(visible_to(self.request.user, Space.objects.filter(school=school, is_active=True), Action.VIEW)
                      .select_related("school").order_by(localised_order("name"), "pk"))
        entries = calendar_entries(user=self.request.user, spaces=spaces, period=period)
        manages = ical.managed_spaces(self.request.user).filter(school=school).exists()
        return {**context, "school": school, "spaces": spaces, "manages": manages, **_layout(period, entries, spaces)}


class CalendarIndexView(ScopedViewMixin, TemplateView):
    """The schools and spaces whose calendars the user may see, in the local authorities they work in."""

    access = HasRole(*STAFF_ROLES)
    template_name = "premises/calendar/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        spaces = visible_to(user, Space.objects.filter(is_active=True), Action.VIEW)
        schools = (
            visible_to(user, School, Action.VIEW).filter(pk__in=spaces.values("school_id"))
            .prefetch_related(Prefetch("spaces", queryset=spaces.order_by(localised_order("name"), "pk"), to_attr="calendar_spaces"))
            .order_by(localised_order("name"), "pk")
        )
        page = Paginator(schools, 25).get_page(self.request.GET.get("page"))
        can_manage = principal_for(user).has_role(*MANAGER_ROLES, *LA_MANAGER_ROLES)
        return super().get_context_data(page=page, can_manage=can_manage, **kwargs)


# Feeds -------------------------------------------------------------------------------------------------------------


class FeedView(ScopedViewMixin, View):
    """The .ics file behind a token (RFC 5545), for calendar apps to subscribe to."""

    access = Public(FEED_ACCESS)
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        feed = ical.feed_for_token(token)
        if feed.scope == FeedScope.SCHOOL:
            def url_for(b: Booking) -> str:
                return request.build_absolute_uri(reverse("premises:request", args=[b.series_id]))
        elif feed.scope == FeedScope.HIRER:
            def url_for(b: Booking) -> str:
                return request.build_absolute_uri(reverse("premises:my-booking", args=[b.series_id]))
        else:
            url_for = None  # type: ignore[assignment]
        body = ical.render_feed(feed, ical.feed_bookings(feed), url_for=url_for)
        etag = ical.etag_for(body)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="cymuned-{feed.scope}.ics"'
        response["ETag"] = etag
        response["Cache-Control"] = "private, max-age=300"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return get_conditional_response(request, etag=etag, response=response)


def feed_urls(request: HttpRequest, feed: CalendarFeed) -> dict[str, str]:
    https = request.build_absolute_uri(reverse("premises:feed", kwargs={"token": feed.token}))
    return {"https": https, "webcal": re.sub(r"^https?://", "webcal://", https)}


class SpaceFeedForm(forms.Form):
    space = forms.ModelChoiceField(label=gettext_lazy("Space"), queryset=Space.objects.none(), empty_label=gettext_lazy("Choose a space"),
                                   error_messages={"required": gettext_lazy("Choose a space"),
                                                   "invalid_choice": gettext_lazy("Choose a space from the list")})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = ical.managed_spaces(user).order_by("school__name_en", "name_en")  # type: ignore[attr-defined]


class SchoolFeedForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=School.objects.none(), empty_label=gettext_lazy("Choose a school"),
                                    error_messages={"required": gettext_lazy("Choose a school"),
                                                    "invalid_choice": gettext_lazy("Choose a school from the list")})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = ical.managed_schools(user).order_by(localised_order("name"))  # type: ignore[attr-defined]


def _revoke(request: HttpRequest, feeds: Any) -> None:
    feed = get_object_for_user(request.user, feeds, Action.CHANGE, pk=request.POST.get("feed"))
    ical.calendar_feed_revoke(by=request.user, feed=feed)
    messages.success(request, _("The feed has been stopped. Calendars using its address will no longer be updated."))


class ManagedFeedsView(ScopedViewMixin, TemplateView):
    """Feeds of the spaces and schools the user manages lettings for: create one, copy its address, stop it."""

    access = HasRole(*MANAGER_ROLES, *LA_MANAGER_ROLES)
    template_name = "premises/calendar/feeds.html"

    def feeds(self) -> Any:
        return visible_to(self.request.user, CalendarFeed, Action.CHANGE).filter(scope__in=[FeedScope.SPACE, FeedScope.SCHOOL])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        feeds = self.feeds().select_related("space", "space__school", "school", "created_by")
        page = Paginator(feeds.filter(revoked_on__isnull=True).order_by("-created_on", "-pk"), 50).get_page(self.request.GET.get("page"))
        rows = [(feed, feed_urls(self.request, feed)) for feed in page]
        kwargs.setdefault("space_form", SpaceFeedForm(user=user))
        kwargs.setdefault("school_form", SchoolFeedForm(user=user))
        revoked = feeds.filter(revoked_on__isnull=False).order_by("-revoked_on", "-pk")[:20]
        return super().get_context_data(page=page, rows=rows, revoked=revoked, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action")
        if action == "revoke":
            _revoke(request, self.feeds())
            return redirect("premises:feeds")
        if action == FeedScope.SPACE:
            form: forms.Form = SpaceFeedForm(request.POST, user=request.user)
            context = {"space_form": form}
        elif action == FeedScope.SCHOOL:
            form = SchoolFeedForm(request.POST, user=request.user)
            context = {"school_form": form}
        else:
            return redirect("premises:feeds")
        if form.is_valid():
            try:
                ical.calendar_feed_create(by=request.user, scope=action, **form.cleaned_data)
            except (ValidationError, PermissionDenied):
                raise Http404 from None
            messages.success(request, _("The feed has been created. Copy its address into a calendar app."))
            return redirect("premises:feeds")
        return self.render_to_response(self.get_context_data(**context), status=422)


class MyFeedsView(ScopedViewMixin, TemplateView):
    """A hirer's own feed of their bookings."""

    access = SignedIn()
    template_name = "premises/calendar/my_feeds.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.hirer = ical.own_hirer(request.user)
        if request.user.is_authenticated and self.hirer is None:
            return redirect("premises:register")
        return super().dispatch(request, *args, **kwargs)

    def feeds(self) -> Any:
        return visible_to(self.request.user, CalendarFeed.objects.filter(scope=FeedScope.HIRER, hirer=self.hirer), Action.CHANGE)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        feeds = self.feeds()
        rows = [(feed, feed_urls(self.request, feed)) for feed in feeds.filter(revoked_on__isnull=True).order_by("-created_on", "-pk")]
        revoked = feeds.filter(revoked_on__isnull=False).order_by("-revoked_on", "-pk")[:20]
        return super().get_context_data(hirer=self.hirer, rows=rows, revoked=revoked, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action")
        if action == "revoke":
            _revoke(request, self.feeds())
        elif action == "create":
            ical.calendar_feed_create(by=request.user, scope=FeedScope.HIRER, hirer=self.hirer)
            messages.success(request, _("Your feed has been created. Copy its address into a calendar app."))
        return redirect("premises:my-feeds")
