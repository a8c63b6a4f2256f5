from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("streams/", views.StreamListView.as_view(), name="streams"),
    path("streams/new/", views.StreamCreateView.as_view(), name="stream-create"),
    path("awards/", views.AwardListView.as_view(), name="awards"),
    path("awards/new/", views.AwardCreateView.as_view(), name="award-create"),
    path("awards/<int:pk>/", views.AwardDetailView.as_view(), name="award-detail"),
    path("awards/<int:pk>/allocate/", views.AllocationCreateView.as_view(), name="allocation-create"),
    path("awards/<int:pk>/claims/new/", views.ClaimCreateView.as_view(), name="claim-create"),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation-detail"),
    path("allocations/<int:pk>/spend/", views.SpendCreateView.as_view(), name="spend-create"),
    path("claims/", views.ClaimListView.as_view(), name="claims"),
    path("claims/<int:pk>/status/", views.ClaimStatusView.as_view(), name="claim-status"),
    path("posts/", views.PostListView.as_view(), name="posts"),
    path("posts/new/", views.PostCreateView.as_view(), name="post-create"),
    path("spend.xlsx", views.SpendExportView.as_view(), name="spend-export"),
]
