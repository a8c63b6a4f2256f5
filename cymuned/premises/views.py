"""Public pages for hiring school spaces, the hirer's account and bookings, and the managers' request queue."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from cymuned.access.policy import Action, can, get_object_for_user, visible_to
from cymuned.access.views import HasRole, ObjectAccess, Public, ScopedViewMixin, SignedIn
from cymuned.core.forms import apply_validation_error

from . import services
from .availability import free_slots_by_space
from .forms import BookingRequestForm, CancelForm, DecideForm, HirerAccountForm, HirerRegisterForm, SpaceSearchForm
from .models import Booking, BookingSeries, Hirer, SeriesStatus, Space
from .policies import LA_MANAGER_ROLES, MANAGER_ROLES

PUBLIC_SPACES = "Anyone may browse school spaces open to hire and their free times, without an account."


def _public_spaces() -> Any:
    """Spaces anyone may see: read through the access layer as an anonymous visitor, whoever is signed in."""
    return visible_to(None, Space.objects.public().with_related(), Action.LIST)


class PublicSpaceListView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_SPACES)
    template_name = "premises/public_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = SpaceSearchForm(self.request.GET or None)
        spaces = _public_spaces()
        if form.is_valid():
            data = form.cleaned_data
            if data.get("q"):
                q = data["q"].strip()
                spaces = spaces.filter(Q(name_en__icontains=q) | Q(name_cy__icontains=q) | Q(school__name_en__icontains=q)
                                       | Q(school__name_cy__icontains=q) | Q(school__postcode__istartswith=q))
            if data.get("kind"):
                spaces = spaces.filter(kind=data["kind"])
            if data.get("people"):
                spaces = spaces.filter(capacity__gte=data["people"])
        page = Paginator(spaces.order_by("school__name_en", "name_en", "pk"), 20).get_page(self.request.GET.get("page"))
        week = form.week_start()
        free = free_slots_by_space(spaces=list(page), week_start=week)
        rows = [(space, free.get(space.pk, [])) for space in page]
        return super().get_context_data(form=form, page=page, rows=rows, week=week, **kwargs)


class PublicSpaceDetailView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_SPACES)
    template_name = "premises/public_space.html"
    queryset = Space.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        space = get_object_for_user(None, _public_spaces(), Action.VIEW, pk=self.kwargs["pk"])
        form = SpaceSearchForm(self.request.GET or None)
        week = form.week_start()
        return super().get_context_data(
            space=space, week=week, free=free_slots_by_space(spaces=[space], week_start=week)[space.pk],
            previous_week=week - datetime.timedelta(days=7), next_week=week + datetime.timedelta(days=7),
            windows=space.opening_windows.order_by("season", "weekday", "opens_at"),
            rates=space.rates.order_by("tier"), is_hirer=_hirer_of(self.request.user) is not None, **kwargs,
        )


def _hirer_of(user: Any) -> Hirer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return visible_to(user, Hirer, Action.CHANGE).filter(user=user).first()


class HirerRegisterView(ScopedViewMixin, FormView):
    """Open an account to hire school spaces (no invitation needed)."""

    access = Public("People and groups open an account to hire school spaces.")
    template_name = "premises/register.html"
    form_class = HirerRegisterForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _hirer_of(request.user) is not None:
            return redirect("premises:account")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: HirerRegisterForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            hirer = services.hirer_register(
                email=data["email"], full_name=data["full_name"], password=data["password"], local_authority=data["local_authority"],
                kind=data["kind"], organisation_name=data.get("organisation_name", ""), telephone=data.get("telephone", ""),
                preferred_language="cy" if (get_language() or "").startswith("cy") else "en",
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        login(self.request, hirer.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Your account is open. Add your insurance details before you book."))
        next_url = self.request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={self.request.get_host()}):
            return redirect(reverse("premises:account") + "?next=" + next_url)
        return redirect("premises:account")


class HirerAccountView(ScopedViewMixin, FormView):
    access = SignedIn()
    template_name = "premises/account.html"
    form_class = HirerAccountForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and _hirer_of(request.user) is None:
            return redirect("premises:register")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        hirer = _hirer_of(self.request.user)
        assert hirer is not None
        return {"organisation_name": hirer.organisation_name, "telephone": hirer.telephone, "address": hirer.address,
                "insurance_provider": hirer.insurance_provider, "insurance_expires_on": hirer.insurance_expires_on,
                "safeguarding": hirer.safeguarding_declared_on is not None}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(hirer=_hirer_of(self.request.user), **kwargs)

    def form_valid(self, form: HirerAccountForm) -> HttpResponse:
        hirer = _hirer_of(self.request.user)
        assert hirer is not None
        data = dict(form.cleaned_data)
        declared = data.pop("safeguarding")
        data["safeguarding_declared_on"] = (hirer.safeguarding_declared_on or timezone.localdate()) if declared else None
        try:
            services.hirer_update(by=self.request.user, hirer=hirer, data=data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your details have been saved."))
        next_url = self.request.GET.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={self.request.get_host()}):
            return redirect(next_url)
        return redirect("premises:account")


class BookingRequestView(ScopedViewMixin, FormView):
    access = SignedIn()
    template_name = "premises/book.html"
    form_class = BookingRequestForm
    queryset = Space.objects.all()  # the pk names a space (the every-URL walk reads this)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.space = get_object_for_user(request.user if request.user.is_authenticated else None, Space.objects.with_related().filter(
            is_active=True), Action.VIEW, pk=kwargs["pk"])
        if request.user.is_authenticated and _hirer_of(request.user) is None:
            messages.info(request, _("To book, open an account to hire spaces first."))
            return redirect(reverse("premises:register") + "?next=" + request.path)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"first_day": self.request.GET.get("day") or None, "starts": self.request.GET.get("from") or None}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(space=self.space, hirer=_hirer_of(self.request.user), **kwargs)

    def form_valid(self, form: BookingRequestForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            series = services.booking_request(
                by=self.request.user, space=self.space, activity=data["activity"], expected_people=data["expected_people"],
                first_day=data["first_day"], starts=data["starts"], ends=data["ends"], weekly_until=data.get("weekly_until"),
                skip=data.get("skip") or [], involves_children=data.get("involves_children", False), terms_accepted=data["terms_accepted"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your request %(ref)s has been sent to the school. You will hear when it is decided.")
                         % {"ref": series.reference})
        return redirect("premises:my-booking", pk=series.pk)


class MyBookingsView(ScopedViewMixin, TemplateView):
    access = SignedIn()
    template_name = "premises/my_bookings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        series = (
            visible_to(self.request.user, BookingSeries, Action.LIST).filter(hirer__user=self.request.user)
            .select_related("space", "space__school")
            .annotate(first=Min("bookings__starts_at"), last=Max("bookings__starts_at"), dates=Count("bookings"))
            .order_by("-created_on")
        )
        page = Paginator(series, 30).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, hirer=_hirer_of(self.request.user), **kwargs)


class _SeriesPage(ScopedViewMixin, TemplateView):
    object: BookingSeries

    def get_object_queryset(self) -> Any:
        return BookingSeries.objects.select_related("space", "space__school", "hirer", "hirer__user")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            series=self.object, bookings=self.object.bookings.order_by("starts_at"), now=timezone.now(),
            can_decide=self.object.status == SeriesStatus.REQUESTED and can(user, Action.CHANGE, self.object),
            can_cancel=self.object.status in (SeriesStatus.REQUESTED, SeriesStatus.APPROVED) and services.can_cancel(user, self.object),
            **kwargs,
        )


class MyBookingDetailView(_SeriesPage):
    access = ObjectAccess(BookingSeries)
    template_name = "premises/my_booking.html"


class _CancelView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(BookingSeries)
    http_method_names = ["post"]
    object: BookingSeries
    back = "premises:my-booking"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CancelForm(request.POST)
        form.is_valid()
        only = None
        if request.POST.get("booking"):
            only = get_object_for_user(request.user, Booking, Action.VIEW, pk=request.POST["booking"])
        if not services.can_cancel(request.user, self.object):
            raise Http404
        try:
            cancelled = services.booking_cancel(by=request.user, series=self.object, only=only, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(count)s date(s) cancelled.") % {"count": len(cancelled)})
        return redirect(self.back, pk=self.object.pk)


class HirerCancelView(_CancelView):
    pass


class ManagerCancelView(_CancelView):
    access = ObjectAccess(BookingSeries, Action.CHANGE)
    back = "premises:request"


class RequestListView(ScopedViewMixin, TemplateView):
    """Booking requests for the schools the user manages: waiting ones first."""

    access = HasRole(*MANAGER_ROLES, *LA_MANAGER_ROLES)
    template_name = "premises/requests.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        status = self.request.GET.get("status", SeriesStatus.REQUESTED)
        if status not in SeriesStatus.values:
            status = SeriesStatus.REQUESTED
        series = (
            visible_to(self.request.user, BookingSeries, Action.CHANGE).filter(status=status)
            .select_related("space", "space__school", "hirer", "hirer__user")
            .annotate(first=Min("bookings__starts_at"), last=Max("bookings__starts_at"), dates=Count("bookings"))
            .order_by("first", "pk")
        )
        counts = dict(visible_to(self.request.user, BookingSeries, Action.CHANGE).values("status").annotate(n=Count("pk"))
                      .order_by().values_list("status", "n"))
        page = Paginator(series, 50).get_page(self.request.GET.get("page"))
        tabs = [(value, label, counts.get(value, 0)) for value, label in SeriesStatus.choices]
        return super().get_context_data(page=page, status=status, tabs=tabs, **kwargs)


class RequestDetailView(_SeriesPage):
    access = ObjectAccess(BookingSeries, Action.CHANGE)
    template_name = "premises/request.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", DecideForm())
        return super().get_context_data(hirer=self.object.hirer, **kwargs)


class RequestDecideView(RequestDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    services.booking_approve(by=request.user, series=self.object)
                    messages.success(request, _("Approved. The hirer has been told."))
                elif data["decision"] == "decline":
                    services.booking_decline(by=request.user, series=self.object, reason=data.get("reason", ""))
                    messages.success(request, _("Declined. The hirer has been told why."))
                else:
                    services.booking_offer_alternative(by=request.user, series=self.object, alternative=data.get("alternative", ""))
                    messages.success(request, _("The other time has been offered to the hirer."))
                return redirect("premises:request", pk=self.object.pk)
            except ValidationError as error:
                apply_validation_error(form, error)
        return self.render_to_response(self.get_context_data(form=form), status=422)
