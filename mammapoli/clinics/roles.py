"""The sets of roles the rights are written in (one set per idea, not one per app)."""

from .models import Role

#: The team members who see and treat the patient: they read the findings on the shared form
#: and enter the events of their own steps on the board. The planner sees names and times only;
#: the privacy officer reads the access log.
CLINICAL_ROLES = frozenset({Role.SURGEON, Role.RADIOLOGIST, Role.PATHOLOGIST, Role.RADIOGRAPHER, Role.NURSE})
