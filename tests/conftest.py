import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from psm_site.permissions import EDITORS, PUBLISHERS


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back tests reuse content version numbers."""
    cache.clear()
    yield
    cache.clear()


def _staff(username, group_name):
    user = User.objects.create_user(username=username, password="a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db):
    return _staff("editor", EDITORS)


@pytest.fixture
def publisher(db):
    return _staff("publisher", PUBLISHERS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client
