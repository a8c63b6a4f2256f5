from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from cymuned.access.policy import Action, visible_to
from cymuned.access.views import ScopedViewMixin, SignedIn

from .models import Notification
from .services import notifications_mark_read


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return visible_to(user, Notification).filter(read_on__isnull=True).count()


class NotificationListView(ScopedViewMixin, TemplateView):
    access = SignedIn()
    template_name = "core/notifications.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        notifications = visible_to(self.request.user, Notification, Action.LIST)
        return super().get_context_data(page=Paginator(notifications, 50).get_page(self.request.GET.get("page")), **kwargs)


class NotificationsReadView(ScopedViewMixin, View):
    access = SignedIn()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        notifications_mark_read(user=request.user)
        messages.success(request, _("All your notifications are marked as read."))
        return redirect("core:notifications")
