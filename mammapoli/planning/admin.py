from django.contrib import admin

from .admin_versions import MorningsChangedAdmin
from .models import ClinicSession, Plan, PlanJob, ResourceBooking, Visit, VisitStep, VisitStepResource


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    fields = ["code", "patient", "pathway", "status", "priority", "earliest", "latest"]
    autocomplete_fields = ["patient"]
    show_change_link = True


@admin.register(ClinicSession)
class ClinicSessionAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["clinic", "date", "start", "end", "state_at"]
    list_filter = ["clinic"]
    date_hierarchy = "date"
    inlines = [VisitInline]

    def changed(self, obj) -> dict:
        return {"session_id": obj.pk}


class VisitStepInline(admin.TabularInline):
    model = VisitStep
    extra = 0
    fields = ["step", "extra_minutes", "planned_start", "planned_end", "actual_start", "actual_end"]
    show_change_link = True


@admin.register(Visit)
class VisitAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["code", "session", "patient", "pathway", "status", "priority"]
    list_filter = ["session__clinic", "status", "pathway__code"]
    search_fields = ["code", "patient__hospital_number", "patient__family_name"]
    autocomplete_fields = ["patient", "referral"]
    list_select_related = ["session__clinic", "patient", "pathway"]
    inlines = [VisitStepInline]

    def changed(self, obj) -> dict:
        return {"session_id": obj.session_id}


class VisitStepResourceInline(admin.TabularInline):
    model = VisitStepResource
    extra = 0


@admin.register(VisitStep)
class VisitStepAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "planned_start", "planned_end", "actual_start", "actual_end"]
    list_filter = ["visit__session__clinic"]
    inlines = [VisitStepResourceInline]

    def changed(self, obj) -> dict:
        return {"session_id": obj.visit.session_id}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the planning services only; the admin shows them."""

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
