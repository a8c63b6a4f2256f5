from django.urls import path

from . import impact_views, views, views_dashboard

app_name = "outcomes"
urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("impact/", impact_views.ImpactView.as_view(), name="impact"),
    path("impact/export.xlsx", impact_views.ImpactExportView.as_view(), name="impact-export"),
    path("dashboard/", views_dashboard.dashboard_home, name="dashboard"),
    path("dashboard/learners/", views_dashboard.DrillDownView.as_view(), name="dashboard-learners"),
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportNewView.as_view(), name="import-new"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/mapping/", views.ImportMappingView.as_view(), name="import-mapping"),
    path("imports/<int:pk>/preview/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import-progress"),
    path("imports/<int:pk>/problems.csv", views.ImportErrorsCsvView.as_view(), name="import-errors-csv"),
]
for _page in ("attendance", "behaviour", "attainment"):
    urlpatterns += [
        path(f"dashboard/{_page}/", views_dashboard.DashboardView.as_view(page=_page), name=f"dashboard-{_page}"),
        path(f"dashboard/{_page}/export.xlsx", views_dashboard.DashboardExportView.as_view(page=_page, fmt="xlsx"),
             name=f"dashboard-{_page}-xlsx"),
        path(f"dashboard/{_page}/export.pdf", views_dashboard.DashboardExportView.as_view(page=_page, fmt="pdf"),
             name=f"dashboard-{_page}-pdf"),
    ]
