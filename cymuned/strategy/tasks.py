"""Background work of the strategy domain (django-tasks): building a report to Council."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def build_council_report(*, report_id: int) -> str:
    """Build both files, then save them and mark the report done in one transaction: a failure leaves no file behind."""
    from . import council_report
    from .models import CouncilReport, ReportStatus
    from .services import council_report_progress

    report = CouncilReport.objects.select_related("local_authority").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report.status
    council_report_progress(report_id=report.pk, progress=1, stage="")
    try:
        pdf, docx = council_report.build_files(
            local_authority=report.local_authority, as_of=report.as_of,
            progress=lambda percent, stage: council_report_progress(report_id=report.pk, progress=min(percent, 99), stage=stage),
        )
    except Exception as error:  # the page shows the failure; the log keeps the detail
        logger.exception("Council report %s failed", report_id)
        message = _("There were no figures for this date.") if str(error) == "no data" else _("The report could not be written.")
        CouncilReport.objects.filter(pk=report_id).update(status=ReportStatus.FAILED, error=message, finished_on=timezone.now())
        return ReportStatus.FAILED
    stamp = f"{report.as_of:%Y%m%d}"
    with transaction.atomic():
        report = CouncilReport.objects.select_for_update().get(pk=report_id)
        report.pdf.save(f"council-report-{stamp}.pdf", ContentFile(pdf), save=False)
        report.docx.save(f"council-report-{stamp}.docx", ContentFile(docx), save=False)
        report.status = ReportStatus.DONE
        report.progress = 100
        report.stage = ""
        report.finished_on = timezone.now()
        report.save(update_fields=["pdf", "docx", "status", "progress", "stage", "finished_on", "modified_on"])
    return ReportStatus.DONE
