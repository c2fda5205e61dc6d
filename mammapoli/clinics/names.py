"""What a clinic calls its pathways, steps and resource kinds, in the active language.

The engine, the exchange files and the event buttons speak codes (`exam`, `us`,
`consult_room`); people read names (`lichamelijk onderzoek`, `echografie`, `spreekkamer`).
A name the clinic has not given falls back to the code, so nothing is ever blank.
"""

from dataclasses import dataclass, field

from .models import Pathway, PathwayStep, ResourceKind


@dataclass(frozen=True)
class ClinicNames:
    pathways: dict[str, str] = field(default_factory=dict)
    steps: dict[tuple[str, str], str] = field(default_factory=dict)  # (pathway code, step code) -> name
    kinds: dict[str, str] = field(default_factory=dict)

    def pathway(self, code: str) -> str:
        return self.pathways.get(code) or code

    def step(self, code: str, pathway: str | None = None) -> str:
        """The step's name in `pathway`; without one (or not found), its name in any pathway."""
        if pathway is not None and self.steps.get((pathway, code)):
            return self.steps[(pathway, code)]
        return next((name for (_, step), name in sorted(self.steps.items()) if step == code and name), code)

    def kind(self, code: str) -> str:
        return self.kinds.get(code) or code


def clinic_names(clinic_id: int) -> ClinicNames:
    """The clinic's names, read now (so in the language active now)."""
    return ClinicNames(
        pathways={p.code: p.name for p in Pathway.objects.filter(clinic_id=clinic_id)},
        steps={(s.pathway.code, s.code): s.name
               for s in PathwayStep.objects.filter(pathway__clinic_id=clinic_id).select_related("pathway")},
        kinds={k.code: k.name for k in ResourceKind.objects.filter(clinic_id=clinic_id)},
    )


def label(thing) -> str:
    """A pathway, step or kind as people call it (in the active language), else its code."""
    return getattr(thing, "name", "") or thing.code
