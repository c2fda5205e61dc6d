"""The top navigation offers each role what it can open, on every page."""

import pytest

pytestmark = pytest.mark.django_db


def nav_of(client, user) -> str:
    client.force_login(user)
    page = client.get("/").content.decode()
    return page[page.index("<nav>"):page.index("</nav>")]


def test_a_planner_plans_and_lists_visits_but_reads_no_findings(client, planner):
    nav = nav_of(client, planner)
    assert 'href="/planning/"' in nav and 'href="/visits/"' in nav
    assert 'href="/mdo/"' not in nav and 'href="/privacy/"' not in nav


def test_a_surgeon_reads_findings_and_the_mdo_list(client, surgeon):
    nav = nav_of(client, surgeon)
    assert 'href="/visits/"' in nav and 'href="/mdo/"' in nav
    assert 'href="/planning/"' not in nav


def test_the_privacy_officer_finds_the_access_log(client, privacy_officer):
    nav = nav_of(client, privacy_officer)
    assert 'href="/privacy/"' in nav and 'href="/mdo/"' not in nav


def test_a_user_of_no_clinic_gets_no_links(client, django_user_model):
    assert nav_of(client, django_user_model.objects.create_user("nobody")).strip() == "<nav>"
