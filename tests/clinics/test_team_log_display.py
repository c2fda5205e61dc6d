"""The team changes in the access log read in the reader's language."""

import pytest
from django.utils import translation

from mammapoli.audit.display import detail_text, what_text


@pytest.mark.parametrize("language, what, detail, expected_what, expected_detail", [
    ("nl", "staff member", "user=sophie.surgeon role surgeon -> radiologist", "teamrol",
     "sophie.surgeon: chirurg wordt radioloog"),
    ("en", "staff member", "user=sophie.surgeon role surgeon -> radiologist", "team role",
     "sophie.surgeon: surgeon becomes radiologist"),
    ("nl", "application manager", "user=anna role=application_manager", "applicatiebeheerder",
     "anna als applicatiebeheerder"),
    ("nl", "account", "user=anna", "account", "anna"),
    ("nl", "staff member", "refused in the admin: change 7", "teamrol", "geweigerd in het beheer"),
])
def test_team_changes_in_the_log_read_in_dutch_and_english(language, what, detail, expected_what, expected_detail):
    with translation.override(language):
        assert (what_text(what), detail_text(detail)) == (expected_what, expected_detail)
