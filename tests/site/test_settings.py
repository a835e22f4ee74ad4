"""Settings from the environment: .env.example is complete and loads as it is."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ENV_EXAMPLE = ROOT / ".env.example"

# Run in a fresh interpreter, so settings read only the variables given.
SHOW_SETTINGS = """
import json, django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="WARNING")
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "MEDIA_ROOT": str(s.MEDIA_ROOT),
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "DATABASE_ENGINE": s.DATABASES["default"]["ENGINE"],
    "CLOSING_SOON_DAYS": s.CLOSING_SOON_DAYS,
}))
"""


def read_env_file(path):
    """KEY=value lines, read as systemd's EnvironmentFile= and `docker run --env-file` read them."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, equals, value = line.partition("=")
            assert equals and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"not KEY=value: {line!r}"
            values[key] = value
    return values


def test_env_example_loads_as_it_is_into_a_working_configuration(tmp_path):
    variables = read_env_file(ENV_EXAMPLE)
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "psm_site.settings", **variables}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=tmp_path,  # a blank DJANGO_MEDIA_ROOT must not make the current folder the media folder
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["DEBUG"] is False
    assert Path(loaded["MEDIA_ROOT"]) == ROOT / "media"
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000 and loaded["SECURE_SSL_REDIRECT"] is True  # blank: defaults
    assert "postgresql" in loaded["DATABASE_ENGINE"]
    assert loaded["CLOSING_SOON_DAYS"] == 14


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "psm_site" / "settings.py").read_text()
    read = set(re.findall(r"""(?:env_\w+|os\.environ\.get|os\.environ\[)\(?\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    assert read, "the pattern no longer finds the settings' variables"
    assert read - set(read_env_file(ENV_EXAMPLE)) == set()
