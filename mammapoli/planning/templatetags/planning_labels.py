"""The engine's words on the planner's pages, in the reader's language."""

from django import template

from mammapoli.planning import display

register = template.Library()

register.filter("phase_label", display.phase_label)
register.filter("solver_status_label", display.solver_status_label)
