from django.urls import path

from . import impact_views, views, views_dashboard

app_name = "outcomes"
urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("impact/", impact_views.ImpactView.as_view(), name="impact"),
    path("impact/export.xlsx", impact_views.ImpactExportView.as_view(), name="impact-export"),
    path("dashboard/", views_dashboard.dashboard_home, name="dashboard"),
    path("dashboard/learners/", views_dashboard.DrillDownView.as_view(), name="dashboard-learners"),
]
for _page in ("attendance", "behaviour", "attainment"):
    urlpatterns += [
        path(f"dashboard/{_page}/", views_dashboard.DashboardView.as_view(page=_page), name=f"dashboard-{_page}"),
        path(f"dashboard/{_page}/export.xlsx", views_dashboard.DashboardExportView.as_view(page=_page, fmt="xlsx"),
             name=f"dashboard-{_page}-xlsx"),
        path(f"dashboard/{_page}/export.pdf", views_dashboard.DashboardExportView.as_view(page=_page, fmt="pdf"),
             name=f"dashboard-{_page}-pdf"),
    ]
