"""A service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Each problem beside the field it names; one the form has no field for, above the form."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)
