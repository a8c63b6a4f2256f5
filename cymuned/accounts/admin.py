from django.contrib import admin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "preferred_language"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff"]
    exclude = ["password", "groups", "user_permissions"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "cluster", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__full_name"]
