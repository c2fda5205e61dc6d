"""The answers every operation can give, documented once (a drf-spectacular post-processing
hook) instead of on each view: 401 without a valid token (with WWW-Authenticate), 403 for a
role without the right, 404 for an id that is not in the user's clinics (or not an id at all),
400 naming the bad field for a body or query parameter. An answer a view documents itself
(409, 412, 428, a 403 or 404 with its own wording) is kept as the view says it."""

ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
         "description": "The refusal, in the user's language."}
FIELD_ERRORS = {
    "type": "object", "additionalProperties": True,
    "description": "Per bad field (or non_field_errors, or detail): what is wrong with it. Nothing was changed.",
}
HEADER = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Token"}}


def _answer(description: str, schema: dict, headers: dict | None = None) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def document_common_answers(result, generator, request, public):
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answers = operation.setdefault("responses", {})
            answers.setdefault("401", _answer("Not logged in: no token, or not a valid one.", ERROR, HEADER))
            answers.setdefault("403", _answer("The user's role may not do this.", ERROR))
            parameters = operation.get("parameters", [])
            if "{" in path:
                answers.setdefault("404", _answer("No such item in the user's clinics.", ERROR))
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                answers.setdefault("400", _answer("Bad input, naming the field.", FIELD_ERRORS))
    return result
