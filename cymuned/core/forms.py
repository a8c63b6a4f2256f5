from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
