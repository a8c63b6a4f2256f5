from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("learners/", views.LearnerListView.as_view(), name="learner-list"),
    path("learners/<int:pk>/", views.LearnerDetailView.as_view(), name="learner-detail"),
]
