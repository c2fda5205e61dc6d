from django.contrib import admin

from .models import ClinicSession, Visit, VisitStep, VisitStepResource


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0
    fields = ["code", "patient", "pathway", "status", "priority", "earliest", "latest"]
    autocomplete_fields = ["patient"]
    show_change_link = True


@admin.register(ClinicSession)
class ClinicSessionAdmin(admin.ModelAdmin):
    list_display = ["clinic", "date", "start", "end", "state_at"]
    list_filter = ["clinic"]
    date_hierarchy = "date"
    inlines = [VisitInline]


class VisitStepInline(admin.TabularInline):
    model = VisitStep
    extra = 0
    fields = ["step", "extra_minutes", "planned_start", "planned_end", "actual_start", "actual_end"]
    show_change_link = True


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["code", "session", "patient", "pathway", "status", "priority"]
    list_filter = ["session__clinic", "status", "pathway__code"]
    search_fields = ["code", "patient__hospital_number", "patient__family_name"]
    autocomplete_fields = ["patient", "referral"]
    list_select_related = ["session__clinic", "patient", "pathway"]
    inlines = [VisitStepInline]


class VisitStepResourceInline(admin.TabularInline):
    model = VisitStepResource
    extra = 0


@admin.register(VisitStep)
class VisitStepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "planned_start", "planned_end", "actual_start", "actual_end"]
    list_filter = ["visit__session__clinic"]
    inlines = [VisitStepResourceInline]
