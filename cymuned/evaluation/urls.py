from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.EvaluationListView.as_view(), name="list"),
    path("open/", views.EvaluationOpenView.as_view(), name="open"),
    path("<int:pk>/", views.EvaluationDetailView.as_view(), name="detail"),
    path("<int:pk>/rate/<int:cell>/", views.RatingView.as_view(), name="rate"),
    path("<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("<int:pk>/moderate/", views.ModerateView.as_view(), name="moderate"),
    path("<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("<int:pk>/evidence/add/", views.EvidenceAddView.as_view(), name="evidence-add"),
    path("evidence/<int:pk>/download/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemoveView.as_view(), name="evidence-remove"),
    path("<int:pk>/questionnaires/open/", views.SurveyOpenView.as_view(), name="survey-open"),
    path("questionnaires/<int:pk>/close/", views.SurveyCloseView.as_view(), name="survey-close"),
    path("questionnaire/<str:token>/", views.SurveyRespondView.as_view(), name="survey"),
    path("<int:pk>/actions/add/", views.ActionAddView.as_view(), name="action-add"),
    path("actions/", views.ActionListView.as_view(), name="action-list"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action-detail"),
    path("schools/<int:pk>/", views.SchoolProfileView.as_view(), name="school-profile"),
    path("schools/<int:pk>/summary.pdf", views.SchoolPdfView.as_view(), name="school-pdf"),
    path("clusters/<int:pk>/summary.pdf", views.ClusterPdfView.as_view(), name="cluster-pdf"),
    path("heatmap/", views.HeatmapView.as_view(), name="heatmap"),
    path("export.xlsx", views.ExportXlsxView.as_view(), name="export-xlsx"),
    path("frameworks/", views.FrameworkListView.as_view(), name="framework-list"),
    path("frameworks/<int:pk>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
    path("frameworks/<int:pk>/new-version/", views.FrameworkNewVersionView.as_view(), name="framework-new-version"),
    path("frameworks/<int:pk>/make-current/", views.FrameworkMakeCurrentView.as_view(), name="framework-make-current"),
    path("frameworks/cells/<int:pk>/", views.CellEditView.as_view(), name="cell-edit"),
]
