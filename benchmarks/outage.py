"""Outage and load figures for the production stack (deploy/prod), through nginx. Not a test.

    .venv/bin/python benchmarks/outage.py [stop] [freeze] [kill] [load]     (default: all four)

It starts its own PostgreSQL 15 cluster in a temporary folder on OUTAGE_PG_PORT (default 9150:
never the machine's shared server), brings the stack up against it on PROD_PORT / APP_PORTS
(defaults 9180 and 9181 9182, in issue 9's range), and runs each scenario under wrk load while an
editor saves through the admin every 100 ms:

- stop:   PostgreSQL stopped (pg_ctl stop -m fast) for 10 s, then started.
- freeze: every PostgreSQL process SIGSTOPped for 20 s, then SIGCONT.
- kill:   one app server (gunicorn master and workers) killed with SIGKILL.
- load:   60 s of wrk at 64 connections over the main pages, no outage, no editor.

Figures come from nginx's access log (every response, with its time and status) and wrk's
latency report; benchmarks/README.md records them. Everything it started is stopped at the end.
"""

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = int(os.environ.get("OUTAGE_PG_PORT", "9150"))
PG_DATA = Path(os.environ.get("OUTAGE_PG_DATA", tempfile.gettempdir() + f"/psm-outage-pg-{PG_PORT}"))
PROD_PORT = os.environ.get("PROD_PORT", "9180")
APP_PORTS = os.environ.get("APP_PORTS", "9181 9182")
PROD_DIR = ROOT / ".prod-outage"
BASE = f"http://127.0.0.1:{PROD_PORT}"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://psm:psm@127.0.0.1:{PG_PORT}/psm",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
    "PROD_PORT": PROD_PORT,
    "APP_PORTS": APP_PORTS,
    "PROD_DIR": str(PROD_DIR),
    "DJANGO_MEDIA_ROOT": str(PROD_DIR / "media"),
}
EDITOR = ("outage-editor", "outage-editor-password-2026")
TOTP = {}  # the editor's TOTP device: key, step, t0, digits (made in main)
WRK_CONNECTIONS = int(os.environ.get("OUTAGE_CONNECTIONS", "8"))


def run(*command, **kwargs):
    return subprocess.run(command, check=True, env=ENV, cwd=ROOT, **kwargs)


def as_postgres(*command):
    return run("runuser", "-u", "postgres", "--", *command, stdout=subprocess.DEVNULL)


# --- Our own PostgreSQL -----------------------------------------------------------------------


def pg_start():
    as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "-w", "-l", str(PG_DATA / "server.log"),
        "-o", f"-p {PG_PORT} -k {PG_DATA} -c listen_addresses=127.0.0.1",
        "start",
    )  # fmt: skip


def pg_stop():
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop")


def pg_up():
    if not (PG_DATA / "PG_VERSION").exists():
        PG_DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chown", "postgres:postgres", str(PG_DATA)], check=True)
        as_postgres(str(PG_BIN / "initdb"), "-D", str(PG_DATA), "-U", "postgres", "--auth=trust")
    if not (PG_DATA / "postmaster.pid").exists():
        pg_start()
    psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-tAc"]
    if (
        subprocess.run(
            [*psql, "SELECT 1 FROM pg_roles WHERE rolname = 'psm'"], capture_output=True, text=True
        ).stdout.strip()
        != "1"
    ):
        subprocess.run([*psql, "CREATE ROLE psm LOGIN PASSWORD 'psm' CREATEDB"], check=True)
        subprocess.run([*psql, "CREATE DATABASE psm OWNER psm"], check=True)


def pg_processes():
    postmaster = int((PG_DATA / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def pg_signal(sig):
    for pid in pg_processes():
        os.kill(pid, sig)


# --- The stack --------------------------------------------------------------------------------


def stack_up():
    run("deploy/prod", "up", stdout=subprocess.DEVNULL)


def stack_down():
    run("deploy/prod", "down", stdout=subprocess.DEVNULL)


def kill_app_server(port):
    master = int((PROD_DIR / f"app-{port}.pid").read_text())
    workers = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    for pid in [master, *map(int, workers)]:
        os.kill(pid, signal.SIGKILL)


def django_setup():
    os.environ.update({k: v for k, v in ENV.items() if k in ("DATABASE_URL", "REDIS_URL", "DJANGO_MEDIA_ROOT")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psm_site.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-does-not-serve")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- The editor: a save through the admin every 100 ms -----------------------------------------


class Editor(threading.Thread):
    def __init__(self, run_name):
        super().__init__(daemon=True)
        from django.urls import reverse

        self.add_url = BASE + reverse("admin:redirects_redirect_add")
        self.saved_url = reverse("admin:redirects_redirect_changelist")
        self.login_url = BASE + reverse("admin:login")
        self.code_url = BASE + reverse("admin:two-factor")
        self.prefix = f"/outage-check/{run_name}-{int(time.time())}/"
        self.answers, self.stopping = {}, threading.Event()  # path -> what the POST got
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def _cookies_over_http(self):
        # Django marks cookies Secure (production settings); this stack speaks plain HTTP.
        for cookie in self.jar:
            cookie.secure = False

    def _post(self, url, data):
        """(status, Location) of a POST, redirects not followed."""
        self._cookies_over_http()
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            response = self.opener.open(urllib.request.Request(url, body, headers={"Referer": url}), timeout=10)
            status, location = response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location", "")
        self._cookies_over_http()
        return status, location

    def login(self):
        """Password, then a code from the TOTP device, as psm_site.signin asks of every staff member."""
        from django_otp.oath import totp

        self.opener.open(self.login_url, timeout=10).read()
        status, location = self._post(self.login_url, {"username": EDITOR[0], "password": EDITOR[1], "next": "/"})
        assert status == 302 and "two-factor" in location, f"password answered {status} {location}"
        for _ in range(2):  # a code is accepted once: a sign-in in the same 30 s as the last waits for the next
            self.opener.open(self.code_url + "?next=/", timeout=10).read()
            code = totp(TOTP["key"], step=TOTP["step"], t0=TOTP["t0"], digits=TOTP["digits"])
            status, location = self._post(self.code_url, {"code": f"{code:0{TOTP['digits']}d}", "next": "/"})
            if status == 302 and location == "/":
                return
            time.sleep(TOTP["step"] - time.time() % TOTP["step"] + 1)
        raise AssertionError(f"the code answered {status} {location}")

    def run(self):
        number = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            number += 1
            path = f"{self.prefix}{number}"
            try:
                status, location = self._post(self.add_url, {"site": "1", "old_path": path, "new_path": "/"})
                # The admin's answer to a save: 302 to the list of redirects. 302 elsewhere (the
                # sign-in or two-factor page) is a refusal.
                answer = "saved" if status == 302 and location.startswith(self.saved_url) else status
            except OSError as error:
                answer = type(error).__name__
            self.answers[path] = answer
            time.sleep(max(0, 0.1 - (time.monotonic() - started)))

    def verify(self):
        """Each save attempted, looked up in the database: only a row found counts as a save."""
        from django.contrib.redirects.models import Redirect
        from django.db import connection

        connection.close()
        found = set(Redirect.objects.filter(old_path__startswith=self.prefix).values_list("old_path", flat=True))
        said_saved = {path for path, answer in self.answers.items() if answer == "saved"}
        return {
            "saves attempted": len(self.answers),
            "saves found in the database": len(found),
            "answered 'saved' and found": len(said_saved & found),
            "answered 'saved' but missing": len(said_saved - found),
            "found but not answered 'saved'": len(found - said_saved),
            "refused": dict(Counter(str(a) for p, a in self.answers.items() if a != "saved" and p not in found)),
        }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- Load and the access log --------------------------------------------------------------------


def wrk_script(paths):
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        "local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return script


def main_pages():
    from mutuals.models import Mutual

    slugs = list(Mutual.objects.published().order_by("name").values_list("slug", flat=True)[:5])
    return [
        "/",
        "/mutuals/",
        "/introduction-to-public-service-mutuals",
        "/research/",
        "/support/",
        "/updates/",
        "/mutuals/statistics/",
        *[f"/mutuals/{slug}/" for slug in slugs],
    ]


def wrk(seconds, connections, script):
    return subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            BASE + "/",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


LINE = re.compile(r'^(?P<at>[\d.]+) \S+ "(?P<method>\S+) (?P<path>\S+)" (?P<status>\d+) \d+ rt=(?P<rt>[\d.]+)')


def access_log_since(offset):
    with open(PROD_DIR / "nginx-access.log") as log:
        log.seek(offset)
        return [m.groupdict() for m in map(LINE.match, log) if m]


def log_offset():
    path = PROD_DIR / "nginx-access.log"
    return path.stat().st_size if path.exists() else 0


def wrk_figures(output):
    figures = {}
    for name, pattern in [("p50", r"50%\s+(\S+)"), ("p99", r"99%\s+(\S+)"), ("max", r"Latency\s+\S+\s+\S+\s+(\S+)")]:
        match = re.search(pattern, output)
        figures[name] = match.group(1) if match else "?"
    requests = re.search(r"(\d+) requests in", output)
    figures["requests"] = int(requests.group(1)) if requests else 0
    errors = re.search(r"Socket errors: (.*)", output)
    figures["socket errors"] = errors.group(1).strip() if errors else "none"
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non-2xx/3xx"] = int(non2xx.group(1)) if non2xx else 0
    rate = re.search(r"Requests/sec:\s+(\S+)", output)
    figures["requests/s"] = rate.group(1) if rate else "?"
    return figures


# --- Scenarios --------------------------------------------------------------------------------


def scenario(name, fault, restore, *, fault_at=5, fault_for=10, total=30):
    print(f"--- {name}", flush=True)
    offset = log_offset()
    script = wrk_script(main_pages())
    editor = Editor(name)
    editor.login()
    load = wrk(total, WRK_CONNECTIONS, script)
    editor.start()
    time.sleep(fault_at)
    fault_started = time.time()
    fault()
    time.sleep(fault_for)
    restore()
    fault_ended = time.time()
    output, _ = load.communicate()
    editor.stopping.set()
    editor.join()
    script.unlink()
    lines = access_log_since(offset)
    statuses = Counter(int(line["status"]) for line in lines)
    bad = [float(line["at"]) for line in lines if int(line["status"]) >= 500]
    after = [float(line["at"]) for line in lines if float(line["at"]) >= fault_ended and int(line["status"]) >= 500]
    results = {
        "scenario": name,
        "responses": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "500s": statuses.get(500, 0),
        "5xx other than 503": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "slowest response (s)": max(float(line["rt"]) for line in lines),
        "slowest 5xx (s)": max((float(line["rt"]) for line in lines if int(line["status"]) >= 500), default=0),
        "first error after fault (s)": round(min(bad) - fault_started, 2) if bad else None,
        "seconds to full recovery": round(max(after) - fault_ended, 2) if after else 0,
        "wrk": wrk_figures(output),
        **editor.verify(),
    }
    print(json.dumps(results, indent=2), flush=True)
    return results


def stop_scenario():
    return scenario("stop PostgreSQL 10 s", pg_stop, pg_start, fault_for=10, total=30)


def freeze_scenario():
    return scenario(
        "freeze PostgreSQL (SIGSTOP) 20 s",
        lambda: pg_signal(signal.SIGSTOP),
        lambda: pg_signal(signal.SIGCONT),
        fault_for=20,
        total=40,
    )


def kill_scenario():
    port = APP_PORTS.split()[0]
    result = scenario(f"kill app server {port}", lambda: kill_app_server(port), lambda: None, fault_for=10, total=25)
    stack_up()  # starts the killed app server again
    return result


def load_scenario():
    print("--- load: 60 s, 64 connections", flush=True)
    offset = log_offset()
    script = wrk_script(main_pages())
    output, _ = wrk(60, 64, script).communicate()
    script.unlink()
    lines = access_log_since(offset)
    statuses = Counter(int(line["status"]) for line in lines)
    results = {
        "scenario": "load 60 s x 64 connections",
        "statuses": dict(sorted(statuses.items())),
        "wrk": wrk_figures(output),
    }
    print(output)
    print(json.dumps(results, indent=2), flush=True)
    return results


SCENARIOS = {"stop": stop_scenario, "freeze": freeze_scenario, "kill": kill_scenario, "load": load_scenario}


def main(names):
    pg_up()
    try:
        stack_up()
        django_setup()
        from django.contrib.auth.models import User
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = User.objects.filter(username=EDITOR[0]).first() or User.objects.create_superuser(
            EDITOR[0], password=EDITOR[1]
        )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Outage benchmark", confirmed=True
        )
        TOTP.update(key=device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        results = [SCENARIOS[name]() for name in names]
        out = ROOT / "benchmarks" / "outage-results.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"written {out.relative_to(ROOT)}")
    finally:
        try:
            pg_signal(signal.SIGCONT)
        except (OSError, ValueError):
            pass
        stack_down()
        if (PG_DATA / "postmaster.pid").exists():
            pg_stop()


if __name__ == "__main__":
    main(sys.argv[1:] or list(SCENARIOS))
