"""URLs of the premises calendars and iCalendar feeds (included by premises/urls.py, in the "premises" namespace)."""

from django.urls import path

from . import views_calendar

urlpatterns = [
    path("feeds/<slug:token>.ics", views_calendar.FeedView.as_view(), name="feed"),
    path("my-feeds/", views_calendar.MyFeedsView.as_view(), name="my-feeds"),
    path("manage/feeds/", views_calendar.ManagedFeedsView.as_view(), name="feeds"),
    path("manage/calendars/", views_calendar.CalendarIndexView.as_view(), name="calendars"),
    path("manage/spaces/<int:pk>/calendar/", views_calendar.SpaceCalendarView.as_view(), name="space-calendar"),
    path("manage/schools/<int:pk>/calendar/", views_calendar.SchoolCalendarView.as_view(), name="school-calendar"),
]
