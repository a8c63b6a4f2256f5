"""Everything the page shell needs: the language switch and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cymuned.access.principal import principal_for

from .navigation import awaiting_second_factor, navigation_for
from .notifications import unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    language = get_language() or "en-gb"
    other = "en-gb" if language.startswith("cy") else "cy"
    path = request.get_full_path()
    switch_url = translate_url(path, other)
    if switch_url == path:
        switch_url = f"/{other}/"
    principal = principal_for(getattr(request, "user", None))
    return {
        "service_name": _("Cymuned"),
        "language_switch": {
            "url": switch_url,
            "code": other,
            "label": "English" if other == "en-gb" else "Cymraeg",
            "lang": "en" if other == "en-gb" else "cy",
        },
        "html_lang": "cy" if language.startswith("cy") else "en-GB",
        "navigation": navigation_for(request, principal),
        "awaiting_second_factor": awaiting_second_factor(request),
        "unread_notifications": unread_count(getattr(request, "user", None)),
    }
