from django.urls import include, path

from . import views

app_name = "premises"
urlpatterns = [
    path("", views.PublicSpaceListView.as_view(), name="public-list"),
    path("spaces/<int:pk>/", views.PublicSpaceDetailView.as_view(), name="public-space"),
    path("spaces/<int:pk>/book/", views.BookingRequestView.as_view(), name="book"),
    path("register/", views.HirerRegisterView.as_view(), name="register"),
    path("account/", views.HirerAccountView.as_view(), name="account"),
    path("my-bookings/", views.MyBookingsView.as_view(), name="my-bookings"),
    path("my-bookings/<int:pk>/", views.MyBookingDetailView.as_view(), name="my-booking"),
    path("my-bookings/<int:pk>/cancel/", views.HirerCancelView.as_view(), name="my-booking-cancel"),
    path("requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request"),
    path("requests/<int:pk>/decide/", views.RequestDecideView.as_view(), name="request-decide"),
    path("requests/<int:pk>/cancel/", views.ManagerCancelView.as_view(), name="request-cancel"),
    path("", include("cymuned.premises.urls_manage")),
    path("", include("cymuned.premises.urls_finance")),
    path("", include("cymuned.premises.urls_calendar")),
    path("", include("cymuned.premises.urls_reports")),
]
