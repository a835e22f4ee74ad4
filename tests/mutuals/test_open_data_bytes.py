"""The open-data files at the real registry's 37 rows, byte for byte.

tests/data/open-data/ holds each file as the site wrote it when this test was added. A change to
how the files are built must leave them alone; a change to the fixtures' registry needs them made
again: `UPDATE_OPEN_DATA=1 make test PYTEST_ARGS=tests/mutuals/test_open_data_bytes.py`.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import load_first_content
from tests.helpers import body

pytestmark = pytest.mark.django_db
EXPECTED = Path(__file__).resolve().parent.parent / "data" / "open-data"


def test_open_data_bytes_are_unchanged_at_the_real_registry(client, postcodes):
    load_first_content()
    changed = []
    for extension in ["csv", "json", "geojson"]:
        for query in ["", "?status=all&sector=health"]:
            written = body(client.get(reverse(f"mutuals:mutuals-{extension}") + query))
            expected = EXPECTED / f"mutuals{'-all-health' if query else ''}.{extension}"
            if os.environ.get("UPDATE_OPEN_DATA"):
                expected.write_bytes(written)
            if written != expected.read_bytes():
                changed.append(expected.name)
    assert changed == []
