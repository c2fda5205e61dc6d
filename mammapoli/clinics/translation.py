"""The names a clinic gives its pathways, their steps and its resource kinds, in Dutch and in
English (django-modeltranslation adds `name_nl` and `name_en`; `name` reads the active language).
The codes stay what the engine and the exchange files speak."""

from modeltranslation.translator import TranslationOptions, register

from .models import Pathway, PathwayStep, ResourceKind


@register(ResourceKind)
class ResourceKindNames(TranslationOptions):
    fields = ("name",)


@register(Pathway)
class PathwayNames(TranslationOptions):
    fields = ("name", "description")


@register(PathwayStep)
class PathwayStepNames(TranslationOptions):
    fields = ("name", "short_name")
