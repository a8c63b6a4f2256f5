from django.urls import path

from . import views

app_name = "hub"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("referrals/", views.MyReferralsView.as_view(), name="referral-list"),
    path("referrals/new/", views.ReferralCreateView.as_view(), name="referral-new"),
    path("referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral-detail"),
    path("referrals/<int:pk>/act/", views.ReferralActView.as_view(), name="referral-act"),
    path("partner/", views.PartnerPortalView.as_view(), name="partner"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard.xlsx", views.DashboardExportView.as_view(), name="dashboard-export"),
    path("service-levels/", views.ServiceLevelsView.as_view(), name="service-levels"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("episodes/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting-new"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/act/", views.MeetingActView.as_view(), name="meeting-act"),
]
