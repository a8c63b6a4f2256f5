from django.contrib import admin

from .models import Cluster, LocalAuthority, Organisation, Partner, School


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_cy", "code"]
    search_fields = ["name_en", "name_cy", "code"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_cy", "local_authority"]
    list_filter = ["local_authority"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name_en", "school_number", "cluster", "phase", "language_medium", "efsm_percentage"]
    list_filter = ["phase", "language_medium", "cluster"]
    search_fields = ["name_en", "name_cy", "school_number"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name_en", "partner_type", "local_authority"]
    list_filter = ["partner_type"]
    search_fields = ["name_en", "name_cy"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_en", "kind", "local_authority"]
    search_fields = ["name_en", "name_cy"]
