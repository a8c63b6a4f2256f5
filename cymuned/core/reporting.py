"""The filter every report shares: a period (default the last twelve months), a school and a cluster."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput

F = TypeVar("F")


def report_period(start: datetime.date | None, end: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    """The period asked for, where a missing end is today and a missing start twelve months (this one included) before the end."""
    end = end or timezone.localdate()
    start = start or (end.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    return start, end


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput(), required=False, error_messages=DATE_ERRORS)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False, error_messages=DATE_ERRORS)
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=None, required=False,
                                     error_messages={"invalid_choice": _("Choose a cluster from the list")})
    school = forms.ModelChoiceField(label=_("School"), queryset=None, required=False,
                                    error_messages={"invalid_choice": _("Choose a school from the list")})

    #: The longest period one report covers, so that a typo in a year cannot ask for centuries of months.
    MAX_DAYS = 366 * 5

    def __init__(self, *args: Any, schools: Any, clusters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["school"].empty_label = _("All schools")  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["cluster"].label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        self.fields["cluster"].empty_label = _("All clusters")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = report_period(data.get("start"), data.get("end"))
        if start > end:
            self.add_error("start", _("The start of the period must be before its end."))
        elif (end - start).days > self.MAX_DAYS:
            self.add_error("start", _("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data


def filters_from_request(request: HttpRequest, *, schools: Any, clusters: Any,
                         build: Callable[..., F]) -> tuple[ReportFilterForm, F | None]:
    """The filter form for the page and, when it is valid (or nothing was asked), ``build(start=, end=, school=, cluster=)``."""
    form = ReportFilterForm(request.GET or None, schools=schools, clusters=clusters)
    if request.GET and not form.is_valid():
        return form, None
    if request.GET:
        data = form.cleaned_data
    else:
        start, end = report_period(None, None)
        data = {"start": start, "end": end}
    return form, build(start=data["start"], end=data["end"], school=data.get("school"), cluster=data.get("cluster"))
