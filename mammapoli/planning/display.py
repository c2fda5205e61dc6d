"""The engine's and the jobs' words as the planner reads them: the search phases of a plan
job, the solver's status, and why a job ran."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mammapoli.clinics.names import ClinicNames

from .models import PlanJob, PlanTrigger

SOLVER_STATUS = {
    "OPTIMAL": gettext_lazy("proven optimal"),
    "FEASIBLE": gettext_lazy("valid, not proven optimal"),
    "INFEASIBLE": gettext_lazy("not possible"),
    "INVALID": gettext_lazy("the morning is not valid"),
}
#: What a phase of the search works on, and how (`scheduler.solve`: "stay (LNS)", "priority (full model)").
PHASE_GOALS = {
    "first come, first served": gettext_lazy("first come, first served"),
    "heuristic": gettext_lazy("quick first plan"), "first plan": gettext_lazy("first complete plan"),
    "priority": gettext_lazy("patients seen"), "stay": gettext_lazy("length of stay"),
    "moves": gettext_lazy("fewer changes"), "present": gettext_lazy("patients present"),
    "alone": gettext_lazy("who fits at all"),
}
PHASE_METHODS = {
    "full model": gettext_lazy("full model"), "LNS": gettext_lazy("neighbourhood search"),
    "polish": gettext_lazy("polishing"),
}


def solver_status_label(status: str) -> str:
    return str(SOLVER_STATUS.get(status, status))


def phase_label(name: str) -> str:
    """"stay (LNS) + polish" -> "length of stay (neighbourhood search, polishing)"."""
    match = re.fullmatch(r"(.+?)(?: \((.+)\))?((?: \+ \w+)*)", name.strip())
    if match is None or match[1] not in PHASE_GOALS:
        return _("improvement")
    methods = ([match[2]] if match[2] else []) + [m.strip() for m in match[3].split("+") if m.strip()]
    goal = str(PHASE_GOALS[match[1]])
    if not methods:
        return goal
    return f"{goal} ({', '.join(str(PHASE_METHODS.get(m, m)) for m in methods)})"


def trigger_text(job: PlanJob, names: ClinicNames) -> str:
    """Why the job ran, with the step or pathway named: "step started: P03 lichamelijk onderzoek 10:20"."""
    detail = job.trigger_detail
    parts = detail.split(" ")
    if job.trigger in (PlanTrigger.STEP_STARTED, PlanTrigger.STEP_FINISHED) and len(parts) == 3:
        detail = f"{parts[0]} {names.step(parts[1])} {parts[2]}"
    elif job.trigger in (PlanTrigger.WALK_IN, PlanTrigger.PATHWAY_SWITCHED) and len(parts) >= 3:
        detail = " ".join([parts[0], *(names.pathway(p) for p in parts[1:-1]), parts[-1]])
    return f"{job.get_trigger_display()} {detail}".strip()
