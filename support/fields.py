"""Amounts of money in whole pounds, with limits an editor's typo cannot get past."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property

GRANT_MAXIMUM = 10_000_000  # no single grant to a mutual comes near £10 million
FUNDING_MAXIMUM = 1_000_000_000  # a whole programme or pot: £1 billion is far past any so far


def amount_validators(maximum):
    return [
        MinValueValidator(0, message="Enter an amount of £0 or more."),
        MaxValueValidator(maximum, message=f"Enter an amount up to £{maximum:,}. Check for extra zeros."),
    ]


class PoundsFormField(forms.IntegerField):
    """Accepts what editors type: '25000', '25,000' or '£25,000'."""

    widget = forms.TextInput  # a number input would refuse '£25,000'
    default_error_messages = {"invalid": "Enter the amount in whole pounds, for example 25000 or £25,000."}

    def __init__(self, *, maximum, **kwargs):
        kwargs.setdefault("validators", amount_validators(maximum))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[£,\s]", "", value)
            if value.endswith(".00"):
                value = value[:-3]
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PoundsField(models.IntegerField):
    """Whole pounds from £0 to `maximum`."""

    def __init__(self, *args, maximum=FUNDING_MAXIMUM, **kwargs):
        self.maximum = maximum
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["maximum"] = self.maximum
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        return [*super().validators, *amount_validators(self.maximum)]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PoundsFormField, "maximum": self.maximum, **kwargs})
