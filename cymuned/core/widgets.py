from django import forms
from django.utils.translation import gettext_lazy as _

DATE_ERRORS = {"invalid": _("Enter a real date, for example 27 3 2027"), "required": _("Enter a date")}


class DateInput(forms.DateInput):
    """The browser's own accessible date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
