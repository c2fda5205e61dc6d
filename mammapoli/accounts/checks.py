"""`manage.py check --deploy --database default` refuses a database where someone's second factor
is the demo's published secret (fixtures/demo_clinic.json): the demo's users must never reach
production, and a known secret is no second factor."""

import json

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

DEMO_FIXTURE = settings.BASE_DIR / "fixtures" / "demo_clinic.json"


def demo_otp_keys() -> set[str]:
    import base64

    try:
        secret = json.loads(DEMO_FIXTURE.read_text(encoding="utf-8"))["otp_secret"]
    except (OSError, KeyError, ValueError):
        return set()
    return {base64.b32decode(secret).hex()}


@register(Tags.security, Tags.database, deploy=True)
def no_demo_second_factor(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from django_otp.plugins.otp_totp.models import TOTPDevice

    keys = demo_otp_keys()
    try:
        users = sorted(TOTPDevice.objects.filter(key__in=keys).values_list("user__username", flat=True))
    except DatabaseError:
        return []  # no tables yet: nothing to refuse
    if not users:
        return []
    return [Error(f"second factor with the demo's published secret for: {', '.join(users)}",
                  hint="Delete these devices (and the demo users); they are for `make demo` only.",
                  id="mammapoli.accounts.E001")]
