from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("learners/", views.LearnerListView.as_view(), name="learner-list"),
    path("learners/add/", views.LearnerCreateView.as_view(), name="learner-add"),
    path("learners/<int:pk>/", views.LearnerDetailView.as_view(), name="learner-detail"),
    path("learners/<int:pk>/household/", views.HouseholdCreateView.as_view(), name="household-create"),
    path("households/", views.HouseholdListView.as_view(), name="household-list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household-detail"),
    path("households/<int:pk>/carers/add/", views.CarerAddView.as_view(), name="carer-add"),
    path("households/<int:pk>/consents/add/", views.ConsentAddView.as_view(), name="consent-add"),
    path("households/<int:pk>/learners/link/", views.LinkLearnerView.as_view(), name="learner-link"),
    path("households/<int:pk>/subject-access.pdf", views.SubjectAccessExportView.as_view(), name="subject-access-pdf"),
    path("households/<int:pk>/subject-access.json", views.SubjectAccessJsonView.as_view(), name="subject-access-json"),
    path("consents/<int:pk>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent-withdraw"),
    path("households/<int:pk>/episodes/open/", views.EpisodeOpenView.as_view(), name="episode-open"),
    path("episodes/<int:pk>/", views.EpisodeDetailView.as_view(), name="episode-detail"),
    path("episodes/<int:pk>/close/", views.EpisodeCloseView.as_view(), name="episode-close"),
    path("episodes/<int:pk>/reassign/", views.EpisodeReassignView.as_view(), name="episode-reassign"),
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
]
