from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, ScopedViewMixin
from cymuned.families.policies import CASEWORK_ROLES

from . import selectors
from .forms import WorklistFilterForm
from .models import attendance_thresholds

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
