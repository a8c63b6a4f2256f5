from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import registered_models


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Email of the person"), required=False, max_length=254)
    content_type = forms.ModelChoiceField(label=_("Kind of record"), queryset=ContentType.objects.none(), required=False)
    action = forms.TypedChoiceField(
        label=_("Action"),
        choices=[
            ("", _("All actions")),
            (LogEntry.Action.CREATE, _("Created")),
            (LogEntry.Action.UPDATE, _("Changed")),
            (LogEntry.Action.DELETE, _("Deleted")),
            (LogEntry.Action.ACCESS, _("Read")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=40)
    date_from = forms.DateField(
        label=_("From (YYYY-MM-DD)"),
        required=False,
        widget=forms.DateInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2026-09-01")},
    )
    date_to = forms.DateField(
        label=_("To (YYYY-MM-DD)"),
        required=False,
        widget=forms.DateInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2026-09-01")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        models = [m for m in registered_models() if not m._meta.abstract]
        cts = ContentType.objects.get_for_models(*models).values()
        field = self.fields["content_type"]
        field.queryset = ContentType.objects.filter(pk__in=[ct.pk for ct in cts]).order_by("model")  # type: ignore[attr-defined]
        field.empty_label = _("All kinds of record")  # type: ignore[attr-defined]
        field.label_from_instance = lambda ct: (
            str(ct.model_class()._meta.verbose_name).capitalize() if ct.model_class() else ct.model
        )  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error(
                "date_to", forms.ValidationError(_("The end date must be the same as or after the start date"), code="date_order")
            )
        return data
