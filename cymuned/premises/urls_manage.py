"""URLs of the premises manage pages (included by premises/urls.py, in the "premises" namespace).

Under /premises/manage/; .../spaces/<pk>/calendar/ and .../schools/<pk>/calendar/ belong to the calendar pages.
"""

from django.urls import path

from . import views_manage as v

urlpatterns: list = [
    path("manage/", v.ManageHomeView.as_view(), name="manage"),
    path("manage/spaces/new/", v.SpaceAddView.as_view(), name="manage-space-add"),
    path("manage/spaces/<int:pk>/", v.SpaceManageView.as_view(), name="manage-space"),
    path("manage/spaces/<int:pk>/edit/", v.SpaceEditView.as_view(), name="manage-space-edit"),
    path("manage/spaces/<int:pk>/opening-times/", v.WindowAddView.as_view(), name="manage-window-add"),
    path("manage/spaces/<int:pk>/prices/", v.RateView.as_view(), name="manage-rates"),
    path("manage/spaces/<int:pk>/unavailable/", v.SpaceBlockView.as_view(), name="manage-space-block"),
    path("manage/opening-times/<int:pk>/remove/", v.WindowRemoveView.as_view(), name="manage-window-remove"),
    path("manage/prices/<int:pk>/remove/", v.RateRemoveView.as_view(), name="manage-rate-remove"),
    path("manage/unavailable/<int:pk>/remove/", v.BlockRemoveView.as_view(), name="manage-block-remove"),
    path("manage/caretaker-cover/", v.CaretakerCoverView.as_view(), name="manage-cover"),
    path("manage/caretaker-cover/<int:pk>/remove/", v.CoverRemoveView.as_view(), name="manage-cover-remove"),
    path("manage/closures/", v.ClosuresView.as_view(), name="manage-closures"),
    path("manage/costs/", v.CostSettingsView.as_view(), name="manage-costs"),
    path("manage/terms/", v.TermListView.as_view(), name="manage-terms"),
    path("manage/terms/<int:pk>/", v.TermEditView.as_view(), name="manage-term"),
    path("manage/terms/<int:pk>/remove/", v.TermRemoveView.as_view(), name="manage-term-remove"),
    path("manage/capital-projects/", v.CapitalProjectListView.as_view(), name="manage-capital"),
    path("manage/capital-projects/new/", v.CapitalProjectAddView.as_view(), name="manage-capital-add"),
    path("manage/capital-projects/<int:pk>/", v.CapitalProjectEditView.as_view(), name="manage-capital-edit"),
]
