"""How long a login lasts: at most SESSION_COOKIE_AGE from the login, and SESSION_IDLE_TIMEOUT
after the last thing the user did. The board's automatic refresh is not something the user did:
it asks with AUTO_REFRESH_PARAMETER in the query (mammapoli/board), so a board left open on a
screen does not keep a login alive."""

import time

from django.conf import settings
from django.http import HttpRequest

STARTED_AT = "mammapoli_login_started_at"
ACTIVE_AT = "mammapoli_login_active_at"
AUTO_REFRESH_PARAMETER = "auto_refresh"
# The activity stamp is written at most this often (seconds): not a session write per request.
# A login may so end up to this much before SESSION_IDLE_TIMEOUT after the last request, never after.
TOUCH_INTERVAL = 60


def session_start(request: HttpRequest) -> None:
    now = time.time()
    request.session[STARTED_AT] = now
    request.session[ACTIVE_AT] = now


def is_auto_refresh(request: HttpRequest) -> bool:
    return request.method == "GET" and AUTO_REFRESH_PARAMETER in request.GET


def session_end_reason(request: HttpRequest) -> str | None:
    """'absolute', 'idle', or None while the login may go on. A session without the stamps
    (made before they existed) has ended: its age is unknown."""
    started, active = request.session.get(STARTED_AT), request.session.get(ACTIVE_AT)
    if started is None or active is None:
        return "absolute"
    now = time.time()
    if now - started >= settings.SESSION_COOKIE_AGE:
        return "absolute"
    if now - active >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def session_touch(request: HttpRequest) -> None:
    now = time.time()
    if not is_auto_refresh(request) and now - request.session.get(ACTIVE_AT, 0) >= TOUCH_INTERVAL:
        request.session[ACTIVE_AT] = now
