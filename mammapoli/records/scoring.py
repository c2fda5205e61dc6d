"""Triple-assessment scoring: the scales, and the concordance rules. Computed, never typed.

The three components of the triple assessment are the clinical examination (P1–P5), the
imaging (BI-RADS 0–6, and the UK mammography M1–5 and ultrasound U1–5 scores) and the
pathology (cytology C1–C5, core histology B1–B5 with B5a in situ, B5b invasive, B5c
invasion not assessable). Each score maps to a common *suspicion level*:

==========  =====================================================  =====
level       meaning                                                scores
==========  =====================================================  =====
1           normal                                                 P1 BI-RADS 1 M1 U1
2           benign                                                 P2 BI-RADS 2 M2 U2 C2 B2
3           indeterminate / probably benign                        P3 BI-RADS 3 M3 U3 C3 B3
4           suspicious                                             P4 BI-RADS 4 M4 U4 C4 B4
5           malignant                                              P5 BI-RADS 5–6 M5 U5 C5 B5a/b/c
none        incomplete or not diagnostic: not counted              BI-RADS 0, C1, B1
==========  =====================================================  =====

*Benign* means level 1–2, *suspicious* level 4–5. Level 3 disagrees with nothing: it is
what the multidisciplinary meeting is for anyway, and it already makes the assessment
positive. A component with several scores (imaging: BI-RADS, M and U; pathology: C and B)
counts with its worst one. BI-RADS 0 ("needs more imaging"), C1 (inadequate) and B1
(normal tissue only: in a targeted biopsy the needle most likely missed) are not counted as
a level; they are *non-diagnostic*.

The rules, each a small function below with its own test:

- the assessment is **positive** when any component is at level 3 or worse;
- it is **discordant** when the components disagree so that a benign result could falsely
  reassure, or a malignant one has no lesion to belong to:

  1. suspicious imaging (4–5) with benign pathology (C2/B2);
  2. suspicious clinical examination (P4–5) with benign pathology (C2/B2);
  3. suspicious or malignant pathology (C4–5/B4–B5) with benign imaging (1–2);
  4. suspicious clinical examination (P4–5) with benign imaging (1–2): a palpable lesion
     that the imaging does not explain;
  5. non-diagnostic pathology (C1/B1 only) while the clinical examination or the imaging
     is suspicious (4–5): the sample probably missed the lesion.

  Deliberately *not* discordant: a normal or benign-feeling breast (P1–2) with suspicious
  imaging or malignant pathology — small and impalpable cancers feel normal, and the
  imaging and pathology decide there.

Reasons are human-readable, translated strings; the rules only fire when both components
they compare are present, so a form being filled in is never called discordant early.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- the scales -----------------------------------------------------------------------------


class BScore(models.TextChoices):
    B1 = "B1", gettext_lazy("B1 normal tissue / unsatisfactory")
    B2 = "B2", gettext_lazy("B2 benign")
    B3 = "B3", gettext_lazy("B3 uncertain malignant potential")
    B4 = "B4", gettext_lazy("B4 suspicious")
    B5A = "B5a", gettext_lazy("B5a malignant, in situ")
    B5B = "B5b", gettext_lazy("B5b malignant, invasive")
    B5C = "B5c", gettext_lazy("B5c malignant, invasion not assessable")


P_SCALE = range(1, 6)
BIRADS_SCALE = range(0, 7)
M_SCALE = range(1, 6)
U_SCALE = range(1, 6)
C_SCALE = range(1, 6)

P_LABELS = {1: gettext_lazy("P1 normal"), 2: gettext_lazy("P2 benign"), 3: gettext_lazy("P3 uncertain"),
            4: gettext_lazy("P4 suspicious"), 5: gettext_lazy("P5 malignant")}
BIRADS_LABELS = {0: gettext_lazy("BI-RADS 0 incomplete"), 1: gettext_lazy("BI-RADS 1 negative"),
                 2: gettext_lazy("BI-RADS 2 benign"), 3: gettext_lazy("BI-RADS 3 probably benign"),
                 4: gettext_lazy("BI-RADS 4 suspicious"), 5: gettext_lazy("BI-RADS 5 highly suggestive of malignancy"),
                 6: gettext_lazy("BI-RADS 6 known malignancy")}
M_LABELS = {1: gettext_lazy("M1 normal"), 2: gettext_lazy("M2 benign"), 3: gettext_lazy("M3 indeterminate"),
            4: gettext_lazy("M4 suspicious"), 5: gettext_lazy("M5 malignant")}
U_LABELS = {1: gettext_lazy("U1 normal"), 2: gettext_lazy("U2 benign"), 3: gettext_lazy("U3 indeterminate"),
            4: gettext_lazy("U4 suspicious"), 5: gettext_lazy("U5 malignant")}
C_LABELS = {1: gettext_lazy("C1 inadequate"), 2: gettext_lazy("C2 benign"), 3: gettext_lazy("C3 atypia, probably benign"),
            4: gettext_lazy("C4 suspicious"), 5: gettext_lazy("C5 malignant")}

BENIGN = (1, 2)
INDETERMINATE = 3
SUSPICIOUS = (4, 5)


def p_level(score: int | None) -> int | None:
    """Clinical examination P1–P5: the level is the score."""
    return score if score in P_SCALE else None


def birads_level(score: int | None) -> int | None:
    """BI-RADS: 0 is incomplete (no level); 1–5 are their own level; 6 (known, biopsy-proven
    malignancy) is level 5."""
    if score is None or score not in BIRADS_SCALE or score == 0:
        return None
    return min(score, 5)


def m_level(score: int | None) -> int | None:
    """Mammography M1–M5: the level is the score."""
    return score if score in M_SCALE else None


def u_level(score: int | None) -> int | None:
    """Ultrasound U1–U5: the level is the score."""
    return score if score in U_SCALE else None


def c_level(score: int | None) -> int | None:
    """Cytology C1–C5: C1 (inadequate) is non-diagnostic (no level); C2–C5 are their own level."""
    if score is None or score not in C_SCALE or score == 1:
        return None
    return score


def b_level(score: str | None) -> int | None:
    """Core histology: B1 (normal tissue) is non-diagnostic (no level); B2–B4 are their own
    level; B5a, B5b and B5c are all malignant, level 5."""
    return {"B2": 2, "B3": 3, "B4": 4, "B5a": 5, "B5b": 5, "B5c": 5}.get(score or "")


# --- the components -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """The scores as entered on the form (None where not entered)."""

    p_score: int | None = None
    birads: int | None = None
    m_score: int | None = None
    u_score: int | None = None
    c_score: int | None = None
    b_score: str | None = None
    biopsy_taken: bool = False

    @classmethod
    def from_contents(cls, contents: Mapping[str, Mapping]) -> "Scores":
        """From the sections' content, keyed by section (`clinical`, `imaging`, `pathology`)."""
        clinical, imaging, pathology = (contents.get(key) or {} for key in ("clinical", "imaging", "pathology"))
        return cls(p_score=clinical.get("p_score"), birads=imaging.get("birads"), m_score=imaging.get("m_score"),
                   u_score=imaging.get("u_score"), c_score=pathology.get("c_score"), b_score=pathology.get("b_score"),
                   biopsy_taken=bool(imaging.get("biopsies")))


@dataclass(frozen=True)
class Component:
    """One component of the triple assessment at its worst level."""

    level: int | None
    label: str  # the score(s) behind the level, e.g. "U5" or "BI-RADS 4, U5"
    non_diagnostic: bool = False  # only C1/B1 or BI-RADS 0 entered

    @property
    def entered(self) -> bool:
        return self.level is not None or self.non_diagnostic

    @property
    def benign(self) -> bool:
        return self.level in BENIGN

    @property
    def suspicious(self) -> bool:
        return self.level in SUSPICIOUS


def _component(scored: list[tuple[int | None, str, bool]]) -> Component:
    """(level, label, entered) per score of one component -> the component at its worst."""
    entered = [(level, label) for level, label, present in scored if present]
    levels = [level for level, _label in entered if level is not None]
    if not levels:
        return Component(None, ", ".join(label for _level, label in entered), non_diagnostic=bool(entered))
    worst = max(levels)
    return Component(worst, ", ".join(label for level, label in entered if level == worst))


def clinical_component(scores: Scores) -> Component:
    return _component([(p_level(scores.p_score), f"P{scores.p_score}", scores.p_score is not None)])


def imaging_component(scores: Scores) -> Component:
    return _component([
        (birads_level(scores.birads), f"BI-RADS {scores.birads}", scores.birads is not None),
        (m_level(scores.m_score), f"M{scores.m_score}", scores.m_score is not None),
        (u_level(scores.u_score), f"U{scores.u_score}", scores.u_score is not None),
    ])


def pathology_component(scores: Scores) -> Component:
    return _component([
        (c_level(scores.c_score), f"C{scores.c_score}", scores.c_score is not None),
        (b_level(scores.b_score), f"{scores.b_score}", scores.b_score is not None),
    ])


@dataclass(frozen=True)
class Components:
    clinical: Component
    imaging: Component
    pathology: Component

    @classmethod
    def of(cls, scores: Scores) -> "Components":
        return cls(clinical_component(scores), imaging_component(scores), pathology_component(scores))


# --- the rules ------------------------------------------------------------------------------

Rule = Callable[[Components], str | None]


def positive_clinical(c: Components) -> str | None:
    """Positive: the clinical examination is P3 or worse."""
    if c.clinical.level is not None and c.clinical.level >= INDETERMINATE:
        return _("Positive: clinical examination %(score)s is 3 or worse.") % {"score": c.clinical.label}
    return None


def positive_imaging(c: Components) -> str | None:
    """Positive: the imaging (worst of BI-RADS, M, U) is at level 3 or worse."""
    if c.imaging.level is not None and c.imaging.level >= INDETERMINATE:
        return _("Positive: imaging %(score)s is 3 or worse.") % {"score": c.imaging.label}
    return None


def positive_pathology(c: Components) -> str | None:
    """Positive: the pathology (worst of C and B) is at level 3 or worse."""
    if c.pathology.level is not None and c.pathology.level >= INDETERMINATE:
        return _("Positive: pathology %(score)s is 3 or worse.") % {"score": c.pathology.label}
    return None


def discordant_suspicious_imaging_benign_pathology(c: Components) -> str | None:
    """Discordant: imaging suspicious (4–5) but pathology benign (C2/B2)."""
    if c.imaging.suspicious and c.pathology.benign:
        return _("Discordant: imaging %(imaging)s is suspicious but pathology %(pathology)s is benign.") % {
            "imaging": c.imaging.label, "pathology": c.pathology.label}
    return None


def discordant_suspicious_clinical_benign_pathology(c: Components) -> str | None:
    """Discordant: clinical examination suspicious (P4–5) but pathology benign (C2/B2)."""
    if c.clinical.suspicious and c.pathology.benign:
        return _("Discordant: clinical examination %(clinical)s is suspicious but pathology %(pathology)s "
                 "is benign.") % {"clinical": c.clinical.label, "pathology": c.pathology.label}
    return None


def discordant_malignant_pathology_benign_imaging(c: Components) -> str | None:
    """Discordant: pathology suspicious or malignant (C4–5/B4–5) but imaging benign (1–2)."""
    if c.pathology.suspicious and c.imaging.benign:
        return _("Discordant: pathology %(pathology)s is suspicious or malignant but imaging %(imaging)s "
                 "is benign.") % {"pathology": c.pathology.label, "imaging": c.imaging.label}
    return None


def discordant_suspicious_clinical_benign_imaging(c: Components) -> str | None:
    """Discordant: clinical examination suspicious (P4–5) but imaging benign (1–2)."""
    if c.clinical.suspicious and c.imaging.benign:
        return _("Discordant: clinical examination %(clinical)s is suspicious but imaging %(imaging)s "
                 "is benign.") % {"clinical": c.clinical.label, "imaging": c.imaging.label}
    return None


def discordant_non_diagnostic_pathology(c: Components) -> str | None:
    """Discordant: pathology non-diagnostic (only C1/B1) while clinical or imaging is suspicious (4–5)."""
    if c.pathology.level is None and c.pathology.non_diagnostic and (c.clinical.suspicious or c.imaging.suspicious):
        return _("Discordant: pathology %(pathology)s is not diagnostic while the clinical examination or the "
                 "imaging is suspicious; the sample may have missed the lesion.") % {"pathology": c.pathology.label}
    return None


POSITIVE_RULES: tuple[Rule, ...] = (positive_clinical, positive_imaging, positive_pathology)
DISCORDANT_RULES: tuple[Rule, ...] = (
    discordant_suspicious_imaging_benign_pathology,
    discordant_suspicious_clinical_benign_pathology,
    discordant_malignant_pathology_benign_imaging,
    discordant_suspicious_clinical_benign_imaging,
    discordant_non_diagnostic_pathology,
)


def notes(c: Components, scores: Scores) -> list[str]:
    """What is missing or not counted (shown with the reasons; changes neither verdict)."""
    found = []
    if c.imaging.non_diagnostic:
        found.append(_("Not counted: imaging %(score)s is incomplete.") % {"score": c.imaging.label})
    if c.pathology.non_diagnostic:
        found.append(_("Not counted: pathology %(score)s is not diagnostic.") % {"score": c.pathology.label})
    if scores.biopsy_taken and not c.pathology.entered:
        found.append(_("Awaiting pathology: a biopsy was taken."))
    return found


# --- the verdict ----------------------------------------------------------------------------


class BadgeState(models.TextChoices):
    PENDING = "pending", gettext_lazy("incomplete")
    NEGATIVE = "negative", gettext_lazy("negative, concordant")
    POSITIVE = "positive", gettext_lazy("positive, concordant")
    DISCORDANT = "discordant", gettext_lazy("discordant")


@dataclass(frozen=True)
class Concordance:
    positive: bool
    discordant: bool
    reasons: tuple[str, ...]
    complete: bool  # clinical and imaging scored, and pathology too if a biopsy was taken

    def as_dict(self) -> dict:
        """The API's shape: {"positive": bool, "discordant": bool, "reasons": [...]}."""
        return {"positive": self.positive, "discordant": self.discordant, "reasons": list(self.reasons)}

    @property
    def state_label(self) -> str:
        if self.state == BadgeState.POSITIVE and not self.complete:
            return _("positive, not complete yet")
        return str(BadgeState(self.state).label)

    @property
    def state(self) -> str:
        """For the badge: discordant and positive show as soon as they are known; "negative"
        only once every component that is due has a diagnostic score."""
        if self.discordant:
            return BadgeState.DISCORDANT
        if self.positive:
            return BadgeState.POSITIVE
        return BadgeState.NEGATIVE if self.complete else BadgeState.PENDING


def concordance(scores: Scores) -> Concordance:
    components = Components.of(scores)
    positive = [reason for rule in POSITIVE_RULES if (reason := rule(components))]
    discordant = [reason for rule in DISCORDANT_RULES if (reason := rule(components))]
    complete = (components.clinical.level is not None and components.imaging.level is not None
                and (components.pathology.level is not None or not scores.biopsy_taken))
    return Concordance(positive=bool(positive), discordant=bool(discordant),
                       reasons=tuple(discordant + positive + notes(components, scores)), complete=complete)


def concordance_of(contents: Mapping[str, Mapping]) -> Concordance:
    return concordance(Scores.from_contents(contents))


# --- labels for display ---------------------------------------------------------------------


def score_label(field: str, value) -> str:
    """"P4 suspicious", "BI-RADS 0 incomplete", "B5b malignant, invasive"… for a score field."""
    labels = {"p_score": P_LABELS, "birads": BIRADS_LABELS, "m_score": M_LABELS, "u_score": U_LABELS,
              "c_score": C_LABELS, "b_score": dict(BScore.choices)}[field]
    return str(labels.get(value, value))
