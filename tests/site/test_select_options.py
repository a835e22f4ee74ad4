"""includes/fields/select.html draws its options with psm's select_options tag."""

import pytest
from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string

from mutuals.forms import MutualFilterForm


class Form(forms.Form):
    choice = forms.ChoiceField(choices=[("", "Any"), ("a&b", 'A <b>"bold"</b>'), ("c", "C")], required=False)


def options(html):
    return html[html.index("<select") : html.index("</select>")]


def test_options_escape_values_and_labels_and_mark_the_chosen_one():
    html = options(render_to_string("includes/fields/select.html", {"field": Form({"choice": "a&b"})["choice"]}))
    assert '<option value="a&amp;b" selected>A &lt;b&gt;&quot;bold&quot;&lt;/b&gt;</option>' in html
    assert '<option value="">Any</option>' in html and '<option value="c">C</option>' in html


@pytest.mark.django_db
def test_region_options_carry_their_ons_code_and_the_chosen_local_authority_is_selected(postcodes):
    form = MutualFilterForm(QueryDict("region=north-east&local_authority=leeds"))
    assert form.is_valid(), form.errors
    region = options(render_to_string("includes/fields/select.html", {"field": form["region"]}))
    assert '<option value="north-east" data-code="E12000001" selected>North East</option>' in region
    assert region.count(" selected") == 1 and region.count("data-code=") == 9
    authority = options(render_to_string("includes/fields/select.html", {"field": form["local_authority"]}))
    assert '<option value="leeds" selected>Leeds</option>' in authority
    assert authority.count(" selected") == 1 and "data-code" not in authority
