from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.roles import LEARNER_ROLES
from cymuned.audit.services import record_read

from .forms import LearnerFilterForm
from .models import Learner
from .selectors import learners_for


class LearnerListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LEARNER_ROLES)
    template_name = "families/learner_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        principal = principal_for(self.request.user)
        form = LearnerFilterForm(self.request.GET or None, user=self.request.user, school_ids=principal.school_ids(LEARNER_ROLES))
        filters = form.cleaned_data if form.is_valid() else {}
        school = filters.get("school")
        learners = learners_for(
            user=self.request.user,
            q=filters.get("q") or "",
            school_id=school.pk if school else None,
            year_group=filters.get("year_group"),
        )
        page = Paginator(learners, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, **kwargs)


class LearnerDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Learner)
    template_name = "families/learner_detail.html"
    object: Learner

    def get_object_queryset(self) -> Any:
        return Learner.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        record_read(instance=self.object)
        return super().get_context_data(learner=self.object, **kwargs)
