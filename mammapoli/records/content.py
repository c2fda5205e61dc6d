"""What each section of the form holds, validated by DRF serializers.

The same serializers check the API's JSON and the web form's input, so both get the same
error naming the field (`{"birads": ["…"]}`, or nested:
`{"findings": {"left": [{}, {"size_mm": ["…"]}]}}`). Unknown fields are refused at every
level rather than dropped. Every field has a default, so a section's content always has
its full shape (an empty section is `section_defaults(key)`).
"""

import copy
import datetime as dt
from collections.abc import Mapping

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .scoring import BIRADS_SCALE, C_SCALE, M_SCALE, P_SCALE, U_SCALE, BScore
from .sections import SectionKey

MAX_LESIONS_PER_BREAST = 10
TEXTAREA = {"base_template": "textarea.html"}


class Quadrant(models.TextChoices):
    UPPER_OUTER = "upper_outer", _("upper outer quadrant")
    UPPER_INNER = "upper_inner", _("upper inner quadrant")
    LOWER_OUTER = "lower_outer", _("lower outer quadrant")
    LOWER_INNER = "lower_inner", _("lower inner quadrant")
    CENTRAL = "central", _("central (behind the nipple)")
    AXILLARY_TAIL = "axillary_tail", _("axillary tail")


class Side(models.TextChoices):
    LEFT = "left", _("left")
    RIGHT = "right", _("right")


class AxillaFinding(models.TextChoices):
    NORMAL = "normal", _("no palpable nodes")
    BENIGN_NODE = "benign_node", _("palpable node, not suspicious")
    SUSPICIOUS_NODE = "suspicious_node", _("suspicious node")
    NOT_EXAMINED = "not_examined", _("not examined")


class RiskFactor(models.TextChoices):
    FAMILY_HISTORY = "family_history", _("breast or ovarian cancer in the family")
    GENE_CARRIER = "gene_carrier", _("BRCA or other gene mutation")
    PREVIOUS_BREAST_CANCER = "previous_breast_cancer", _("previous breast cancer")
    CHEST_RADIOTHERAPY = "chest_radiotherapy", _("radiotherapy of the chest")
    HORMONE_THERAPY = "hormone_therapy", _("hormone replacement therapy")
    PREGNANT_OR_LACTATING = "pregnant_or_lactating", _("pregnant or breastfeeding")


class BiopsyType(models.TextChoices):
    FNA = "fna", _("fine-needle aspiration (FNA)")
    CORE = "core", _("core needle biopsy")


class BiopsyGuidance(models.TextChoices):
    ULTRASOUND = "ultrasound", _("ultrasound-guided")
    STEREOTACTIC = "stereotactic", _("stereotactic (mammography)")


class Specimen(models.TextChoices):
    CYTOLOGY = "cytology", _("cytology (FNA)")
    CORE = "core", _("core histology")


class Outcome(models.TextChoices):
    BENIGN = "benign", _("benign")
    INDETERMINATE = "indeterminate", _("indeterminate")
    SUSPICIOUS = "suspicious", _("suspicious")
    MALIGNANT = "malignant", _("malignant")


class Plan(models.TextChoices):
    DISCHARGE = "discharge", _("reassure and discharge")
    FOLLOW_UP = "follow_up", _("follow-up")
    MDO = "mdo", _("multidisciplinary meeting (MDO)")
    TREATMENT = "treatment", _("treatment")


class PositionalListSerializer(serializers.ListSerializer):
    """Errors of a list as a list in the same positions (`[{}, {"size_mm": ["…"]}]`), as the
    API documents, rather than DRF's newer dict keyed by index."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, Mapping) and detail and all(isinstance(key, int) for key in detail):
                raise serializers.ValidationError([detail.get(index, {}) for index in range(len(data))]) from None
            raise


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them, instead of silently dropping them."""

    class Meta:
        list_serializer_class = PositionalListSerializer

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        unknown_errors = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown_errors and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **unknown_errors}) from None
            raise
        if unknown_errors:
            raise serializers.ValidationError(unknown_errors)
        return value


def _score(scale: range, label) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=scale.start, max_value=scale.stop - 1, allow_null=True,
                                    required=False, default=None, label=label)


def _text(label, *, max_length: int = 4000, long: bool = True) -> serializers.CharField:
    return serializers.CharField(allow_blank=True, required=False, default="", max_length=max_length,
                                 trim_whitespace=False, label=label, style=TEXTAREA if long else {})


def _choice(choices, label, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, allow_null=True, required=False, default=None, label=label,
                                   **kwargs)


def _choices_list(choices, label) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False, default=list,
                                 max_length=len(choices), label=label)


class LesionSerializer(StrictSerializer):
    """One finding in one breast: where (a quadrant or a clock position), how far from the nipple, how big."""

    quadrant = _choice(Quadrant.choices, _("quadrant"))
    clock = serializers.IntegerField(min_value=1, max_value=12, allow_null=True, required=False, default=None,
                                     label=_("clock position (1–12)"))
    distance_mm = serializers.IntegerField(min_value=0, max_value=300, allow_null=True, required=False, default=None,
                                           label=_("distance from the nipple (mm)"))
    size_mm = serializers.IntegerField(min_value=1, max_value=300, allow_null=True, required=False, default=None,
                                       label=_("size (mm)"))
    description = _text(_("description"), max_length=500, long=False)

    def validate(self, attrs):
        if attrs.get("quadrant") is None and attrs.get("clock") is None:
            raise serializers.ValidationError({"quadrant": [_("Give the position: a quadrant or a clock position.")]})
        return attrs


def _per_breast(label) -> "PerBreastSerializer":
    return PerBreastSerializer(required=False, default=lambda: {"left": [], "right": []}, label=label)


class PerBreastSerializer(StrictSerializer):
    left = LesionSerializer(many=True, required=False, default=list, max_length=MAX_LESIONS_PER_BREAST,
                            label=_("left breast"))
    right = LesionSerializer(many=True, required=False, default=list, max_length=MAX_LESIONS_PER_BREAST,
                             label=_("right breast"))


class AxillaSideSerializer(StrictSerializer):
    finding = _choice(AxillaFinding.choices, _("finding"))
    note = _text(_("note"), max_length=500, long=False)


def _axilla_side(label) -> AxillaSideSerializer:
    return AxillaSideSerializer(required=False, default=lambda: {"finding": None, "note": ""}, label=label)


class AxillaSerializer(StrictSerializer):
    left = _axilla_side(_("left axilla"))
    right = _axilla_side(_("right axilla"))


class ClinicalContent(StrictSerializer):
    """The surgeon's clinical examination."""

    complaint = _text(_("complaint"))
    history = _text(_("history"))
    risk_factors = _choices_list(RiskFactor.choices, _("risk factors"))
    risk_notes = _text(_("other risk factors"), max_length=1000, long=False)
    findings = _per_breast(_("findings per breast"))
    axilla = AxillaSerializer(required=False, label=_("axilla"),
                              default=lambda: {side: {"finding": None, "note": ""} for side in ("left", "right")})
    p_score = _score(P_SCALE, _("clinical score (P1–P5)"))

    def validate_risk_factors(self, value):
        return sorted(set(value))


class BiopsySerializer(StrictSerializer):
    """A biopsy of one lesion: the lesion's number in that breast's ultrasound (or, stereotactic,
    mammography) findings."""

    type = serializers.ChoiceField(choices=BiopsyType.choices, label=_("type"))
    guidance = serializers.ChoiceField(choices=BiopsyGuidance.choices, default=BiopsyGuidance.ULTRASOUND,
                                       required=False, label=_("guidance"))
    side = serializers.ChoiceField(choices=Side.choices, label=_("side"))
    lesion = serializers.IntegerField(min_value=1, max_value=MAX_LESIONS_PER_BREAST, label=_("lesion number"))
    passes = serializers.IntegerField(min_value=1, max_value=10, label=_("passes"))


MODALITIES = {"mammography": _("mammography"), "ultrasound": _("ultrasound")}


class ImagingContent(StrictSerializer):
    """The radiologist's mammography and ultrasound, scores and biopsies."""

    mammography = _per_breast(_("mammography findings"))
    m_score = _score(M_SCALE, _("mammography score (M1–M5)"))
    ultrasound = _per_breast(_("ultrasound findings"))
    u_score = _score(U_SCALE, _("ultrasound score (U1–U5)"))
    birads = _score(BIRADS_SCALE, _("BI-RADS (0–6)"))
    biopsies = BiopsySerializer(many=True, required=False, default=list, max_length=6, label=_("biopsies"))
    report = _text(_("report"))

    def validate(self, attrs):
        errors, any_error = [], False
        for biopsy in attrs.get("biopsies", []):
            modality = "mammography" if biopsy.get("guidance") == BiopsyGuidance.STEREOTACTIC else "ultrasound"
            lesions = attrs.get(modality, {}).get(biopsy["side"], [])
            if biopsy["lesion"] > len(lesions):
                any_error = True
                errors.append({"lesion": [_("There is no lesion %(number)s in the %(modality)s findings of the "
                                            "%(side)s breast.") % {"number": biopsy["lesion"],
                                                                   "side": Side(biopsy["side"]).label,
                                                                   "modality": MODALITIES[modality]}]})
            else:
                errors.append({})
        if any_error:
            raise serializers.ValidationError({"biopsies": errors})
        return attrs


class PathologyContent(StrictSerializer):
    """The pathologist's result: C1–C5 for cytology, B1–B5c for core histology."""

    specimens = _choices_list(Specimen.choices, _("specimens"))
    c_score = _score(C_SCALE, _("cytology score (C1–C5)"))
    b_score = _choice(BScore.choices, _("core histology score (B1–B5c)"))
    report = _text(_("report"), max_length=10000)

    def validate_specimens(self, value):
        return sorted(set(value))

    def validate(self, attrs):
        errors = {}
        if attrs.get("c_score") is not None and Specimen.CYTOLOGY not in attrs.get("specimens", []):
            errors["c_score"] = [_("A C score needs a cytology specimen.")]
        if attrs.get("b_score") is not None and Specimen.CORE not in attrs.get("specimens", []):
            errors["b_score"] = [_("A B score needs a core histology specimen.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ConclusionContent(StrictSerializer):
    """The surgeon's conclusion: the outcome, the plan, when the patient was told."""

    outcome = _choice(Outcome.choices, _("triple-assessment outcome"))
    outcome_override = _text(_("why benign although the computed assessment is positive or discordant"),
                             max_length=1000)
    plan = _choice(Plan.choices, _("plan"))
    plan_notes = _text(_("notes on the plan"))
    told_at = serializers.DateTimeField(allow_null=True, required=False, default=None,
                                        label=_("patient told the result at"))

    def validate_told_at(self, value):
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise serializers.ValidationError(_("This is in the future."))
        return value


CONTENT_SERIALIZERS: dict[str, type[StrictSerializer]] = {
    SectionKey.CLINICAL: ClinicalContent,
    SectionKey.IMAGING: ImagingContent,
    SectionKey.PATHOLOGY: PathologyContent,
    SectionKey.CONCLUSION: ConclusionContent,
}

_DEFAULTS: dict[str, dict] = {}


def section_defaults(section: str) -> dict:
    """The content of a section nobody has written yet."""
    if section not in _DEFAULTS:
        _DEFAULTS[section] = content_validate(section, {})[0]
    return copy.deepcopy(_DEFAULTS[section])


def content_validate(section: str, data) -> tuple[dict, dict]:
    """(canonical JSON content, {}) if `data` is valid for `section`, else ({}, errors by field)."""
    serializer = CONTENT_SERIALIZERS[section](data=data)
    if not serializer.is_valid():
        return {}, plain(serializer.errors)
    return plain(serializer.data), {}


def plain(value):
    """ReturnDict/OrderedDict/ErrorDetail → plain JSON types (for JSONField and comparisons)."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value
