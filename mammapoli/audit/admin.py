from django.contrib import admin

from .models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, and only superusers see it here (privacy officers
    have their own logged page)."""

    list_display = ["at", "last_at", "count", "username", "role", "action", "what", "patient_id", "outcome", "address"]
    list_filter = ["action", "outcome"]
    search_fields = ["username", "what"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
