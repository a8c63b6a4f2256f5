from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportNewView.as_view(), name="import-new"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/mapping/", views.ImportMappingView.as_view(), name="import-mapping"),
    path("imports/<int:pk>/preview/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import-progress"),
    path("imports/<int:pk>/problems.csv", views.ImportErrorsCsvView.as_view(), name="import-errors-csv"),
]
