import fcntl

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from psm_site.permissions import EDITORS, PUBLISHERS


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _empty_cache_at_start():
    """With REDIS_URL set (as in CI) the cache outlives a run: start each run from an empty one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production's hasher takes 0.3 s a password on purpose; every staff fixture and sign-in here
    would pay it. What is tested is who may sign in, not how hard a hash is to reverse."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_idle_sign_out(settings):
    """Tests that move the clock by days keep their staff sign-in; tests/site/test_signin.py
    turns the idle limit back on."""
    settings.ADMIN_IDLE_MINUTES = 0


@pytest.fixture(autouse=True)
def _one_process_shares_its_cache(settings):
    """The test client and the code it changes content with are one process: its local-memory
    cache is every process's cache (tests/site/test_caching.py turns this off to check the rest)."""
    settings.PAGE_CACHE_SHARED = True


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


# The postcodes the tests use: Leeds, Westminster, Edinburgh and Cardiff (a slice, built in a
# second, not the directory's 2.7 million rows).
TEST_POSTCODE_AREAS = ["LS", "SW1A", "EH1", "CF10"]


def build_test_postcodes():
    from django.core.management import call_command

    call_command("build_postcodes", "--full", "--only", *TEST_POSTCODE_AREAS, verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the postcode slice once per session; tests roll back around it."""
    with django_db_blocker.unblock():
        build_test_postcodes()


def ensure_test_postcodes():
    """The slice, built again if a transactional test emptied the tables (inside a test's
    transaction, it is rolled back with the test)."""
    from places.models import PostcodeData

    if not PostcodeData.objects.exists():
        build_test_postcodes()


@pytest.fixture
def postcodes(db):
    """The slice of postcodes, whatever ran before."""
    ensure_test_postcodes()


def pytest_make_parametrize_id(config, val, argname):
    """File contents as parameters are named by kind, not by their bytes: a generated .xlsx holds
    the time it was made, and `pytest -n` needs every worker to collect the same test names."""
    if isinstance(val, bytes):
        return f"{argname}-bytes"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has been torn down (Django empties every table), put back the rows
    data migrations made, so the next test finds groups, sectors and regions whatever the order
    (pytest -n hands each worker a different one)."""
    yield
    if nextitem is None:  # the last test: the test database has just been dropped
        return
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")
    )
    if transactional or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        from pytest_django.plugin import blocking_manager_key

        from tests.browser.conftest import restore_reference_rows

        with item.config.stash[blocking_manager_key].unblock():
            restore_reference_rows()


MANIFEST_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def production_storages():
    from django.conf import settings

    return {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}


@pytest.fixture(scope="session")
def built_static(tmp_path_factory, worker_id):
    """STATIC_ROOT as `make collectstatic` builds it for production (hashed names, compressed copies).

    Built once a run: collectstatic compresses every file of GOV.UK Frontend and Leaflet, about
    25 s, so the pytest-xdist workers share one build, the first to ask making it under a lock.
    """
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    root = shared / "built-static"
    with open(shared / "built-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "staticfiles.json").exists():
            with override_settings(STATIC_ROOT=root, STORAGES=production_storages()):
                call_command("collectstatic", "--noinput", "--ignore", "*.scss", verbosity=0)
    return root
