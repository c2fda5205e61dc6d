"""The clinic's master data in the admin, for its application managers (scoped to their
clinics) and superusers. The team and accounts are in `admin_team`."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from mammapoli.clinics.team_rights import is_superuser
from mammapoli.core.admin_access import ClinicScopedAdmin, ClinicScopedInlineMixin, ClinicScopedMixin
from mammapoli.planning.admin_versions import MorningsChangedAdmin

from .models import (
    AvailabilityException,
    Clinic,
    ClinicUncertainty,
    Pathway,
    PathwayStep,
    Resource,
    ResourceKind,
    StepNeed,
    StepPrecedence,
    StepSameAs,
    StepVariation,
    WeeklyAvailability,
)


class ResourceKindInline(ClinicScopedInlineMixin, TranslationTabularInline):
    model = ResourceKind
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(MorningsChangedAdmin, ClinicScopedAdmin):
    """An application manager edits her clinic's title and hours; a superuser adds clinics.
    The team is managed on its own page (staff members), where each change is logged."""

    clinic_path = "pk"
    superuser_adds = True
    list_display = ["name", "title", "default_start", "default_end"]
    search_fields = ["name", "title"]
    inlines = [ResourceKindInline]

    def get_readonly_fields(self, request, obj=None):
        return [] if is_superuser(request.user) else ["name"]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.pk}



@admin.register(ResourceKind)
class ResourceKindAdmin(ClinicScopedMixin, TranslationAdmin):
    list_display = ["code", "name", "category", "clinic"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "category"]
    search_fields = ["code", "name"]


class WeeklyAvailabilityInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


class AvailabilityExceptionInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = AvailabilityException
    extra = 0
    ordering = ["-date", "start"]


@admin.register(Resource)
class ResourceAdmin(MorningsChangedAdmin, ClinicScopedAdmin):
    list_display = ["code", "name", "kind", "clinic", "staff_member", "active"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "kind__code", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["kind", "clinic", "staff_member__user"]
    inlines = [WeeklyAvailabilityInline, AvailabilityExceptionInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.clinic_id}


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(MorningsChangedAdmin, ClinicScopedAdmin):
    clinic_path = "resource__clinic"
    list_display = ["resource", "date", "start", "end", "kind", "reason"]
    list_filter = ["kind", ("resource__clinic", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "date"

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.resource.clinic_id}


class PathwayStepInline(ClinicScopedInlineMixin, TranslationTabularInline):
    model = PathwayStep
    extra = 0
    show_change_link = True
    fields = ["position", "code", "name", "short_name", "duration"]


@admin.register(Pathway)
class PathwayAdmin(MorningsChangedAdmin, ClinicScopedMixin, TranslationAdmin):
    list_display = ["code", "name", "clinic", "active"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "active"]
    search_fields = ["code", "name"]
    inlines = [PathwayStepInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.clinic_id}


class StepNeedInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = StepNeed
    extra = 0


class StepPrecedenceInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = StepPrecedence
    fk_name = "step"
    extra = 0
    verbose_name = _("comes after")
    verbose_name_plural = _("comes after")


class StepSameAsInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = StepSameAs
    fk_name = "step"
    extra = 0


@admin.register(PathwayStep)
class PathwayStepAdmin(MorningsChangedAdmin, ClinicScopedMixin, TranslationAdmin):
    clinic_path = "pathway__clinic"
    list_display = ["__str__", "name", "duration", "position"]
    list_filter = [("pathway__clinic", admin.RelatedOnlyFieldListFilter), ("pathway", admin.RelatedOnlyFieldListFilter)]
    inlines = [StepNeedInline, StepPrecedenceInline, StepSameAsInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.pathway.clinic_id}


class StepVariationInline(ClinicScopedInlineMixin, admin.TabularInline):
    model = StepVariation
    extra = 0


@admin.register(ClinicUncertainty)
class ClinicUncertaintyAdmin(MorningsChangedAdmin, ClinicScopedMixin, admin.ModelAdmin):
    """How the clinic's mornings vary; `manage.py estimate_uncertainty` measures it."""

    clinic_path = "clinic"
    list_display = ["clinic", "duration_cv", "no_show", "punctuality_sd", "overtime_p90"]
    list_select_related = ["clinic"]
    inlines = [StepVariationInline]

    def changed(self, obj) -> dict:
        return {"clinic_id": obj.clinic_id}


from . import admin_team  # noqa: E402,F401 (registers the team and account admins)
