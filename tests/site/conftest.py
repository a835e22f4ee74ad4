import pytest

from tests.conftest import load_first_content
from tests.factories import make_open_round


def load_site_content():
    """The fixtures, plus a round open now (fixtures first: they carry their own ids)."""
    load_first_content()
    return make_open_round()


@pytest.fixture
def site_content(db):
    return load_site_content()
