from __future__ import annotations

import logging
import sys
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.generic import TemplateView

from cymuned.access.views import Public, ScopedViewMixin, SignedIn

from .security_log import security_event
from .selectors import dashboard_for

error_logger = logging.getLogger("cymuned.errors")


class HomeView(ScopedViewMixin, TemplateView):
    access = Public("The front page says what Cymuned is and offers sign-in.")
    template_name = "core/home.html"


class DashboardView(ScopedViewMixin, TemplateView):
    access = SignedIn()
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(dashboard=dashboard_for(user=self.request.user), **kwargs)


class AccessibilityView(ScopedViewMixin, TemplateView):
    access = Public("The accessibility statement must be open to all.")
    template_name = "core/accessibility.html"


class PrivacyView(ScopedViewMixin, TemplateView):
    access = Public("The privacy notice must be open to all.")
    template_name = "core/privacy.html"


class CookiesView(ScopedViewMixin, TemplateView):
    access = Public("The cookies page must be open to all.")
    template_name = "core/cookies.html"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    security_event("access_refused", request=request, user=getattr(request, "user", None), level=logging.WARNING)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A bilingual page with a reference to quote to the service desk; the details go to the log, never the page.

    No request context: the failure may be in a context processor.
    """
    reference = uuid.uuid4().hex[:10].upper()
    error_logger.error("server_error", exc_info=sys.exc_info(),
                       extra={"security": {"event": "server_error", "reference": reference, "method": request.method,
                                           "path": request.path}})
    response = HttpResponseServerError(loader.get_template("500.html").render({"reference": reference}))
    response["X-Error-Reference"] = reference
    return response
