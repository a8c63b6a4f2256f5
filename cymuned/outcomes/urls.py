from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
]
