import io

import pytest
from django.core.management import call_command

from tests.factories import make_open_round


def load_site_content():
    """The fixtures, plus a round open now (fixtures first: they carry their own ids). Postcodes
    first of all: loading places each mutual in its local authority."""
    from tests.conftest import ensure_test_postcodes

    ensure_test_postcodes()
    call_command("load_initial_content", stdout=io.StringIO())
    return make_open_round()


@pytest.fixture
def site_content(db):
    return load_site_content()
