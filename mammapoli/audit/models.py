"""The access log (NEN 7513): who did what with which patient's data, when, from where.

Append-only. The model refuses updates and deletes; on PostgreSQL triggers refuse them in
the database too (migrations 0002 and 0003), so not even raw SQL from the application can
rewrite history, and the application's database role cannot switch the triggers off (it
owns no table; README "Database roles"). Rows keep plain ids and a copy of the username,
without foreign-key constraints, so that nothing elsewhere can cascade into the log.

One exception keeps the log reviewable: the same user reading the same patient on the same
page again within `REPEAT_WINDOW` of a row's first time (a board refreshing every 30 s) adds
to that row's `count` and moves its `last_at`, instead of writing an identical row. Nothing
else of a row ever changes, the count only grows and `last_at` stays inside the window; the
PostgreSQL trigger allows exactly that update. Writes, exports and refusals are never
merged: each is a row of its own.

Retention: at least five years (NEN 7513 with the WGBO's record-keeping). Rows are never
deleted by the application; removing rows older than the retention period is a database
administrator's job under the owner role (README "Access log").
"""

import datetime as dt


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


# A repeated read within this time of a row's first read adds to that row (see above). The
# PostgreSQL trigger (migration 0003) holds the same 15 minutes: change both together.
REPEAT_WINDOW = dt.timedelta(minutes=15)
REPEATABLE_ACTIONS = frozenset({"read", "list", "search"})

# How long the log is kept, at least (documented in README "Access log").
RETENTION_YEARS = 5


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the access log is append-only")

    def delete(self):
        raise AppendOnlyError("the access log is append-only")

    def add_repeats(self, times: int, at: dt.datetime) -> int:
        """The one change a row allows: `times` more of the same read, the last at `at` (within
        REPEAT_WINDOW of the row's first). The PostgreSQL trigger refuses anything else."""
        if times < 1:
            raise AppendOnlyError("a repeat adds at least one read")
        return models.QuerySet.update(self.filter(at__gt=at - REPEAT_WINDOW, last_at__lte=at),
                                      count=models.F("count") + times, last_at=at)


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
    count = models.PositiveIntegerField(_("times"), default=1,
                                        help_text=_("the same read repeated within 15 minutes of the first"))
    last_at = models.DateTimeField(_("last time"))

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
        if self.last_at is None:
            self.last_at = self.at
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the access log is append-only")
