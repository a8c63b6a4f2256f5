from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("memoranda/", views.MemorandumListView.as_view(), name="mou-list"),
    path("memoranda/new/", views.MemorandumCreateView.as_view(), name="mou-create"),
    path("memoranda/<int:pk>/", views.MemorandumDetailView.as_view(), name="mou-detail"),
    path("memoranda/<int:pk>/edit/", views.MemorandumUpdateView.as_view(), name="mou-update"),
    path("memoranda/<int:pk>/signatories/add/", views.SignatoryAddView.as_view(), name="mou-signatory"),
    path("memoranda/<int:pk>/pdf/", views.MemorandumPdfView.as_view(), name="mou-pdf"),
    path("network/", views.NetworkView.as_view(), name="network"),
    path("network/meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("network/meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("network/resources/new/", views.ResourceCreateView.as_view(), name="resource-create"),
    path("network/resources/<int:pk>/", views.ResourceDownloadView.as_view(), name="resource"),
    path("network/notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("network/notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("network/notices/<int:pk>/hide/", views.NoticeHideView.as_view(), name="notice-hide"),
    path("network/replies/<int:pk>/hide/", views.ReplyHideView.as_view(), name="reply-hide"),
    path("engagement/", views.EngagementListView.as_view(), name="engagement-list"),
    path("engagement/new/", views.EngagementCreateView.as_view(), name="engagement-create"),
    path("engagement/<int:pk>/", views.EngagementDetailView.as_view(), name="engagement-detail"),
    path("engagement/<int:pk>/papers/add/", views.PaperAddView.as_view(), name="paper-add"),
    path("engagement/papers/<int:pk>/", views.PaperDownloadView.as_view(), name="paper"),
    path("profiles/", views.ProfileListView.as_view(), name="profile-list"),
    path("profiles/new/", views.ProfileCreateView.as_view(), name="profile-create"),
    path("profiles/<int:pk>/", views.ProfileDetailView.as_view(), name="profile-detail"),
    path("profiles/<int:pk>/edit/", views.ProfileUpdateView.as_view(), name="profile-update"),
    path("profiles/wimd/import/", views.WimdImportView.as_view(), name="wimd-import"),
]
