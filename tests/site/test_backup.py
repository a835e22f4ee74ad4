"""make backup / make restore: a real pg_dump and pg_restore of the test database, and media."""

import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from mutuals.models import Attachment, Mutual
from tests.factories import make_mutual, make_publication
from tests.mutuals.test_attachments import pdf_bytes

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore"),
]


ROOT = Path(__file__).resolve().parents[2]


def run_backup(*args, env):
    result = subprocess.run(
        ["deploy/backup", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def backup_env(settings, tmp_path):
    database = connection.settings_dict
    url = "postgres://{}:{}@{}:{}/{}".format(
        urllib.parse.quote(database["USER"]),
        urllib.parse.quote(database["PASSWORD"]),
        database["HOST"] or "127.0.0.1",
        database["PORT"] or 5432,
        database["NAME"],
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }


def test_backup_then_restore_brings_back_pages_and_files(client, settings, backup_env):
    kept = make_mutual(name="Kept Care Mutual", slug="kept-care")
    renamed = make_mutual(name="Original Name Mutual", slug="original-name")
    publication = make_publication()
    attachment = Attachment.objects.create(publication=publication, title="Annual report")
    attachment.file.save("report.pdf", ContentFile(pdf_bytes(pages=2)))
    pdf_path = Path(attachment.file.path)
    before = client.get(renamed.get_absolute_url())
    assert "Original Name Mutual" in before.text

    output = run_backup("save", env=backup_env)
    (archive,) = (Path(backup_env["BACKUP_DIR"])).glob("psm-*.tar")
    assert str(archive.name) in output

    # Changes after the backup: a rename, a deletion, a lost file and a new one.
    Mutual.objects.filter(pk=renamed.pk).update(name="Renamed Later")
    kept.delete()
    pdf_path.unlink()
    stray = Path(settings.MEDIA_ROOT) / "stray.txt"
    stray.write_text("made after the backup")
    assert client.get(kept.get_absolute_url()).status_code == 404

    connection.close()
    run_backup("restore", str(archive), env=backup_env)

    assert "Original Name Mutual" in client.get(renamed.get_absolute_url()).text
    assert client.get("/mutuals/kept-care/").status_code == 200
    assert Mutual.objects.filter(name="Renamed Later").count() == 0
    assert pdf_path.read_bytes() == attachment.file.open("rb").read() and pdf_path.stat().st_size > 0
    assert not stray.exists()


def test_restore_without_a_file_says_how(backup_env):
    result = subprocess.run(
        ["deploy/backup", "restore", "no-such.tar"], cwd=ROOT, env=backup_env, capture_output=True, text=True
    )
    assert result.returncode == 2 and "make restore FILE=" in result.stderr
