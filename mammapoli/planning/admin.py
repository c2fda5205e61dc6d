"""Planning rows in the admin, for superusers only. Visits and their steps are patient data
and are not in the admin: they are read through the pages that log each read."""

from django.contrib import admin

from mammapoli.core.admin_access import SuperuserOnlyAdmin

from .admin_versions import MorningsChangedAdmin
from .models import ClinicSession, Plan, PlanJob, ResourceBooking


@admin.register(ClinicSession)
class ClinicSessionAdmin(MorningsChangedAdmin, SuperuserOnlyAdmin):
    list_display = ["clinic", "date", "start", "end", "state_at"]
    list_filter = ["clinic"]
    date_hierarchy = "date"

    def changed(self, obj) -> dict:
        return {"session_id": obj.pk}


class ReadOnlyAdmin(SuperuserOnlyAdmin):
    """Written by the planning services only; the admin shows them (by visit code, not patient)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlanJob)
class PlanJobAdmin(ReadOnlyAdmin):
    list_display = ["session", "trigger", "trigger_detail", "status", "created_at", "finished_at"]
    list_filter = ["status", "trigger", "session__clinic"]
    exclude = ["morning"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["session", "status", "solver_status", "scheduled", "total_stay", "created_at", "published_at"]
    list_filter = ["status", "session__clinic"]
    exclude = ["data"]


@admin.register(ResourceBooking)
class ResourceBookingAdmin(ReadOnlyAdmin):
    list_display = ["resource", "start", "end", "visit_step", "session"]
    list_filter = ["session__clinic", "resource__kind"]
    list_select_related = ["resource", "visit_step__visit", "visit_step__step", "session__clinic"]
