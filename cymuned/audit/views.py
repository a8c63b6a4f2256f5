from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from cymuned.access.views import HasRole, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.core.exports import csv_response

from .database import AUDITED_TABLES
from .forms import AuditFilterForm
from .selectors import audit_entries_for, database_changes_for
from .services import export_record


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


class AuditLogView(ScopedViewMixin, TemplateView):
    access = HasRole(Role.LA_LEAD)
    template_name = "audit/log.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, filters = _filters(self.request)
        entries = audit_entries_for(user=self.request.user, **{k: v for k, v in filters.items() if v not in (None, "")})
        page = Paginator(entries, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, **kwargs)


class AuditExportView(ScopedViewMixin, View):
    access = HasRole(Role.LA_LEAD)

    def get(self, request: HttpRequest) -> HttpResponse:
        form, filters = _filters(request)
        entries = audit_entries_for(user=request.user, **{k: v for k, v in filters.items() if v not in (None, "")})
        # Fix the set before logging the export, so the export's own log entry is not in it.
        newest = entries.values_list("pk", flat=True).first()
        entries = entries.filter(pk__lte=newest) if newest is not None else entries.none()
        export_record(
            user=request.user,
            kind="audit-log",
            row_count=entries.count(),
            filters={k: str(v) for k, v in filters.items()},
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        header = [_("When"), _("Who"), _("Action"), _("Kind of record"), _("Record id"), _("Record"), _("Changes"), _("Address")]
        rows = (
            [
                e.timestamp.isoformat(),
                e.actor.email if e.actor else "",
                e.get_action_display(),
                e.content_type.model,
                e.object_pk,
                e.object_repr,
                e.changes_str if e.changes else "",
                e.remote_addr or "",
            ]
            for e in entries.iterator(chunk_size=2000)
        )
        return csv_response(filename="cymuned-audit-log.csv", header=header, rows=rows)


class DatabaseChangesView(ScopedViewMixin, TemplateView):
    """The trail PostgreSQL keeps itself: bulk changes and imports included."""

    access = HasRole(Role.LA_LEAD)
    template_name = "audit/database_changes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        table = self.request.GET.get("table", "")
        table = table if table in AUDITED_TABLES else ""
        changes = database_changes_for(user=self.request.user, table=table)
        page = Paginator(changes, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, tables=AUDITED_TABLES, table=table, **kwargs)
