from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-update"),
    path("clusters/", views.ClusterListView.as_view(), name="cluster-list"),
    path("clusters/<int:pk>/", views.ClusterDetailView.as_view(), name="cluster-detail"),
    path("partners/", views.PartnerListView.as_view(), name="partner-list"),
    path("partners/add/", views.PartnerCreateView.as_view(), name="partner-create"),
    path("partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner-detail"),
    path("partners/<int:pk>/edit/", views.PartnerUpdateView.as_view(), name="partner-update"),
]
