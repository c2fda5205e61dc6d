"""Who sees what in the admin: superusers everything registered, application managers their
own clinics' team and master data, everyone else nothing.

Django's model permissions (groups) grant nothing here: every registered admin derives from
one of these classes, and they decide by superuser status or by the clinics a user manages
(`clinics.team_rights`). Patient data is not in the admin at all: it is read only through
the pages that log each read (see tests/clinics/test_admin.py, which walks every admin page).
"""

from collections import Counter

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.db.models import QuerySet
from django.utils.text import capfirst

from mammapoli.clinics.models import Clinic, Pathway, PathwayStep, Resource, ResourceKind, StaffMember
from mammapoli.clinics.team_rights import clinics_managed_by, is_superuser, manages_a_clinic

#: How to reach the clinic from a row of each clinic-owned model (for foreign-key choices).
CLINIC_OF = {
    Clinic: "pk", ResourceKind: "clinic", Resource: "clinic", StaffMember: "clinic", Pathway: "clinic",
    PathwayStep: "pathway__clinic",
}


class DeletionSummaryMixin:
    """The delete confirmation names the rows chosen and only counts what goes with them or
    stands in the way.

    Django's own names every such row: deleting a clinic would name its referrals, and so
    its patients, on a page that logs nothing.
    """

    def get_deleted_objects(self, objs, request):
        _, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            collector = NestedObjects(using=router.db_for_write(self.model))
            collector.collect(objs)
            counts = Counter(type(row)._meta.verbose_name_plural for row in collector.protected)
            protected = [f"{capfirst(str(name))}: {count}" for name, count in sorted(counts.items())]
        return [str(obj) for obj in objs], model_count, perms_needed, protected


class SuperuserOnlyMixin(DeletionSummaryMixin):
    """Global admin: superusers only (on top of whatever the admin class itself allows)."""

    def has_module_permission(self, request):
        return is_superuser(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_superuser(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_superuser(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_superuser(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user) and super().has_delete_permission(request, obj)


class SuperuserOnlyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    pass


def _limit_to_managed(request, db_field, kwargs: dict) -> dict:
    path = CLINIC_OF.get(db_field.related_model)
    if path is not None and not is_superuser(request.user):
        base = kwargs.get("queryset", db_field.related_model._default_manager.all())
        kwargs["queryset"] = base.filter(**{f"{path}__in": clinics_managed_by(request.user)})
    return kwargs


class ClinicScopedMixin(DeletionSummaryMixin):
    """A clinic's own rows, for a superuser or an application manager of that clinic.

    `clinic_path` reaches the row's clinic; foreign keys to clinic-owned rows offer only the
    managed clinics' rows, so a form cannot point into another clinic either.
    """

    clinic_path = "clinic"
    #: The row's clinic may be changed by a superuser only (e.g. a clinic itself is added by one).
    superuser_adds = False

    def _managed(self, request) -> QuerySet[Clinic]:
        return clinics_managed_by(request.user)

    def _in_scope(self, request, obj) -> bool:
        if obj is None or is_superuser(request.user):
            return True
        model = type(obj)
        return model._default_manager.filter(pk=obj.pk, **{f"{self.clinic_path}__in": self._managed(request)}).exists()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        return queryset.filter(**{f"{self.clinic_path}__in": self._managed(request)})

    def has_module_permission(self, request):
        return manages_a_clinic(request.user)

    def has_view_permission(self, request, obj=None):
        return manages_a_clinic(request.user) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return manages_a_clinic(request.user) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self.superuser_adds:
            return is_superuser(request.user)
        return manages_a_clinic(request.user) and self._in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return is_superuser(request.user) if self.superuser_adds else manages_a_clinic(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_limit_to_managed(request, db_field, kwargs))


class ClinicScopedAdmin(ClinicScopedMixin, admin.ModelAdmin):
    pass


class ClinicScopedInlineMixin:
    """An inline of a clinic-scoped admin: the parent row is already checked; its own foreign
    keys offer only the managed clinics' rows."""

    def has_view_permission(self, request, obj=None):
        return manages_a_clinic(request.user)

    def has_add_permission(self, request, obj=None):
        return manages_a_clinic(request.user)

    def has_change_permission(self, request, obj=None):
        return manages_a_clinic(request.user)

    def has_delete_permission(self, request, obj=None):
        return manages_a_clinic(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_limit_to_managed(request, db_field, kwargs))
