"""OperationOutcome: how the FHIR interface says no, naming the element (a FHIRPath expression).

`FhirError` carries the issues and the HTTP status; the views' exception handler turns it, and
every refusal of the rest of the code (not found, forbidden, not logged in, bad input), into an
OperationOutcome built with the R4B model. Nothing is written when one is raised.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError as PydanticValidationError


@dataclass(frozen=True)
class Issue:
    expression: str  # e.g. "Bundle.entry[1].resource.priority"; "" when no element is to blame
    message: str
    code: str = "invalid"  # IssueType: invalid, required, value, not-supported, not-found, forbidden, ...
    severity: str = "error"


class FhirError(Exception):
    def __init__(self, issues: Sequence[Issue] | Issue, *, status: int = 400):
        self.issues = [issues] if isinstance(issues, Issue) else list(issues)
        self.status = status
        super().__init__("; ".join(f"{i.expression}: {i.message}" if i.expression else i.message
                                   for i in self.issues))


def invalid(expression: str, message: str, *, code: str = "invalid") -> FhirError:
    return FhirError(Issue(expression, message, code))


def not_found(expression: str, message: str) -> FhirError:
    return FhirError(Issue(expression, message, "not-found"), status=404)


def outcome_of(issues: Iterable[Issue]) -> OperationOutcome:
    return OperationOutcome(issue=[
        {"severity": issue.severity, "code": issue.code, "diagnostics": issue.message,
         **({"expression": [issue.expression]} if issue.expression else {})}
        for issue in issues])


def _step(part) -> str:
    return f"[{part}]" if isinstance(part, int) else f".{'resourceType' if part == 'resource_type' else part}"


def expression_of(root: str, location: Sequence) -> str:
    """A pydantic error location, ("entry", 0, "resource", "birthDate"), as FHIRPath below `root`."""
    parts = [part for part in location if part not in ("root",) and not str(part).startswith("function-")]
    return root + "".join(_step(part) for part in parts)


def model_errors(root: str, error: PydanticValidationError) -> FhirError:
    """The R4B model's refusal of a resource, one issue per element."""
    issues = []
    for detail in error.errors():
        kind = detail.get("type", "")
        code = "required" if "missing" in kind else "structure" if "extra" in kind or "type" in kind else "value"
        message = detail.get("msg", "invalid")
        if "extra" in kind:
            message = "Unknown element."
        issues.append(Issue(expression_of(root, detail.get("loc", ())), message, code))
    return FhirError(issues or [Issue(root, "The resource is not valid FHIR.")])
