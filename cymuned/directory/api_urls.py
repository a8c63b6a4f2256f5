"""The Open Referral UK read API, mounted at /api/oruk/ (outside the language prefix)."""

from django.urls import path

from . import api

app_name = "oruk"
urlpatterns = [
    path("", api.RootView.as_view(), name="root"),
    path("services", api.ServiceListView.as_view(), name="service-list"),
    path("services/<uuid:pk>", api.ServiceDetailView.as_view(), name="service-detail"),
    path("taxonomies", api.TaxonomyListView.as_view(), name="taxonomy-list"),
    path("taxonomies/<uuid:pk>", api.TaxonomyDetailView.as_view(), name="taxonomy-detail"),
    path("taxonomy_terms", api.TaxonomyTermListView.as_view(), name="taxonomy-term-list"),
    path("taxonomy_terms/<uuid:pk>", api.TaxonomyTermDetailView.as_view(), name="taxonomy-term-detail"),
]
