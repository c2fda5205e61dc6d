"""The team and its accounts in the admin: each save goes through `clinics.services.team`, which
checks the right again and writes the access log.

An application manager sees her clinics' staff rows and users (`team_rights`), creates a
user of her clinic with a role, changes roles other than her own, and deactivates accounts;
she does not delete accounts, set passwords of existing accounts, or appoint application
managers. A superuser does all of that (and appoints application managers).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mammapoli.audit.models import Action
from mammapoli.core.admin_access import ClinicScopedAdmin, DeletionSummaryMixin, SuperuserOnlyMixin

from .models import ApplicationManager, Clinic, Role, StaffMember
from .services.team import (
    account_activity_record,
    account_create,
    account_delete,
    account_flags,
    account_update,
    application_manager_appoint,
    application_manager_dismiss,
    staff_member_grant,
    staff_member_remove,
    staff_member_role_change,
    team_change_refused_record,
)
from .team_rights import clinics_managed_by, is_superuser, manageable_users, manages_a_clinic, may_manage_user

User = get_user_model()


def _scoped_form(form_class, request):
    """The form with its clinic and user choices limited to what `request.user` manages
    (per form instance: the class's fields are shared between requests)."""
    clinics = clinics_managed_by(request.user)
    users = manageable_users(request.user)

    class Scoped(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "clinic" in self.fields:
                self.fields["clinic"].queryset = clinics
            if "user" in self.fields:
                self.fields["user"].queryset = users

    Scoped.__name__ = form_class.__name__
    return Scoped


class SavedByServicesMixin:
    """Rows saved and deleted through the services (which check the right and log), never by
    the admin's own ORM calls; bulk deletion too, row by row, all or nothing.

    A refused attempt to save or delete (403) is logged too, once the attempt's transaction
    is rolled back: `refused` names the access-log action of each view.
    """

    refused = {"add": Action.ROLE_GRANT, "change": Action.ROLE_CHANGE, "delete": Action.ROLE_REVOKE}
    refused_what = "staff member"

    def _logging_refusal(self, view: str, request, object_id, call):
        try:
            return call()
        except PermissionDenied:
            if request.method == "POST":
                team_change_refused_record(actor=request.user, action=self.refused[view], what=self.refused_what,
                                           detail=f"refused in the admin: {view} {object_id or 'new'}")
            raise

    def add_view(self, request, form_url="", extra_context=None):
        return self._logging_refusal("add", request, None,
                                     lambda: super(SavedByServicesMixin, self).add_view(request, form_url, extra_context))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._logging_refusal("change", request, object_id, lambda: super(
            SavedByServicesMixin, self).change_view(request, object_id, form_url, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        return self._logging_refusal("delete", request, object_id, lambda: super(
            SavedByServicesMixin, self).delete_view(request, object_id, extra_context))

    def create_row(self, request, obj):
        raise NotImplementedError

    def change_row(self, request, obj):
        raise NotImplementedError

    def delete_row(self, request, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            self.change_row(request, obj)
            return
        created = self.create_row(request, obj)
        obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request, obj):
        self.delete_row(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_row(request, obj)


@admin.register(StaffMember)
class StaffMemberAdmin(SavedByServicesMixin, ClinicScopedAdmin):
    list_display = ["user", "clinic", "role"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "clinic"]

    def get_readonly_fields(self, request, obj=None):
        return ["clinic", "user"] if obj is not None else []

    def _not_own(self, request, obj) -> bool:
        return obj is None or obj.user_id != request.user.pk

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._not_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._not_own(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        return _scoped_form(super().get_form(request, obj, **kwargs), request)

    def create_row(self, request, obj):
        return staff_member_grant(actor=request.user, clinic=obj.clinic, user=obj.user, role=obj.role)

    def change_row(self, request, obj):
        staff_member_role_change(actor=request.user, member_id=obj.pk, role=obj.role)

    def delete_row(self, request, obj):
        staff_member_remove(actor=request.user, member_id=obj.pk)


@admin.register(ApplicationManager)
class ApplicationManagerAdmin(SavedByServicesMixin, SuperuserOnlyMixin, admin.ModelAdmin):
    """Appointed and dismissed (never edited) by a superuser; each is logged."""

    refused_what = "application manager"

    list_display = ["user", "clinic"]
    list_filter = ["clinic"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def create_row(self, request, obj):
        return application_manager_appoint(actor=request.user, clinic=obj.clinic, user=obj.user)

    def delete_row(self, request, obj):
        application_manager_dismiss(actor=request.user, appointment_id=obj.pk)


class AccountCreationForm(UserCreationForm):
    """A new user of the manager's clinic, with her role there."""

    clinic = forms.ModelChoiceField(label=_("clinic"), queryset=Clinic.objects.none())
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email"]


class AccountChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "is_active"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(SavedByServicesMixin, DeletionSummaryMixin, DjangoUserAdmin):
    """Superusers: Django's user admin. Application managers: their clinics' users only."""

    refused = {"add": Action.ACCOUNT_CREATE, "change": Action.ACCOUNT_DEACTIVATE, "delete": Action.ACCOUNT_DELETE,
               "password": Action.WRITE}
    refused_what = "account"

    manager_add_fieldsets = ((None, {"classes": ("wide",), "fields": (
        "username", "first_name", "last_name", "email", "clinic", "role", "password1", "password2")}),)
    manager_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=manageable_users(request.user).values("pk"))

    def has_module_permission(self, request):
        return manages_a_clinic(request.user)

    def has_view_permission(self, request, obj=None):
        return manages_a_clinic(request.user) and (obj is None or may_manage_user(request.user, obj.pk))

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return manages_a_clinic(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_superuser(request.user)  # an application manager deactivates instead

    def get_list_filter(self, request):
        return super().get_list_filter(request) if is_superuser(request.user) else ["is_active"]

    def get_list_display(self, request):
        if is_superuser(request.user):
            return super().get_list_display(request)
        return ["username", "first_name", "last_name", "email", "is_active"]

    def get_fieldsets(self, request, obj=None):
        if is_superuser(request.user):
            return super().get_fieldsets(request, obj)
        return self.manager_add_fieldsets if obj is None else self.manager_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if is_superuser(request.user) or obj is None else ["username"]

    def get_form(self, request, obj=None, **kwargs):
        if not is_superuser(request.user):
            kwargs["form"] = AccountCreationForm if obj is None else AccountChangeForm
        return _scoped_form(super().get_form(request, obj, **kwargs), request)

    def user_change_password(self, request, id, form_url=""):
        def change():
            if not is_superuser(request.user):
                raise PermissionDenied  # else a manager could take over a surgeon's account
            return super(UserAdmin, self).user_change_password(request, id, form_url)

        return self._logging_refusal("password", request, id, change)

    def save_model(self, request, obj, form, change):  # its own: a superuser saves through Django's forms
        data = form.cleaned_data
        if is_superuser(request.user):
            before = account_flags(obj.pk) if change else None
            DjangoUserAdmin.save_model(self, request, obj, form, change)  # past the services mixin
            account_activity_record(actor=request.user, user=obj, before=before)
        elif change:
            account_update(actor=request.user, user_id=obj.pk, first_name=data["first_name"],
                           last_name=data["last_name"], email=data["email"], is_active=data["is_active"])
        else:
            user = account_create(actor=request.user, clinic=data["clinic"], role=data["role"],
                                  username=data["username"], first_name=data["first_name"],
                                  last_name=data["last_name"], email=data["email"], password=data["password1"])
            obj.pk, obj._state.adding = user.pk, False


    def delete_row(self, request, obj):
        account_delete(actor=request.user, user_id=obj.pk)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyMixin, DjangoGroupAdmin):
    """Django's groups grant nothing in Mammapoli's admin (see `core.admin_access`)."""
