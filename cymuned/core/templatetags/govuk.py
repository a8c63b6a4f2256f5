"""Template helpers that render Django forms with the GOV.UK Design System's markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.formats import number_format

register = template.Library()


def _widget_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


def _formatted_value(field: forms.BoundField) -> Any:
    """The value as the widget writes it (dates as YYYY-MM-DD for date inputs), never localised for display."""
    value = field.value()
    if value is None:
        return ""
    if isinstance(field.field.widget, forms.widgets.Input):
        return field.field.widget.format_value(value) or ""
    return value


@register.inclusion_tag("includes/field.html")
def govuk_field(field: forms.BoundField, width: str = "", label_size: str = "s") -> dict[str, Any]:
    kind = _widget_kind(field)
    input_type = getattr(field.field.widget, "input_type", "text")
    widget_attrs = field.field.widget.attrs
    return {
        "field": field,
        "kind": kind,
        "input_type": input_type,
        "width": width,
        "label_size": label_size,
        "autocomplete": widget_attrs.get("autocomplete", ""),
        "inputmode": widget_attrs.get("inputmode", ""),
        "spellcheck": widget_attrs.get("spellcheck", ""),
        "value": _formatted_value(field),
        "selected": [str(v) for v in (field.value() or [])] if kind == "checkboxes" else [str(field.value() or "")],
    }


@register.inclusion_tag("includes/error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            errors.append(("", message))
        for name, field_errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.id_for_label or bound.auto_id
            for message in field_errors:
                errors.append((anchor, message))
    return {"errors": errors}


@register.filter
def number(value: Any, decimals: int = 0) -> str:
    """A number formatted for the active language (thousands separators, decimal mark)."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=decimals, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination and sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def pounds(pence: Any) -> str:
    """An amount held in pence, shown as pounds and pence (£18.50); negative amounts keep their sign."""
    if pence in (None, ""):
        return ""
    value = int(pence)
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}£{value // 100:,}.{value % 100:02d}"
