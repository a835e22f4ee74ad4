"""The 'Find a mutual' filters: one form for the page and every open-data URL."""

from django import forms
from django.db.models import F
from django.http import QueryDict

from mutuals.models import Region, Sector
from places import lookup
from places.models import LocalAuthority
from psm_site.blocks import per_generation
from psm_site.templatetags.psm import option_parts

MAX_SEARCH_LENGTH = 100


class _RowsOnce:
    """Reads its table once per content generation in each process (psm_site/blocks.py): the same
    rows check the chosen slugs and draw the choices for every visitor until content changes.

    A ModelChoiceField asks the database for each (a filtered registry page read its sectors twice).
    The tables are short lists (nine regions, a dozen sectors), each with one field here.
    """

    def rows(self):
        rows = self.__dict__.get("_rows")
        if rows is None:
            model = self.queryset.model._meta.label
            rows = self._rows = per_generation(("choice rows", model), lambda: {row.slug: row for row in self.queryset})
        return rows

    def chosen(self, value):
        if not isinstance(value, str) or value not in self.rows():
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return self.rows()[value]


class _RowsIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.rows().values():
            yield self.choice(row)

    def __len__(self):
        return len(self.field.rows()) + (self.field.empty_label is not None)


class SlugChoiceField(_RowsOnce, forms.ModelChoiceField):
    iterator = _RowsIterator

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return self.chosen(value)


class AuthorityChoiceField(SlugChoiceField):
    """England's local authorities, kept by each process until the postcode lookup is rebuilt: its
    rows, which check a choice and draw the options, are places.lookup.english_authorities(), asked
    once per content generation."""

    def __init__(self, **kwargs):
        super().__init__(LocalAuthority.objects.none(), **kwargs)

    def rows(self):
        # A rebuild of the lookup moves the content generation (local_authorities.on_postcodes_ready).
        return per_generation(("choice rows", "english authorities"), lookup.english_authorities)

    def option_parts(self):
        """The select's options, made again only when the rows are (see select_options)."""
        rows = self.rows()
        if rows is not _authority_options["rows"]:
            choices = [("", self.empty_label), *((slug, self.label_from_instance(row)) for slug, row in rows.items())]
            _authority_options.update(rows=rows, parts=option_parts(choices))
        return _authority_options["parts"]


_authority_options = {"rows": None, "parts": []}


class SlugMultipleChoiceField(_RowsOnce, forms.ModelMultipleChoiceField):
    iterator = _RowsIterator

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def _check_values(self, value):
        """The chosen rows, in the table's order (ModelMultipleChoiceField returns a queryset)."""
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        for slug in value:
            self.chosen(slug)
        return [row for slug, row in self.rows().items() if slug in value]


class MutualFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("live", "Live"),
        ("closed", "Closed"),
        ("no_longer_mutual", "No longer a mutual"),
        ("all", "Any status"),
    ]
    # The first is the default order: nearest first after a postcode, else by name. It is a choice
    # of its own so that typing a postcode into a page that was sorted by default sorts by distance.
    SORT_CHOICES = [
        ("", "Nearest first, or by name without a postcode"),
        ("name", "Name (A to Z)"),
        ("newest", "Newest spin-out first"),
    ]
    DISTANCE_CHOICES = [
        ("", "Any distance"),
        ("5", "Within 5 miles"),
        ("10", "Within 10 miles"),
        ("25", "Within 25 miles"),
        ("50", "Within 50 miles"),
    ]

    q = forms.CharField(
        label="Search by name or town",
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        error_messages={"max_length": f"Search must be {MAX_SEARCH_LENGTH} characters or fewer"},
    )
    postcode = forms.CharField(
        label="Near a postcode",
        required=False,
        max_length=16,
        help_text=f"A full UK postcode, like {lookup.EXAMPLE}",
        error_messages={"max_length": f"Enter a full UK postcode, like {lookup.EXAMPLE}"},
    )
    distance = forms.ChoiceField(
        label="Distance",
        choices=DISTANCE_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose a distance from the list"},
    )
    sector = SlugMultipleChoiceField(
        Sector.objects.all(),
        label="Sector",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose sectors from the list",
            "invalid_pk_value": "Choose sectors from the list",
        },
    )
    region = SlugChoiceField(
        Region.objects.all(),
        label="Region",
        required=False,
        empty_label="All of England",
        error_messages={"invalid_choice": "Choose a region from the list"},
    )
    # A plain select; with JavaScript, GOV.UK's accessible-autocomplete (static/js/authority-autocomplete.js).
    local_authority = AuthorityChoiceField(
        label="Local authority",
        required=False,
        empty_label="Any local authority",
        error_messages={"invalid_choice": "Choose a local authority from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose live, closed, no longer a mutual, or any status"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose how to sort from the list"},
    )

    def __init__(self, data=None, **kwargs):
        # Unbound and missing values fall back to defaults, so '/mutuals/' shows live mutuals by name.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setlist("sector", [value for value in data.getlist("sector") if value.strip()])
        if not data.get("status"):
            data["status"] = "live"
        super().__init__(data, **kwargs)

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_postcode(self):
        """The typed postcode's Place (see places.lookup), or None when none was typed."""
        typed = self.cleaned_data["postcode"]
        if not typed.strip():
            return None
        if not lookup.is_postcode(typed):
            raise forms.ValidationError(f"Enter a full UK postcode, like {lookup.EXAMPLE}")
        place = lookup.find(typed)
        if place is None:
            raise forms.ValidationError(
                f"We cannot find the postcode {lookup.display(lookup.compact(typed))}. "
                f"Check it and enter a full UK postcode, like {lookup.EXAMPLE}"
            )
        return place

    @property
    def place(self):
        """The postcode's Place when the form is valid and one was given."""
        return self.cleaned_data.get("postcode") if hasattr(self, "cleaned_data") else None

    def filter(self, queryset):
        """Apply the cleaned filters to a queryset of published mutuals.

        With a postcode, each row carries `distance_km2` (its squared distance, see places.lookup).
        """
        data = self.cleaned_data
        place = data["postcode"]
        if place:
            queryset = queryset.annotate(distance_km2=lookup.squared_km_expression(place))
            if data["distance"]:
                miles_away = int(data["distance"])
                queryset = queryset.filter(
                    **lookup.box_around(place, miles_away), distance_km2__lte=lookup.squared_km_within(miles_away)
                )
        if data["q"]:
            queryset = queryset.matching(data["q"])
        if data["sector"]:
            queryset = queryset.in_sectors(data["sector"])
        if data["region"]:
            queryset = queryset.in_region(data["region"])
        if data["local_authority"]:
            queryset = queryset.in_local_authority(data["local_authority"])
        if data["status"] == "live":
            queryset = queryset.live()
        elif data["status"] == "closed":
            queryset = queryset.closed()
        elif data["status"] == "no_longer_mutual":
            queryset = queryset.no_longer_mutual()
        if place and not data["sort"]:
            queryset = queryset.order_by("distance_km2", "name")
        elif data["sort"] == "newest":
            queryset = queryset.order_by(F("spun_out_year").desc(nulls_last=True), "name")
        else:
            queryset = queryset.order_by("name")
        return queryset

    def query_string(self, **changes):
        """This filter state as a query string (for pagination and downloads)."""
        params = QueryDict(mutable=True)
        data = self.cleaned_data
        if data.get("q"):
            params["q"] = data["q"]
        if data.get("postcode"):
            params["postcode"] = data["postcode"].postcode
            if data.get("distance"):
                params["distance"] = data["distance"]
        for sector in data.get("sector") or []:
            params.appendlist("sector", sector.slug)
        if data.get("region"):
            params["region"] = data["region"].slug
        if data.get("local_authority"):
            params["local_authority"] = data["local_authority"].slug
        if data.get("status") and data["status"] != "live":
            params["status"] = data["status"]
        # Without a postcode, by name is the default order: the address leaves it out.
        if data.get("sort") and (data.get("postcode") or data["sort"] != "name"):
            params["sort"] = data["sort"]
        for key, value in changes.items():
            params[key] = value
        return params.urlencode()

    def selected_summary(self):
        """Human words for the active filters, for the results heading."""
        data = self.cleaned_data
        parts = []
        if data.get("postcode"):
            if data.get("distance"):
                parts.append(f"within {data['distance']} miles of {data['postcode'].postcode}")
            else:
                parts.append(f"by distance from {data['postcode'].postcode}")
        if data.get("q"):
            parts.append(f"matching ‘{data['q']}’")
        if data.get("sector"):
            parts.append("in " + " or ".join(s.name for s in data["sector"]))
        if data.get("region"):
            parts.append(f"in {data['region'].name}")
        if data.get("local_authority"):
            parts.append(f"in {data['local_authority'].name}")
        return parts
