"""Whatever matches no path of the API (an id too long to be one, a typo): a JSON 404 like
every other refusal of the API, and the attempt in the access log."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView

from mammapoli.audit.models import Action, Outcome
from mammapoli.audit.services import access_event_record


@extend_schema(exclude=True)
class NoSuchPathApi(APIView):
    def _refuse(self, request: Request, *args, **kwargs):
        access_event_record(user=request.user, action=Action.READ if request.method in ("GET", "HEAD") else Action.WRITE,
                            what="api", outcome=Outcome.DENIED, detail=f"no such path {request.path}")
        raise NotFound()

    get = post = put = patch = delete = _refuse
