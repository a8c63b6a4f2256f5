from __future__ import annotations

import csv
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, ScopedViewMixin
from cymuned.core.models import localised_order
from cymuned.families.policies import CASEWORK_ROLES
from cymuned.organisations.models import LocalAuthority, School

from . import import_runs, selectors
from .forms import ImportMappingForm, ImportNewForm, WorklistFilterForm
from .kinds import import_kinds, kind_for
from .models import ImportRun, ImportStatus, attendance_thresholds
from .policies import IMPORT_ROLES, LA_IMPORT_ROLES, RECORDING_ROLES
from .spreadsheets import UploadRefused, sheet_names, table_rows

WORKLIST_PAGE_SIZE = 50


class WorklistView(ScopedViewMixin, TemplateView):
    """The FEO worklist: learners of the user's casework schools whose latest attendance is in a band.

    Like the learner list, the list itself is not written to the audit log; opening a learner's record is.
    """

    access = HasRole(*CASEWORK_ROLES)
    template_name = "outcomes/worklist.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        thresholds = attendance_thresholds()
        school_ids = principal_for(self.request.user).school_ids(CASEWORK_ROLES)
        form = WorklistFilterForm(self.request.GET or None, school_ids=school_ids, thresholds=thresholds)
        filters = form.cleaned_data if form.is_valid() else {}
        school = filters.get("school")
        rows = selectors.worklist_for(
            user=self.request.user,
            school_id=school.pk if school else None,
            band=filters.get("band") or None,
            without_open_episode=bool(filters.get("without_open_episode")),
            thresholds=thresholds,
        )
        page = Paginator(rows, WORKLIST_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, thresholds=thresholds, **kwargs)


# --- Imports of school MIS exports -----------------------------------------------------------------------------------

IMPORT_PAGE_SIZE = 25
ERRORS_PAGE_SIZE = 50
#: Where a finished import sends its reader next (the outcomes dashboards will take over from the worklist).
AFTER_IMPORT_URL_NAME = "outcomes:dashboard"


def _import_targets(user: Any) -> list[tuple[str, str]]:
    principal = principal_for(user)
    schools = School.objects.filter(pk__in=sorted(principal.school_ids(RECORDING_ROLES))).order_by(localised_order("name"))
    targets = [(f"school:{school.pk}", school.name) for school in schools]
    for la in LocalAuthority.objects.filter(pk__in=sorted(principal.la_ids(LA_IMPORT_ROLES))).order_by("pk"):
        targets.append((f"la:{la.pk}", _("Every school of %(la)s (one file for the whole local authority)") % {"la": la.name}))
    return targets


def _target(value: str, user: Any) -> import_runs.Target | None:
    """The school or LA a form's choice names, if the user may import for it."""
    kind, _sep, pk = value.partition(":")
    if not pk.isdigit() or value not in dict(_import_targets(user)):
        return None
    if kind == "school":
        school = School.objects.select_related("local_authority").filter(pk=int(pk)).first()
        return import_runs.Target(local_authority=school.local_authority, school=school) if school else None
    la = LocalAuthority.objects.filter(pk=int(pk)).first()
    return import_runs.Target(local_authority=la) if la else None


class ImportListView(ScopedViewMixin, TemplateView):
    """The imports of the user's schools (and LA-wide ones for LA leads and officers), newest first."""

    access = HasRole(*IMPORT_ROLES)
    template_name = "outcomes/imports/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        runs = import_runs.import_runs_for(user=self.request.user)
        page = Paginator(runs, IMPORT_PAGE_SIZE).get_page(self.request.GET.get("page"))
        labels = {kind.key: kind.label for kind in import_kinds()}
        for run in page:
            run.kind_label = labels.get(run.kind, run.kind)
        return super().get_context_data(page=page, can_import=can_create(self.request.user, ImportRun), **kwargs)


class ImportNewView(ScopedViewMixin, TemplateView):
    """Step 1: what, for whom, from which system, and the file (checked here; nothing imported yet)."""

    access = CanCreate(ImportRun)
    template_name = "outcomes/imports/new.html"

    def form(self) -> ImportNewForm:
        return ImportNewForm(self.request.POST or None, self.request.FILES or None, kinds=import_kinds(),
                             targets=_import_targets(self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.form())
        return super().get_context_data(kinds=import_kinds(), mis_suggestions=import_runs.MIS_SUGGESTIONS,
                                        max_mb=import_runs.max_upload_bytes() // (1024 * 1024), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form()
        if form.is_valid():
            kind = kind_for(form.cleaned_data["kind"])
            target = _target(form.cleaned_data["target"], request.user)
            if kind is None:
                form.add_error("kind", _("Choose what you are importing."))
            elif target is None:
                form.add_error("target", _("Choose the school the file is for."))
            elif target.school is None and not kind.la_wide:
                form.add_error("target", _("%(kind)s are imported one school at a time: choose a school.") % {"kind": kind.label})
            else:
                try:
                    run = import_runs.import_run_upload(by=request.user, kind=kind, target=target,
                                                        mis=form.cleaned_data["mis"], upload=form.cleaned_data["file"])
                except UploadRefused as refused:
                    form.add_error("file", refused.message)
                else:
                    return redirect("outcomes:import-mapping", pk=run.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _DraftStepView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(ImportRun, Action.CHANGE)
    object: ImportRun

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.object.status != ImportStatus.DRAFT:
            return redirect("outcomes:import-detail", pk=self.object.pk)
        return super().get(request, *args, **kwargs)

    def kind(self) -> Any:
        kind = kind_for(self.object.kind)
        if kind is None:
            raise Http404
        return kind


class ImportMappingView(_DraftStepView):
    """Step 2: each column of the file with sample values, and the column chosen for each field of the import."""

    template_name = "outcomes/imports/mapping.html"

    def form(self, data: Any = None) -> ImportMappingForm:
        run = self.object
        initial = {f"field_{name}": column for name, column in run.mapping.items()} | {"sheet": run.sheet}
        sheets: list[str] = []
        if run.file_type == "xlsx":
            with import_runs.local_file(run) as path, suppress(UploadRefused):
                sheets = sheet_names(path)
        return ImportMappingForm(data, kind=self.kind(), columns=run.columns, sheets=sheets, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        run = self.object
        kwargs.setdefault("form", self.form())
        samples: list[list[str]] = []
        with import_runs.local_file(run) as path:
            try:
                rows = table_rows(path, import_runs.file_kind(run, path), sheet=run.sheet, limit=import_runs.SAMPLE_ROWS + 1)
                next(rows, None)
                samples = list(rows)
            except UploadRefused:
                samples = []
        columns = [(column, [row[i][:40] for row in samples if i < len(row) and row[i].strip()])
                   for i, column in enumerate(run.columns)]
        return super().get_context_data(run=run, kind=self.kind(), columns=columns, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.object.status != ImportStatus.DRAFT:
            return redirect("outcomes:import-detail", pk=self.object.pk)
        form = self.form(request.POST)
        sheet = request.POST.get("sheet", "")
        if "sheet" in form.fields and form.is_valid() and sheet != self.object.sheet:
            try:
                import_runs.import_run_choose_sheet(by=request.user, run=self.object, sheet=sheet)
            except UploadRefused as refused:
                form.add_error("sheet", refused.message)
            else:
                return redirect("outcomes:import-mapping", pk=self.object.pk)
        elif form.is_valid():
            try:
                import_runs.import_run_map(by=request.user, run=self.object, mapping=form.mapping(),
                                           template_name=form.cleaned_data["template_name"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        form.add_error(f"field_{name}" if f"field_{name}" in form.fields else None, message)
            else:
                return redirect("outcomes:import-preview", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportPreviewView(_DraftStepView):
    """Step 3: the first rows as mapped, with any problems in them; starting the import from here."""

    template_name = "outcomes/imports/preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        run = self.object
        return super().get_context_data(run=run, kind=self.kind(), preview=import_runs.import_run_preview(run=run), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.object.status != ImportStatus.DRAFT:
            return redirect("outcomes:import-detail", pk=self.object.pk)
        try:
            import_runs.import_run_start(by=request.user, run=self.object)
        except ValidationError:
            return redirect("outcomes:import-mapping", pk=self.object.pk)
        return redirect("outcomes:import-detail", pk=self.object.pk)


class ImportDetailView(ScopedViewMixin, TemplateView):
    """A run: its progress while it runs (the progress panel polls), then its validation report or summary."""

    access = ObjectAccess(ImportRun, Action.VIEW)
    template_name = "outcomes/imports/detail.html"
    object: ImportRun

    def get_object_queryset(self) -> Any:
        return ImportRun.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**_run_context(self.object, self.request), **kwargs)


class ImportProgressView(ImportDetailView):
    """For the run page to poll: the progress bar and the stage, swapped in place (the stage is in a live region,
    so a screen reader hears each new stage); once the run has finished, htmx is told to reload the page, which
    then shows the report and polls no more."""

    template_name = "outcomes/imports/_progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(oob=True, **kwargs)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if self.object.is_finished or self.object.status == ImportStatus.DRAFT:
            response["HX-Refresh"] = "true"
        response["Cache-Control"] = "no-store"
        return response


def _run_context(run: ImportRun, request: HttpRequest) -> dict[str, Any]:
    kind = kind_for(run.kind)
    page = Paginator(run.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "run": run,
        "kind_label": kind.label if kind else run.kind,
        "stage_label": import_runs.stage_label(run.stage),
        "errors_page": page,
        "shown_errors": import_runs.shown_errors(run, list(page)),
        "more_errors": max(0, run.error_count - len(run.errors)),
        "summary_rows": import_runs.summary_rows(run) if run.status == ImportStatus.SUCCEEDED else [],
        "after_import_url": reverse(AFTER_IMPORT_URL_NAME),
        "can_continue": run.status == ImportStatus.DRAFT and can(request.user, Action.CHANGE, run),
    }


class ImportErrorsCsvView(ScopedViewMixin, View):
    """The stored problems of a run as a CSV file (row, column, value, message), in the reader's language."""

    access = ObjectAccess(ImportRun, Action.VIEW)
    object: ImportRun

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        run = self.object
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
        for error in import_runs.shown_errors(run, run.errors):
            writer.writerow([error.row or "", error.column, _csv_safe(error.value), error.message])
        return response


def _csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
