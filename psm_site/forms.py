from django import forms
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from psm_site import personal_data

MAX_QUERY = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search this site",
        required=False,
        max_length=MAX_QUERY,
        error_messages={"max_length": f"Search must be {MAX_QUERY} characters or fewer"},
    )

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())


def clean_path(value):
    """Only a path on this site: never another site's address (no open redirects)."""
    if not value.startswith("/") or not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        raise forms.ValidationError("That is not a page on this site.")
    return value


class UsefulForm(forms.Form):
    path = forms.CharField(max_length=300, widget=forms.HiddenInput)
    useful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])

    def clean_path(self):
        return clean_path(self.cleaned_data["path"])


class ProblemForm(forms.Form):
    path = forms.CharField(max_length=300, widget=forms.HiddenInput)
    what_wrong = forms.CharField(
        label="What went wrong?",
        max_length=1200,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what went wrong",
            "max_length": "What went wrong must be 1,200 characters or fewer",
        },
        help_text="Do not include personal or financial information, like your National Insurance number or credit card details.",
    )

    def clean_path(self):
        return clean_path(self.cleaned_data["path"])


# The register of personal data: the one cookie a public visitor can get, from any form that
# posts (feedback, email alerts), set by Django's CSRF protection.
personal_data.register_cookie(
    personal_data.Cookie(
        name=lambda: settings.CSRF_COOKIE_NAME,
        purpose="Stops other websites sending forms to this site in your name",
        expires=lambda: (
            "When you close your browser"
            if settings.CSRF_COOKIE_AGE is None
            else personal_data.duration(settings.CSRF_COOKIE_AGE)
        ),
        audience="public",
        source="django.middleware.csrf; psm_site/forms.py",
        order=1,
    )
)
