"""The admin's edits count as changes of the mornings they touch (`services.versions`): an
edit of a clinic's resources, hours or pathways, or of a morning's visits by hand, makes the
open proposals of those mornings stale, as a booking does."""

from django.db import transaction


class MorningsChangedAdmin:
    """A ModelAdmin mixin; `changed(obj)` names the clinic (`clinic_id`) or the morning
    (`session_id`) that `obj` belongs to."""

    def changed(self, obj) -> dict:
        raise NotImplementedError

    def _bump(self, where: dict) -> None:
        from .services.versions import clinic_mornings_changed, sessions_changed

        if "clinic_id" in where:
            clinic_mornings_changed(clinic_id=where["clinic_id"])
        else:
            sessions_changed(session_ids=[where["session_id"]])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # after save_model, with the inlines
        self._bump(self.changed(form.instance))

    def delete_model(self, request, obj):
        where = self.changed(obj)
        with transaction.atomic():
            super().delete_model(request, obj)
            self._bump(where)

    def delete_queryset(self, request, queryset):
        touched = [self.changed(obj) for obj in queryset]
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for where in {tuple(w.items()) for w in touched}:
                self._bump(dict(where))
