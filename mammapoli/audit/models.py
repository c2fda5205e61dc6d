"""The access log (NEN 7513): who did what with which patient's data, when, from where.

Append-only. The model refuses updates and deletes; on PostgreSQL triggers refuse them in
the database too (migration 0002), so not even raw SQL from the application can rewrite
history. Rows keep plain ids and a copy of the username, without foreign-key constraints,
so that nothing elsewhere can cascade into the log.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The access log cannot be changed."""


class Action(models.TextChoices):
    READ = "read", _("read")
    SEARCH = "search", _("search")
    LIST = "list", _("list")
    PRINT = "print", _("print")
    EXPORT = "export", _("export")
    WRITE = "write", _("write")
    # Who may do what: a role given, changed or taken away; an account created or (de)activated.
    ROLE_GRANT = "role_grant", _("role granted")
    ROLE_CHANGE = "role_change", _("role changed")
    ROLE_REVOKE = "role_revoke", _("role removed")
    ACCOUNT_CREATE = "account_create", _("account created")
    ACCOUNT_DEACTIVATE = "account_deactivate", _("account deactivated")
    ACCOUNT_REACTIVATE = "account_reactivate", _("account reactivated")
    ACCOUNT_DELETE = "account_delete", _("account deleted")
    # Logging in and out (NEN 7513: failed logins too), with no patient concerned.
    LOGIN = "login", _("log in")
    LOGOUT = "logout", _("log out")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    DENIED = "denied", _("refused")


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the access log is append-only")

    def delete(self):
        raise AppendOnlyError("the access log is append-only")


class AccessEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=20, blank=True)
    clinic_id = models.BigIntegerField(_("clinic"), null=True)
    patient = models.ForeignKey(
        "records.Patient", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+",
        verbose_name=_("patient"),
    )
    visit_id = models.BigIntegerField(_("visit"), null=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    what = models.CharField(_("what"), max_length=100, help_text=_("e.g. visit, form, form section imaging"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "at"], name="accessevent_patient_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.what} ({self.outcome})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the access log is append-only")
