"""A fingerprint of every file collectstatic would collect (name, size, modification time).

    .venv/bin/python deploy/static_inputs.py

deploy/prod runs collectstatic only when this differs from the last run's: hashing and
compressing every file again takes a minute on a small machine, and most deploys change none.
"""

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.finders import get_finders  # noqa: E402

IGNORE = ["*.scss"]  # as deploy/prod's collectstatic --ignore


def main():
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(settings.STORAGES["staticfiles"]).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(IGNORE):
            stat = os.stat(storage.path(path))
            entries.append(f"{getattr(storage, 'prefix', '') or ''}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
