from django.urls import include, path
from rest_framework.routers import APIRootView, DefaultRouter

from cymuned.access.views import Public
from cymuned.funding import api as funding_api
from cymuned.governance import api as governance_api
from cymuned.hub import api as hub_api
from cymuned.outcomes import api as outcomes_api
from cymuned.outcomes.impact_api import ImpactViewSet
from cymuned.premises import api as premises_api
from cymuned.programmes import api as programmes_api
from cymuned.strategy import api as strategy_api

from . import docs, views


class ApiRootView(APIRootView):
    access = Public("The API root lists the endpoints; each endpoint checks access itself.")


router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("ratings", views.RatingViewSet, basename="rating")
router.register("actions", views.PlanActionViewSet, basename="action")
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("carers", views.CarerViewSet, basename="carer")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("consents", views.ConsentViewSet, basename="consent")
router.register("episodes", views.EpisodeViewSet, basename="episode")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("attendance-summaries", views.AttendanceSummaryViewSet, basename="attendance-summary")
router.register("impact", ImpactViewSet, basename="impact")
router.register("outcome-figures", outcomes_api.OutcomeFiguresViewSet, basename="outcome-figures")
router.register("programmes", programmes_api.ProgrammeViewSet, basename="programme")
router.register("programme-sessions", programmes_api.SessionViewSet, basename="programme-session")
router.register("enrolments", programmes_api.EnrolmentViewSet, basename="enrolment")
router.register("programme-attendances", programmes_api.AttendanceViewSet, basename="programme-attendance")
router.register("achievements", programmes_api.AchievementViewSet, basename="achievement")
router.register("confidence-responses", programmes_api.ConfidenceResponseViewSet, basename="confidence-response")
router.register("spaces", premises_api.SpaceViewSet, basename="space")
router.register("space-availability", premises_api.AvailabilityViewSet, basename="space-availability")
router.register("bookings", premises_api.BookingViewSet, basename="booking")
router.register("booking-requests", premises_api.BookingRequestViewSet, basename="booking-request")
router.register("hirers", premises_api.HirerViewSet, basename="hirer")
router.register("invoices", premises_api.InvoiceViewSet, basename="invoice")
router.register("strategic-plans", strategy_api.StrategicPlanViewSet, basename="strategic-plan")
router.register("plan-versions", strategy_api.PlanVersionViewSet, basename="plan-version")
router.register("plan-actions", strategy_api.PlanActionViewSet, basename="plan-action")
router.register("questionnaires", strategy_api.QuestionnaireViewSet, basename="questionnaire")
router.register("funding-streams", funding_api.FundingStreamViewSet, basename="funding-stream")
router.register("awards", funding_api.AwardViewSet, basename="award")
router.register("allocations", funding_api.AllocationViewSet, basename="allocation")
router.register("spend", funding_api.SpendViewSet, basename="spend")
router.register("claims", funding_api.ClaimViewSet, basename="claim")
router.register("mous", governance_api.MemorandumViewSet, basename="mou")
router.register("referrals", hub_api.ReferralViewSet, basename="referral")

app_name = "api"
urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("", include(router.urls)),
]
