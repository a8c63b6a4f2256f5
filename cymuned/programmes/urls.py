from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.PublicProgrammeListView.as_view(), name="public-list"),
    path("<int:pk>/", views.PublicProgrammeDetailView.as_view(), name="public-detail"),
    path("<int:pk>/sign-up/", views.PublicSignUpView.as_view(), name="public-sign-up"),
    path("<int:pk>/signed-up/", views.PublicSignedUpView.as_view(), name="public-signed-up"),
    path("manage/", views.ManageListView.as_view(), name="manage-list"),
    path("manage/new/", views.ProgrammeCreateView.as_view(), name="create"),
    path("manage/<int:pk>/", views.ManageDetailView.as_view(), name="manage"),
    path("manage/<int:pk>/edit/", views.ProgrammeUpdateView.as_view(), name="update"),
    path("manage/<int:pk>/sessions/add/", views.ScheduleView.as_view(), name="schedule"),
    path("manage/<int:pk>/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/<slug:dataset>.<slug:fmt>", views.ReportExportView.as_view(), name="report-export"),
    path("sessions/<int:pk>/register/", views.RegisterView.as_view(), name="register"),
    path("enrolments/<int:pk>/", views.EnrolmentDetailView.as_view(), name="enrolment"),
    path("enrolments/<int:pk>/withdraw/", views.EnrolmentWithdrawView.as_view(), name="enrolment-withdraw"),
    path("enrolments/<int:pk>/complete/", views.EnrolmentCompleteView.as_view(), name="enrolment-complete"),
    path("enrolments/<int:pk>/achievements/add/", views.AchievementAddView.as_view(), name="achievement-add"),
    path("enrolments/<int:pk>/questionnaire/<slug:stage>/", views.ConfidenceView.as_view(), name="confidence"),
]
