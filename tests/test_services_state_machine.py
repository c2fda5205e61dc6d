"""A stateful property test over the services, on PostgreSQL: book, cancel a queued plan job,
record the day's events, plan, publish, edit form sections and read patient data in any
order hypothesis finds, with the invariants checked after every step:

- no resource is double-booked in the published plan;
- every plan keeps the fixed steps of the morning it was made for (and the independent
  validator passes it);
- each form section's history is exactly the writes that were made (refused writes leave none);
- the access log grows by exactly one row per read of patient data, allowed or refused,
  and never shrinks;
- no orphan rows: no plan without its job, no job that says it succeeded without its plan,
  no booking outside its visit's morning, no patient left behind by a refused booking.

Refused steps (a `ValidationError` naming the field, a conflict) must change nothing.
Bounded for CI: eight examples of fifteen steps, derandomized so a run is repeatable (about half a
minute on two cores).
"""

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import TestCase
from hypothesis import HealthCheck, event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from mammapoli.audit.models import AccessEvent
from mammapoli.planning.clock import aware
from mammapoli.planning.booking_search import booking_suggestion
from mammapoli.planning.errors import Conflict
from mammapoli.planning.models import (
    ClinicSession,
    Plan,
    PlanJob,
    PlanJobStatus,
    PlanStatus,
    ResourceBooking,
    Visit,
    VisitStatus,
    VisitStep,
    VisitStepResource,
)
from mammapoli.planning.services import events
from mammapoli.planning.services.booking import visit_book
from mammapoli.planning.services.jobs import plan_job_cancel, plan_job_start
from mammapoli.planning.services.plans import plan_publish
from mammapoli.records.errors import PatientDataForbidden, PatientDataNotFound
from mammapoli.records.errors import FormChangeRefused
from mammapoli.records.models import FormSection, Patient, SectionVersion
from mammapoli.records.patient_services import referral_intake
from mammapoli.records.selectors import form_for_user
from mammapoli.records.services import form_section_update, visit_form_ensure
from scheduler.check import check_plan
from tests.planning.conftest import plan_now, small_morning  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CLOCKS = [dt.time(hour, minute) for hour in range(8, 13) for minute in (0, 20, 40)]
#: The sections a test persona writes, and values each field may take (some refused by the schema).
FORM_EDITS = {
    "clinical": ("surgeon", {"p_score": [None, 1, 3, 5, 9], "history": ["", "Sinds 2 weken.", "Knobbel links."]}),
    "imaging": ("radiologist", {"m_score": [None, 1, 2, 4], "birads": [None, 1, 3, 7]}),
}
REFUSED = (ValidationError, Conflict, FormChangeRefused)
#: What the steps did, over all examples (so the test can show it explored the services).
OUTCOMES: Counter = Counter()


def _outcome(text: str) -> None:
    OUTCOMES[text] += 1
    event(text)


def _snapshot() -> tuple:
    """What a refused step must leave as it was (the access log aside: a refusal is logged)."""
    return (
        list(Visit.objects.order_by("pk").values_list("pk", "status")),
        list(VisitStep.objects.order_by("pk").values_list("pk", "actual_start", "actual_end", "planned_start")),
        list(PlanJob.objects.order_by("pk").values_list("pk", "status")),
        list(Plan.objects.order_by("pk").values_list("pk", "status")),
        ResourceBooking.objects.count(), SectionVersion.objects.count(), Patient.objects.count(),
        list(ClinicSession.objects.order_by("pk").values_list("pk", "state_at")),
    )


def reads_logged() -> int:
    """Every look and change the access log holds: a repeated read within its window is counted
    on the row it repeats (`AccessEvent.count`), not written again."""
    return AccessEvent.objects.aggregate(total=Sum("count"))["total"] or 0


class ServicesMachine(RuleBasedStateMachine):
    def __init__(self, session: ClinicSession, people: dict):
        super().__init__()
        self.session, self.people = session, people
        self.pathways = list(session.clinic.pathways.order_by("code"))
        # Each example starts from the fixtures' state and is rolled back at its end.
        self.example = transaction.atomic()
        self.example.__enter__()
        self.log_rows = reads_logged()
        self.form_writes: dict[tuple[int, str], list[dict]] = {}
        self.numbers = itertools.count(1)
        self.checked_plans: set[int] = set()

    def teardown(self):
        transaction.set_rollback(True)
        self.example.__exit__(None, None, None)

    def _refused_changes_nothing(self, step, *args, **kwargs):
        before = _snapshot()
        try:
            with transaction.atomic():
                done = step(*args, **kwargs)
        except REFUSED as refusal:
            _outcome(f"{step.__name__}: refused ({type(refusal).__name__})")
            assert _snapshot() == before
            return None
        _outcome(f"{step.__name__}: done")
        return done

    def _visits(self):
        return list(Visit.objects.filter(session=self.session).order_by("code"))

    # --- rules -------------------------------------------------------------------------

    @rule(data=st.data())
    def book(self, data):
        number = next(self.numbers)
        referral = referral_intake(
            user=self.people["planner"], clinic=self.session.clinic, referring_gp="Huisarts", complaint="palpable_lump",
            patient={"hospital_number": f"SM{number:05d}", "given_name": "Anna", "family_name": f"Proef{number}",
                     "date_of_birth": dt.date(1970, 1, 1)})
        pathway = data.draw(st.sampled_from(self.pathways), label="pathway")
        fit = booking_suggestion(referral=referral, pathway=pathway).search.fit
        if fit is None:
            return
        arrival = dt.time(fit.placement.arrival // 60, fit.placement.arrival % 60)
        self._refused_changes_nothing(visit_book, user=self.people["planner"], referral=referral, pathway=pathway,
                                      day=fit.day, arrival=arrival)

    @rule()
    def plan(self):
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = plan_job_start(user=self.people["planner"], session=self.session, time_limit=1)
        job.refresh_from_db()
        _outcome(f"plan: {job.status}")
        assert job.status in (PlanJobStatus.SUCCEEDED, PlanJobStatus.FAILED), job.status

    @rule()
    def cancel_a_queued_plan(self):
        with TestCase.captureOnCommitCallbacks(execute=False) as messages:
            job = plan_job_start(user=self.people["planner"], session=self.session, time_limit=1)
        assert plan_job_cancel(user=self.people["planner"], job=job).status == PlanJobStatus.CANCELLED
        for deliver in messages:  # the message still arrives: the job must not run
            deliver()
        job.refresh_from_db()
        assert (job.status, job.attempts, Plan.objects.filter(job=job).exists()) == (PlanJobStatus.CANCELLED, 0,
                                                                                      False)

    @rule()
    def publish(self):
        proposal = Plan.objects.filter(session=self.session, status=PlanStatus.PROPOSED).first()
        if proposal is not None:
            self._refused_changes_nothing(plan_publish, user=self.people["planner"], plan=proposal)

    @rule(data=st.data(), kind=st.sampled_from(["arrived", "no_show", "step_started", "step_finished"]),
          clock=st.sampled_from(CLOCKS))
    def record_event(self, data, kind, clock):
        visits = self._visits()
        visit = data.draw(st.sampled_from(visits), label="visit")
        at = aware(self.session.date, clock)
        planner = self.people["planner"]
        with TestCase.captureOnCommitCallbacks(execute=True):
            if kind == "arrived":
                self._refused_changes_nothing(events.visit_arrive, user=planner, visit=visit, at=at)
            elif kind == "no_show":
                self._refused_changes_nothing(events.visit_no_show, user=planner, visit=visit, at=at)
            else:
                steps = visit.steps.select_related("visit__session", "step").order_by("step__position")
                if kind == "step_started":
                    step = steps.filter(actual_start__isnull=True).first()
                    service = events.step_start
                else:
                    step = steps.filter(actual_start__isnull=False, actual_end__isnull=True).first()
                    service = events.step_finish
                if step is not None:
                    self._refused_changes_nothing(service, user=planner, visit_step=step, at=at)

    @rule(data=st.data(), section=st.sampled_from(sorted(FORM_EDITS)))
    def edit_form_section(self, data, section):
        visit = data.draw(st.sampled_from(list(Visit.objects.order_by("pk"))), label="visit")
        role, fields = FORM_EDITS[section]
        names = data.draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2, unique=True))
        changes = {name: data.draw(st.sampled_from(fields[name]), label=name) for name in names}
        form = visit_form_ensure(visit=visit)
        current = FormSection.objects.get(form=form, key=section)
        before = dict(current.content)
        written = self._refused_changes_nothing(form_section_update, user=self.people[role], visit_id=visit.pk,
                                                section=section, changes=changes, expected_version=current.version)
        self.log_rows = reads_logged()  # a write logs one row, a refused one too
        if written is not None:
            changed = {k: {"old": before.get(k), "new": v} for k, v in changes.items() if before.get(k) != v}
            if changed:
                self.form_writes.setdefault((visit.pk, section), []).append(changed)

    @rule(data=st.data(), reader=st.sampled_from(["surgeon", "radiologist", "planner", "outsider"]))
    def read_patient_data(self, data, reader):
        visit = data.draw(st.sampled_from(list(Visit.objects.order_by("pk"))), label="visit")
        before = reads_logged()
        try:
            form_for_user(self.people[reader], visit.pk)
        except (PatientDataNotFound, PatientDataForbidden):
            assert reader in ("planner", "outsider")  # the planner sees no findings; the outsider nothing
        else:
            assert reader in ("surgeon", "radiologist")
        assert reads_logged() == before + 1   # a new row, or a repeat counted on the same row

    # --- invariants --------------------------------------------------------------------

    @invariant()
    def no_resource_is_double_booked(self):
        last_end: dict[int, dt.datetime] = {}
        for resource_id, start, end in ResourceBooking.objects.order_by("resource_id", "start") \
                .values_list("resource_id", "start", "end"):
            assert start >= last_end.get(resource_id, start), f"resource {resource_id} booked twice at {start}"
            last_end[resource_id] = end

    @invariant()
    def every_plan_keeps_the_fixed_steps_and_passes_the_validator(self):
        for plan in Plan.objects.exclude(pk__in=self.checked_plans).select_related("job"):
            morning = plan.job.morning
            assert check_plan(morning, plan.data) == []
            placed = {(a["patient"], a["step"]): a for a in plan.data["assignments"]}
            for fixed in morning.get("fixed", []):
                kept = placed[(fixed["patient"], fixed["step"])]
                assert (kept["start"], kept["resources"]) == (fixed["start"], fixed["resources"])
                if "end" in fixed:
                    assert kept["end"] == fixed["end"]
            self.checked_plans.add(plan.pk)

    @invariant()
    def form_history_is_the_writes_made(self):
        for (visit_id, section), writes in self.form_writes.items():
            history = SectionVersion.objects.filter(section__form__visit_id=visit_id, section__key=section) \
                .order_by("version").values_list("changes", flat=True)
            assert list(history) == writes

    @invariant()
    def the_access_log_only_grows(self):
        rows = reads_logged()
        assert rows >= self.log_rows
        self.log_rows = rows

    @invariant()
    def no_orphan_rows(self):
        assert not Plan.objects.exclude(session_id=F("job__session_id")).exists()
        assert not PlanJob.objects.filter(status=PlanJobStatus.SUCCEEDED, plan__isnull=True).exists()
        assert not PlanJob.objects.filter(status__in=(PlanJobStatus.FAILED, PlanJobStatus.QUEUED),
                                          plan__isnull=False).exists()
        assert not ResourceBooking.objects.exclude(session_id=F("visit_step__visit__session_id")).exists()
        assert not VisitStepResource.objects.filter(phase="planned", visit_step__planned_start__isnull=True).exists()
        assert not Patient.objects.filter(referrals__isnull=True, visits__isnull=True).exists()
        wrong_steps = Visit.objects.annotate(steps_count=Count("steps", distinct=True),
                                             pathway_steps=Count("pathway__steps", distinct=True)) \
            .exclude(steps_count=F("pathway_steps"))
        assert not wrong_steps.exists()
        assert not Visit.objects.filter(session=self.session, status=VisitStatus.CANCELLED).exists()


def test_the_services_keep_their_invariants_in_any_order(small_morning, planner, surgeon, radiologist, outsider,
                                                         plan_now):
    plan_publish(user=None, plan=plan_now(small_morning).plan)  # a published morning to work on
    people = {"planner": planner, "surgeon": surgeon, "radiologist": radiologist, "outsider": outsider}
    OUTCOMES.clear()
    run_state_machine_as_test(
        lambda: ServicesMachine(small_morning, people),
        settings=settings(max_examples=8, stateful_step_count=15, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    print(sorted(OUTCOMES.items()))
    # The steps reached the services, not only their refusals.
    for done in ("visit_book: done", "plan: succeeded", "plan_publish: done", "form_section_update: done"):
        assert OUTCOMES[done] >= 1, OUTCOMES
    assert sum(n for text, n in OUTCOMES.items() if text.startswith(("visit_arrive", "step_", "visit_no_show"))
               and text.endswith("done")) >= 1, OUTCOMES
