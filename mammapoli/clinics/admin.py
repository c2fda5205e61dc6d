from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    AvailabilityException,
    Clinic,
    ClinicUncertainty,
    Pathway,
    PathwayStep,
    Resource,
    ResourceKind,
    StaffMember,
    StepNeed,
    StepPrecedence,
    StepSameAs,
    StepVariation,
    WeeklyAvailability,
)


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    extra = 0
    autocomplete_fields = ["user"]


class ResourceKindInline(TranslationTabularInline):
    model = ResourceKind
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "default_start", "default_end"]
    search_fields = ["name", "title"]
    inlines = [ResourceKindInline, StaffMemberInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role"]
    list_filter = ["clinic", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


@admin.register(ResourceKind)
class ResourceKindAdmin(TranslationAdmin):
    list_display = ["code", "name", "category", "clinic"]
    list_filter = ["clinic", "category"]
    search_fields = ["code", "name"]


class WeeklyAvailabilityInline(admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0
    ordering = ["-date", "start"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "clinic", "staff_member", "active"]
    list_filter = ["clinic", "kind__code", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["kind", "clinic", "staff_member__user"]
    inlines = [WeeklyAvailabilityInline, AvailabilityExceptionInline]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["resource", "date", "start", "end", "kind", "reason"]
    list_filter = ["kind", "resource__clinic"]
    date_hierarchy = "date"


class PathwayStepInline(TranslationTabularInline):
    model = PathwayStep
    extra = 0
    show_change_link = True
    fields = ["position", "code", "name", "short_name", "duration"]


@admin.register(Pathway)
class PathwayAdmin(TranslationAdmin):
    list_display = ["code", "name", "clinic", "active"]
    list_filter = ["clinic", "active"]
    search_fields = ["code", "name"]
    inlines = [PathwayStepInline]


class StepNeedInline(admin.TabularInline):
    model = StepNeed
    extra = 0


class StepPrecedenceInline(admin.TabularInline):
    model = StepPrecedence
    fk_name = "step"
    extra = 0
    verbose_name = _("comes after")
    verbose_name_plural = _("comes after")


class StepSameAsInline(admin.TabularInline):
    model = StepSameAs
    fk_name = "step"
    extra = 0


@admin.register(PathwayStep)
class PathwayStepAdmin(TranslationAdmin):
    list_display = ["__str__", "name", "duration", "position"]
    list_filter = ["pathway__clinic", "pathway"]
    inlines = [StepNeedInline, StepPrecedenceInline, StepSameAsInline]


class StepVariationInline(admin.TabularInline):
    model = StepVariation
    extra = 0


@admin.register(ClinicUncertainty)
class ClinicUncertaintyAdmin(admin.ModelAdmin):
    """How the clinic's mornings vary; `manage.py estimate_uncertainty` measures it."""

    list_display = ["clinic", "duration_cv", "no_show", "punctuality_sd", "overtime_p90"]
    list_select_related = ["clinic"]
    inlines = [StepVariationInline]
