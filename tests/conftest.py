import fcntl
import io
from collections import Counter

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
def _no_outage_carried_over():
    """A test that took the cache or the database away leaves this process holding off from it for
    a moment (psm_site/web/outage.py); the next test starts with both answering."""
    from psm_site.web import cache_outage, outage

    cache_outage.reset()
    outage.reset()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, and no value kept by this process (psm_site/blocks.py):
    rolled-back tests reuse content version numbers."""
    from psm_site import blocks

    cache.clear()
    blocks.forget_kept()
    yield
    cache.clear()
    blocks.forget_kept()


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


# --- Database states made once, kept and put back -----------------------------------------------
# Three states are made when a process's test database is: the rows migrations leave (groups and
# their rights, sectors, regions), the postcode slice, and the first content (what
# `load_initial_content` loads). Each table of a state is copied beside itself under a prefix no
# flush reaches, and put back with one INSERT ... SELECT a table. Putting back the migrations' rows
# after a transactional test (Django empties every table) took half a second by running the data
# migrations again; loading the first content took as long; the postcode slice, seconds.
_kept = {}  # state -> its tables, in this process's test database (made by django_db_setup)

# The postcodes the tests use: Leeds, Westminster, Edinburgh and Cardiff (a slice of the
# directory's 2.7 million rows, which still takes seconds to read out of the package).
TEST_POSTCODE_AREAS = ["LS", "SW1A", "EH1", "CF10"]


def _kept_copy(state, table):
    return f"kept_{state}__{table}"


def _places_tables():
    from django.apps import apps

    return [model._meta.db_table for model in apps.get_app_config("places").get_models()]


def _tables_with_rows(exclude):
    from django.db import connection

    from tests.management.commands.flush import tables_with_rows

    return [table for table in tables_with_rows(connection) if table not in exclude]


def _keep(state, tables):
    from django.db import connection

    _kept[state] = tables
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {_kept_copy(state, table)}")
            cursor.execute(f"CREATE TABLE {_kept_copy(state, table)} AS SELECT * FROM {table}")


def _put_back(state, *, also_empty=()):
    """The state's tables as they were kept: what is in them now (say, post_migrate's content types
    after a flush) goes, the kept rows come back with their ids, sequences continue after them."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    tables = _kept[state]
    emptied = list(dict.fromkeys([*tables, *also_empty]))
    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in emptied:
            cursor.execute(f"DELETE FROM {table}")
        for table in tables:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {_kept_copy(state, table)}")
        for statement in connection.ops.sequence_reset_sql(no_style(), [models[table] for table in emptied]):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make and keep the three states; tests start from the first (and roll back to it)."""
    from django.db import connection

    with django_db_blocker.unblock():
        places = _places_tables()
        _keep("migrated", _tables_with_rows(exclude=places))
        call_command("build_postcodes", "--full", "--only", *TEST_POSTCODE_AREAS, verbosity=0)
        _keep("postcodes", places)
        call_command("load_initial_content", stdout=io.StringIO())
        _keep("content", _tables_with_rows(exclude=places))
        _put_back("migrated", also_empty=_kept["content"])
        # Playwright runs an event loop in this thread, and while it runs Django keeps this thread's
        # connections apart (asgiref's Local): a connection left open here would outlive the run
        # and stop pytest-django dropping the test database at the end.
        connection.close()


def put_back_reference_rows():
    """After a flush: the rows migrations made, as they made them."""
    _put_back("migrated")


def ensure_test_postcodes():
    """The slice, put back if a transactional test emptied it (inside a test's transaction, it is
    rolled back with the test)."""
    from places.models import PostcodeData

    if not PostcodeData.objects.exists():
        _put_back("postcodes")


def load_first_content():
    """What `load_initial_content` loads (its mutuals placed in their local authorities), put back
    from the copy made with the test database. Like the command, it leaves content alone where
    there is some already."""
    from psm_site.publishing.content import publishable_models
    from psm_site.web.cache import bump

    if any(model.objects.exists() for model in publishable_models()):
        return
    ensure_test_postcodes()
    _put_back("content")
    bump()  # as the rows' save signals would have


@pytest.fixture
def postcodes(db):
    """The slice of postcodes, whatever ran before."""
    ensure_test_postcodes()


def pytest_collection_modifyitems(config, items):
    """Longest first: browser test files (over half the suite's time), those with the most tests
    first, then the rest. `make test` hands each file to one pytest-xdist worker in this order
    (`--no-loadscope-reorder`: by default pytest-xdist puts the files with the most tests first,
    fast unit tests, and the browser files last), so a long browser file never starts last and
    keeps one worker busy alone at the end. The sort is stable: pytest-randomly's shuffle (which
    runs before this) still orders the rest, and the tests inside each file."""
    per_file = Counter(item.path for item in items)

    def longest_first(item):
        browser = "browser" in item.path.parts
        return (not browser, -per_file[item.path] if browser else 0)

    items.sort(key=longest_first)


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

        with item.config.stash[blocking_manager_key].unblock():
            put_back_reference_rows()


MANIFEST_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# The same hashing and manifest (whitenoise's storage is a subclass of Django's), no compression.
HASHED_ONLY = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}


def production_storages():
    from django.conf import settings

    return {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}


@pytest.fixture(scope="session")
def built_static(tmp_path_factory, worker_id):
    """STATIC_ROOT as `make collectstatic` builds it for production, hashed names and manifest,
    which production's storage reads; the pytest-xdist workers share one build, the first to ask
    making it under a lock.

    Without the compressed copies: whitenoise's storage compresses every file with gzip and brotli
    after hashing (25 s of CPU, a tenth of the suite's), and nothing here reads them. `make prod`
    builds them, and .ci/run's production stage serves from that build.
    """
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    root = shared / "built-static"
    hashed_only = {**production_storages(), "staticfiles": HASHED_ONLY}
    with open(shared / "built-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "staticfiles.json").exists():
            with override_settings(STATIC_ROOT=root, STORAGES=hashed_only):
                call_command("collectstatic", "--noinput", "--ignore", "*.scss", verbosity=0)
    return root
