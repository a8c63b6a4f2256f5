from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plans"),
    path("new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version"),
    path("versions/<int:pk>/consultation/", views.VersionSendView.as_view(), name="version-send"),
    path("versions/<int:pk>/approve/", views.VersionApproveView.as_view(), name="version-approve"),
    path("versions/<int:pk>/revise/", views.VersionReviseView.as_view(), name="version-revise"),
    path("versions/<int:pk>/consultation-summary/", views.VersionSummaryView.as_view(), name="version-summary"),
    path("versions/<int:pk>/priorities/add/", views.PriorityAddView.as_view(), name="priority-add"),
    path("priorities/<int:pk>/objectives/add/", views.ObjectiveAddView.as_view(), name="objective-add"),
    path("objectives/<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action-add"),
    path("objectives/<int:pk>/measures/add/", views.MeasureAddView.as_view(), name="measure-add"),
    path("actions/", views.MyActionsView.as_view(), name="my-actions"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action"),
    path("actions/<int:pk>/update/", views.ActionUpdateView.as_view(), name="action-update"),
    path("published/", views.PublicPlanListView.as_view(), name="public-plans"),
    path("published/<int:pk>/", views.PublicVersionView.as_view(), name="public-version"),
    path("consultations/", views.QuestionnaireListView.as_view(), name="questionnaires"),
    path("consultations/new/", views.QuestionnaireCreateView.as_view(), name="questionnaire-create"),
    path("consultations/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire"),
    path("consultations/<int:pk>/questions/add/", views.QuestionAddView.as_view(), name="question-add"),
    path("consultations/<int:pk>/results/", views.ResultsView.as_view(), name="results"),
    path("consultations/<int:pk>/free-text.<slug:fmt>", views.ResultsExportView.as_view(), name="results-export"),
    path("have-your-say/<str:token>/", views.AnswerView.as_view(), name="answer"),
    path("council-reports/", views.ReportListView.as_view(), name="reports"),
    path("council-reports/<int:pk>/", views.ReportDetailView.as_view(), name="report"),
    path("council-reports/<int:pk>/download.<slug:fmt>", views.ReportDownloadView.as_view(), name="report-download"),
]
