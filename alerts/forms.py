from django import forms
from django.core.validators import EmailValidator

from alerts.models import Frequency

MAX_ADDRESS = 254  # the longest address SMTP allows (RFC 5321)


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often do you want to get emails?",
        choices=Frequency,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how often you want to get emails",
            "invalid_choice": "Select how often you want to get emails",
        },
    )


class AddressForm(forms.Form):
    address = forms.CharField(
        label="What’s your email address?",
        max_length=MAX_ADDRESS,
        strip=True,
        error_messages={
            "required": "Enter your email address",
            "max_length": f"Email address must be {MAX_ADDRESS} characters or fewer",
        },
    )

    def clean_address(self):
        address = self.cleaned_data["address"]
        message = "Enter an email address in the correct format, like name@example.com"
        EmailValidator(message=message)(address)
        local, _, domain = address.rpartition("@")
        if len(local) > 64:  # RFC 5321's limit, which Django's validator does not check
            raise forms.ValidationError(message)
        return f"{local}@{domain.lower()}"


class SubscribeForm(FrequencyForm, AddressForm):
    topic = forms.CharField(max_length=300, widget=forms.HiddenInput)


class ManageForm(forms.Form):
    """One change on the manage page: a subscription's frequency, or removing it."""

    subscription = forms.IntegerField(required=False, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(choices=Frequency, required=False, widget=forms.RadioSelect)
    action = forms.ChoiceField(choices=[("frequency", "frequency"), ("remove", "remove"), ("remove-all", "remove all")])
