from django.urls import path

from . import notifications, views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("cookies/", views.CookiesView.as_view(), name="cookies"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", notifications.NotificationsReadView.as_view(), name="notifications-read"),
]
