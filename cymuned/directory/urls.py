from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.PublicSearchView.as_view(), name="public-search"),
    path("<uuid:pk>/", views.PublicServiceView.as_view(), name="public-detail"),
    path("manage/", views.ManageListView.as_view(), name="manage-list"),
    path("manage/new/", views.ServiceCreateView.as_view(), name="create"),
    path("manage/stale/", views.StaleReportView.as_view(), name="stale"),
    path("manage/import/", views.ImportView.as_view(), name="import"),
    path("manage/<uuid:pk>/", views.ManageDetailView.as_view(), name="manage"),
    path("manage/<uuid:pk>/edit/", views.ServiceUpdateView.as_view(), name="update"),
    path("manage/<uuid:pk>/locations/add/", views.LocationAddView.as_view(), name="location-add"),
    path("manage/<uuid:pk>/schedules/add/", views.ScheduleAddView.as_view(), name="schedule-add"),
    path("manage/<uuid:pk>/contacts/add/", views.ContactAddView.as_view(), name="contact-add"),
    path("manage/<uuid:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("manage/locations/<uuid:pk>/remove/", views.LocationRemoveView.as_view(), name="location-remove"),
    path("manage/schedules/<uuid:pk>/remove/", views.ScheduleRemoveView.as_view(), name="schedule-remove"),
    path("manage/contacts/<uuid:pk>/remove/", views.ContactRemoveView.as_view(), name="contact-remove"),
]
