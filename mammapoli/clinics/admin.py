from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from mammapoli.planning.admin_versions import MorningsChangedAdmin

from .models import (
    AvailabilityException,
    Clinic,
    Pathway,
    PathwayStep,
    Resource,
    ResourceKind,
    StaffMember,
    StepNeed,
    StepPrecedence,
    StepSameAs,
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
class ClinicAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["name", "title", "default_start", "default_end"]
    search_fields = ["name", "title"]
    inlines = [ResourceKindInline, StaffMemberInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.pk}


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
class ResourceAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "clinic", "staff_member", "active"]
    list_filter = ["clinic", "kind__code", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["kind", "clinic", "staff_member__user"]
    inlines = [WeeklyAvailabilityInline, AvailabilityExceptionInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.clinic_id}


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(MorningsChangedAdmin, admin.ModelAdmin):
    list_display = ["resource", "date", "start", "end", "kind", "reason"]
    list_filter = ["kind", "resource__clinic"]
    date_hierarchy = "date"

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.resource.clinic_id}


class PathwayStepInline(TranslationTabularInline):
    model = PathwayStep
    extra = 0
    show_change_link = True
    fields = ["position", "code", "name", "short_name", "duration"]


@admin.register(Pathway)
class PathwayAdmin(MorningsChangedAdmin, TranslationAdmin):
    list_display = ["code", "name", "clinic", "active"]
    list_filter = ["clinic", "active"]
    search_fields = ["code", "name"]
    inlines = [PathwayStepInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.clinic_id}


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
class PathwayStepAdmin(MorningsChangedAdmin, TranslationAdmin):
    list_display = ["__str__", "name", "duration", "position"]
    list_filter = ["pathway__clinic", "pathway"]
    inlines = [StepNeedInline, StepPrecedenceInline, StepSameAsInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.pathway.clinic_id}
