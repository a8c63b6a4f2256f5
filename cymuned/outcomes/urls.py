from django.urls import path

from . import impact_views, views

app_name = "outcomes"
urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("impact/", impact_views.ImpactView.as_view(), name="impact"),
    path("impact/export.xlsx", impact_views.ImpactExportView.as_view(), name="impact-export"),
]
