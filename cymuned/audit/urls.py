from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditLogView.as_view(), name="log"),
    path("export.csv", views.AuditExportView.as_view(), name="export"),
    path("database-changes/", views.DatabaseChangesView.as_view(), name="database-changes"),
]
