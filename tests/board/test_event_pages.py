"""Events entered on the board (its row buttons, the walk-in and the absence pages), at 10:15
on the replanning morning: each is recorded and re-plans the rest of the morning; the planner
goes on to the proposal, the specialists back to the board; bad input changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.utils.html import escape

from mammapoli.clinics.models import AvailabilityException
from mammapoli.planning.clock import hhmm
from mammapoli.planning.models import Plan, PlanJob, PlanStatus, PlanTrigger, Visit, VisitStatus, VisitStep
from mammapoli.planning.reasons import plan_reasons
from tests.board.html import page, table_row, text_of
from tests.planning.conftest import assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """post(user, url, data) -> the response; the re-plan runs when the event commits."""
    def post(user, url, data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)
    return post


@pytest.fixture
def post_committed(client):
    """post_committed(user, url, data) -> the response, in a test with real transactions: the
    re-plan runs when the event's transaction commits, inside the request, as in production."""
    def post(user, url, data):
        client.force_login(user)
        return client.post(url, data)
    return post


def visit(morning, code) -> Visit:
    return Visit.objects.get(session=morning, code=code)


def event_url(morning, code) -> str:
    return f"/visits/{visit(morning, code).pk}/event/"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def the_replan(trigger) -> Plan:
    """The one re-plan job's proposal, checked by the validator against the morning it saw."""
    job = PlanJob.objects.get(trigger=trigger)
    plan = Plan.objects.get(job=job)
    assert plan.status == PlanStatus.PROPOSED
    assert_valid(job.morning, plan.data)
    return plan


def buttons(html: str, code: str) -> str:
    return table_row(html, code)


def test_the_planner_sees_the_buttons_of_each_row(client, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/board/")
    assert buttons(html, "P03").endswith("Arrived No-show")
    assert "Finish fna" in buttons(html, "P06") and "Switch pathway" in buttons(html, "P06")
    assert "Start cytology" in buttons(html, "P04")
    assert "Walk-in" in html and "Someone unavailable" in html


def test_the_radiologist_sees_only_the_buttons_of_her_own_steps(client, radiologist, morning):
    html = page(client, radiologist, f"/sessions/{morning.pk}/board/")
    assert "Finish fna" in buttons(html, "P06")
    assert "Finish core" not in buttons(html, "P07") and "Arrived" not in buttons(html, "P03")
    assert "Walk-in" not in html


@pytest.mark.django_db(transaction=True)
def test_an_arrival_re_plans_and_the_planner_goes_on_to_the_proposal(post_committed, planner, morning):
    response = post_committed(planner, event_url(morning, "P03"), {"event": "arrived", "at": "10:20"})
    plan = the_replan(PlanTrigger.ARRIVED)
    assert response.status_code == 302 and response.url == f"/planning/plans/{plan.pk}/"
    assert visit(morning, "P03").status == VisitStatus.ARRIVED
    assert plan.job.morning["now"] == "10:20"
    assert messages_of(response) == ["Recorded and re-planned: check who moves and whom to call, then publish."]


def test_the_radiologist_finishes_her_step_and_goes_back_to_the_board(post, radiologist, morning):
    response = post(radiologist, event_url(morning, "P06"), {"event": "step_finished:fna", "at": "10:20"})
    assert response.status_code == 302 and response.url == f"/sessions/{morning.pk}/board/"
    fna = VisitStep.objects.get(visit__session=morning, visit__code="P06", step__code="fna")
    assert hhmm(fna.actual_end) == "10:20"
    plan = the_replan(PlanTrigger.STEP_FINISHED)
    assert {"patient": "P06", "step": "fna", "start": "10:10", "end": "10:20",
            "resources": ["rad-A", "echo-A"]} in plan.job.morning["fixed"]
    assert messages_of(response) == ["Recorded. The planner publishes the re-plan."]


@pytest.mark.django_db(transaction=True)
def test_a_re_plan_that_fails_says_why_and_the_next_event_can_mend_it(post_committed, radiologist, planner, morning):
    # At 10:24 P07's core biopsy (09:55, planned to 10:20) has no end yet: it holds rad-B until
    # now, and her histology result could no longer be given by 13:00.
    response = post_committed(radiologist, event_url(morning, "P06"), {"event": "step_finished:fna", "at": "10:24"})
    assert response.url == f"/sessions/{morning.pk}/board/"
    assert messages_of(response) == ["Recorded, but the re-plan failed: INFEASIBLE: patient P07: the steps around "
                                     "fixed step 'exam' at 09:10 cannot meet their lags"]
    assert VisitStep.objects.get(visit__code="P06", step__code="fna").actual_end is not None
    post_committed(planner, event_url(morning, "P07"), {"event": "step_finished:core", "at": "10:20"})
    job = PlanJob.objects.order_by("-created_at", "-id").first()
    assert_valid(job.morning, Plan.objects.get(job=job).data)
    assert job.morning["now"] == "10:24"


def test_a_biopsy_decided_during_ultrasound_switches_the_pathway(post, planner, morning):
    response = post(planner, event_url(morning, "P03"), {"event": "pathway_switched", "pathway": "imaging",
                                                          "at": "10:20"})
    assert response.status_code == 302
    assert visit(morning, "P03").pathway.code == "imaging"
    assert [p["pathway"] for p in the_replan(PlanTrigger.PATHWAY_SWITCHED).job.morning["patients"]
            if p["id"] == "P03"] == ["imaging"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"event": "arrived", "at": "25:00"}, "P03: at: Enter a valid time."),
    ({"event": "arrived", "at": "13:30"}, "P03: After the end of the morning (13:00)."),
    ({"event": "teleported"}, "P03: event: Unknown event."),
    ({"event": "pathway_switched", "at": "10:20"}, "P03: pathway: Choose the pathway she continues on."),
    ({"event": "pathway_switched", "pathway": "core", "at": "10:20"},
     "P03: On core the visit would end at 14:10 at the earliest, after 13:00."),
    ({"event": "step_started:teleport", "at": "10:20"},
     "P03: teleport is not a step of this visit's pathway."),
])
def test_bad_input_names_the_problem_and_changes_nothing(post, planner, morning, data, problem):
    response = post(planner, event_url(morning, "P03"), data)
    assert response.status_code == 302 and response.url == f"/sessions/{morning.pk}/board/"
    assert messages_of(response) == [problem]
    p03 = visit(morning, "P03")
    assert (p03.status, p03.pathway.code, PlanJob.objects.count()) == (VisitStatus.BOOKED, "ultrasound-only", 0)


def test_a_role_without_the_right_is_refused_and_nothing_changes(post, radiologist, outsider, morning):
    assert post(radiologist, event_url(morning, "P03"), {"event": "arrived", "at": "10:20"}).status_code == 403
    assert post(radiologist, event_url(morning, "P07"), {"event": "step_finished:core",
                                                         "at": "10:20"}).status_code == 403
    assert post(outsider, event_url(morning, "P03"), {"event": "arrived", "at": "10:20"}).status_code == 404
    assert visit(morning, "P03").status == VisitStatus.BOOKED
    assert not PlanJob.objects.exists()


WALK_IN = {"hospital_number": "H-9001", "given_name": "Eva", "family_name": "Visser", "date_of_birth": "1971-03-04",
           "sex": "F", "pathway": "imaging", "priority": "2", "at": "10:20"}


@pytest.mark.django_db(transaction=True)
def test_the_planner_adds_a_walk_in_and_the_morning_is_re_planned(client, post_committed, planner, morning):
    assert "Eva" not in page(client, planner, f"/sessions/{morning.pk}/walk-in/")
    response = post_committed(planner, f"/sessions/{morning.pk}/walk-in/", WALK_IN)
    walk_in = Visit.objects.get(session=morning, patient__hospital_number="H-9001")
    assert (walk_in.code, walk_in.status, walk_in.priority, walk_in.pathway.code) == (
        "W03", VisitStatus.ARRIVED, 2, "imaging")
    plan = the_replan(PlanTrigger.WALK_IN)
    assert response.url == f"/planning/plans/{plan.pk}/"
    assert {"id": "W03", "pathway": "imaging", "priority": 2, "arrived": "10:20"} in plan.job.morning["patients"]


@pytest.mark.parametrize(("change", "field"), [
    ({"date_of_birth": "1971-13-04"}, "date_of_birth"),
    ({"pathway": "teleport"}, "pathway"),
    ({"priority": "0"}, "priority"),
    ({"at": "13:30"}, None),
])
def test_a_walk_in_with_bad_input_shows_the_form_again_and_adds_nobody(post, planner, morning, change, field):
    response = post(planner, f"/sessions/{morning.pk}/walk-in/", WALK_IN | change)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {field or "at"}
    assert not Visit.objects.filter(patient__hospital_number="H-9001").exists() and not PlanJob.objects.exists()


def test_only_planners_add_walk_ins_or_absences(client, surgeon, morning):
    client.force_login(surgeon)
    assert client.get(f"/sessions/{morning.pk}/walk-in/").status_code == 403
    assert client.post(f"/sessions/{morning.pk}/absence/", {"resource": "chir-B", "at": "10:30"}).status_code == 403
    assert not AvailabilityException.objects.filter(date=morning.date, resource__code="chir-B",
                                                    kind="absent").exists()


@pytest.mark.django_db(transaction=True)
def test_a_doctor_called_away_is_recorded_and_the_morning_re_planned(post_committed, planner, morning):
    response = post_committed(planner, f"/sessions/{morning.pk}/absence/",
                              {"resource": "rad-A", "at": "10:20", "until": "", "reason": "called to the ER"})
    absence = AvailabilityException.objects.get(date=morning.date, resource__code="rad-A", kind="absent")
    assert (absence.start.strftime("%H:%M"), absence.end.strftime("%H:%M"), absence.reason) == (
        "10:20", "13:00", "called to the ER")
    plan = the_replan(PlanTrigger.RESOURCE_UNAVAILABLE)
    assert response.url == f"/planning/plans/{plan.pk}/"
    rad_a = next(r for r in plan.job.morning["resources"] if r["id"] == "rad-A")
    assert rad_a["available"][-1][1] == "10:20"
    # Only P06's fna, under way since 10:10, goes on past 10:20 on rad-A.
    assert [(a["patient"], a["step"]) for a in plan.data["assignments"]
            if "rad-A" in a["resources"] and a["end"] > "10:20"] == [("P06", "fna")]


def test_an_absence_ending_before_it_starts_is_refused(post, planner, morning):
    response = post(planner, f"/sessions/{morning.pk}/absence/", {"resource": "chir-B", "at": "11:00",
                                                                   "until": "10:30"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"until"}
    assert not AvailabilityException.objects.filter(resource__code="chir-B", kind="absent").exists()
    assert not PlanJob.objects.exists()


def test_the_board_reminds_the_planner_of_a_re_plan_to_publish_until_it_is_published(client, post, planner,
                                                                                      surgeon, morning):
    board = f"/sessions/{morning.pk}/board/"
    assert "pending-job" not in page(client, planner, board)
    post(planner, event_url(morning, "P03"), {"event": "arrived", "at": "10:20"})
    plan = the_replan(PlanTrigger.ARRIVED)
    html = page(client, planner, board)
    assert text_of(html.split('class="pending-job')[1].split("</div>")[0]).endswith(
        f"A new plan is ready (patient arrived P03 10:20). {plan.scheduled} patients seen. See who moves and publish")
    assert f'href="/planning/plans/{plan.pk}/"' in html
    assert "pending-job" not in page(client, surgeon, board)  # publishing is the planner's
    client.force_login(planner)
    assert client.post(f"/planning/plans/{plan.pk}/publish/").status_code == 302
    assert "pending-job" not in page(client, planner, board)


@pytest.mark.django_db(transaction=True)
def test_the_board_says_when_the_last_re_plan_failed(client, post_committed, planner, morning):
    post_committed(planner, event_url(morning, "P06"), {"event": "step_finished:fna", "at": "10:24"})
    html = page(client, planner, f"/sessions/{morning.pk}/board/")
    assert text_of(html.split('class="pending-job')[1].split("</div>")[0]).startswith(
        'pending-failed no-print" role="status"> Planning failed (step finished P06 fna 10:24): INFEASIBLE: patient '
        "P07")


@pytest.mark.django_db(transaction=True)
def test_when_her_surgeon_is_called_away_the_planner_lets_her_go_and_the_morning_re_plans(client, post_committed,
                                                                                          planner, morning):
    # P18 was examined by chir-B, who must give her result: with chir-B gone, no plan keeps her.
    response = post_committed(planner, f"/sessions/{morning.pk}/absence/", {"resource": "chir-B", "at": "10:20"})
    assert response.url == f"/sessions/{morning.pk}/board/"
    assert messages_of(response)[0].startswith("Recorded, but the re-plan failed: INFEASIBLE: patient P18")
    assert "Left early" in buttons(page(client, planner, f"/sessions/{morning.pk}/board/"), "P18")
    response = post_committed(planner, event_url(morning, "P18"), {"event": "left", "at": "10:20"})
    plan = the_replan(PlanTrigger.LEFT)
    assert response.url == f"/planning/plans/{plan.pk}/"
    assert "P18" not in {p["id"] for p in plan.job.morning["patients"]}
    assert not [a for a in plan.data["assignments"] if "chir-B" in a["resources"] and a["end"] > "10:20"]
    html = page(client, planner, f"/sessions/{morning.pk}/board/")
    assert table_row(html, "P18").startswith("P18 Johanna van Leeuwen core Left early; the result follows later")


# Keeping faith on the day: nobody left out silently, an absence withdrawn, a result handed over ---

def publish_replan(post, planner, morning):
    """A re-plan after P03 arrived, published (on this morning some patients cannot be seen)."""
    from mammapoli.planning.services.plans import plan_publish

    post(planner, event_url(morning, "P03"), {"event": "arrived", "at": "10:20"})
    plan = the_replan(PlanTrigger.ARRIVED)
    plan_publish(user=planner, plan=plan)
    return plan


def test_whom_the_published_plan_leaves_out_is_named_on_the_board_and_rebooked_in_one_click(
        client, post, planner, morning):
    plan = publish_replan(post, planner, morning)
    left_out = plan_reasons(plan)  # the engine's reasons, as the board says them
    code = min(c for c in left_out if visit(morning, c).status == VisitStatus.BOOKED)
    html = page(client, planner, f"/sessions/{morning.pk}/board/")
    row = table_row(html, code)
    assert "cannot be seen this morning" in row and "Rebook" in row and escape(left_out[code]) in row
    response = post(planner, f"/visits/{visit(morning, code).pk}/rebook/", {})
    assert response.status_code == 302 and response.url == f"/sessions/{morning.pk}/board/"
    old = visit(morning, code)
    new = Visit.objects.filter(patient=old.patient).exclude(pk=old.pk).get()
    assert old.status == VisitStatus.REBOOKED and new.session.date > morning.date and new.referral is not None
    (message,) = messages_of(response)
    assert message.startswith(f"{code} ") and "is booked on" in message and new.code in message
    assert "Rebooked on another morning" in table_row(page(client, planner, f"/sessions/{morning.pk}/board/"), code)


def test_only_a_planner_rebooks(post, radiologist, planner, morning):
    plan = publish_replan(post, planner, morning)
    code = plan.data["unscheduled"][0]["patient"]
    assert post(radiologist, f"/visits/{visit(morning, code).pk}/rebook/", {}).status_code == 403
    assert visit(morning, code).status != VisitStatus.REBOOKED


@pytest.mark.django_db(transaction=True)
def test_an_absence_is_withdrawn_from_its_page_and_the_morning_re_planned(client, post, post_committed, planner,
                                                                          morning):
    post(planner, f"/sessions/{morning.pk}/absence/", {"resource": "rad-A", "at": "10:16", "reason": "ER"})
    absence = AvailabilityException.objects.get(reason="ER")
    html = page(client, planner, f"/sessions/{morning.pk}/absence/")
    assert "Absences this morning" in html and 'data-absence="rad-A"' in html and "Withdraw" in html
    response = post_committed(planner, f"/sessions/{morning.pk}/absences/{absence.pk}/withdraw/", {})
    job = PlanJob.objects.get(trigger=PlanTrigger.ABSENCE_CHANGED)
    assert job.error == ""
    plan = Plan.objects.get(job=job)
    assert response.url == f"/planning/plans/{plan.pk}/"
    assert not AvailabilityException.objects.filter(pk=absence.pk).exists()


def test_an_absence_of_another_clinic_is_not_found(post, planner, outsider, morning):
    post(planner, f"/sessions/{morning.pk}/absence/", {"resource": "rad-A", "at": "10:16", "reason": "ER"})
    absence = AvailabilityException.objects.get(reason="ER")
    assert post(outsider, f"/sessions/{morning.pk}/absences/{absence.pk}/withdraw/", {}).status_code == 404
    assert AvailabilityException.objects.filter(pk=absence.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_result_is_handed_over_from_its_page(client, post_committed, planner, morning):
    html = page(client, planner, f"/sessions/{morning.pk}/hand-over/")
    assert "Hand over a result" in html and "chir-B" in html
    response = post_committed(planner, f"/sessions/{morning.pk}/hand-over/", {"visit": "P06", "surgeon": "chir-B", "at": "10:20"})
    plan = the_replan(PlanTrigger.HANDOVER)
    assert response.url == f"/planning/plans/{plan.pk}/"
    result = next(a for a in plan.data["assignments"] if (a["patient"], a["step"]) == ("P06", "result"))
    assert result["resources"][0] == "chir-B"
