"""A 2,000-row background import on the SQLite set-up while the alerts clock runs every 10 s, and
a killed clock coming back (issue 21). Run beside the two development processes:

    make run PORT=8220                      # one terminal
    make worker ALERTS_CLOCK_SECONDS=10     # another
    .venv/bin/python benchmarks/background_import_sqlite.py --url http://127.0.0.1:8220 [--rows 2000]

It signs in as demo-editor, uploads a file of new mutuals, waits for the worker's check (timing
every status page), confirms, waits for the import, and meanwhile keeps loading public pages.
Then it kills the clock's process (not its keeper) and times until /healthz says the clock is
"ok" again with a newer heartbeat. Look in `make worker`'s output for "database is locked".
"""

import argparse
import csv
import http.cookiejar
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        started = time.perf_counter()
        with self.opener.open(request, timeout=120) as response:
            body = response.read().decode()
            return body, response.geturl(), time.perf_counter() - started

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path, fields, files=None):
        boundary = "----psm-bench"
        parts = []
        for name, value in {"csrfmiddlewaretoken": self.csrf(), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (file_name, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
                "Content-Type: text/csv\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path}
        return self.open(path, b"".join(parts), headers)


def rows_file(count):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "sectors", "region", "town", "latitude", "longitude", "summary"])
    stamp = int(time.time())
    for number in range(count):
        writer.writerow(
            [f"Bench Mutual {stamp}-{number}", "Health", "London", "Camden", "51.52900", "-0.12550", "Runs services."]
        )
    return out.getvalue().encode()


def clock_pids():
    found = subprocess.run(["pgrep", "-f", "manage.py alerts_clock"], capture_output=True, text=True).stdout.split()
    pids = []
    for pid in found:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"manage.py" in command and b"alerts_clock" in command and not any(b"keep-running" in c for c in command):
            if Path(f"/proc/{pid}/cwd").resolve() == ROOT:
                pids.append(int(pid))
    return pids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    browser = Browser(args.url)
    browser.open("/admin/login/")
    browser.post("/admin/login/", {"username": "demo-editor", "password": "demo-mutuals-2026", "next": "/admin/"})

    stop = threading.Event()
    public = {"requests": 0, "errors": 0, "slowest": 0.0}

    def read_pages():
        reader = Browser(args.url)
        while not stop.is_set():
            for path in ["/", "/mutuals/", "/healthz"]:
                try:
                    _, _, seconds = reader.open(path)
                    public["slowest"] = max(public["slowest"], seconds)
                except Exception:  # noqa: BLE001 - counted, the point of the exercise
                    public["errors"] += 1
                public["requests"] += 1
            time.sleep(0.5)

    thread = threading.Thread(target=read_pages, daemon=True)
    thread.start()

    started = time.perf_counter()
    body, status_url, _ = browser.post(
        "/admin/mutuals/mutual/import/",
        {"format": "0", "resource": "0"},
        {"import_file": ("bench.csv", rows_file(args.rows))},
    )
    path = urllib.parse.urlparse(status_url).path
    print(f"uploaded {args.rows} rows; status page {path}")
    slowest = 0.0
    while True:
        body, _, seconds = browser.open(path)
        slowest = max(slowest, seconds)
        if "Confirm import" in body or "problem" in body and "found" in body:
            break
        if "database is locked" in body:
            print("status page: database is locked")
        time.sleep(1)
    checked = time.perf_counter() - started
    print(f"checked in {checked:.0f} s")
    body, run_url, _ = browser.post(path, {})
    run_path = urllib.parse.urlparse(run_url).path
    while True:
        body, _, seconds = browser.open(run_path)
        slowest = max(slowest, seconds)
        if "Import finished" in body or "went wrong" in body or "nothing was imported" in body:
            break
        time.sleep(1)
    done = re.search(r"<p>(\d[\d,]* rows: [^<]*)</p>", body)
    print(f"imported in {time.perf_counter() - started:.0f} s in all: {done.group(1) if done else body[-300:]}")
    print(f"slowest status page {slowest:.2f} s")
    stop.set()
    thread.join()
    print(
        f"public pages meanwhile: {public['requests']} requests, {public['errors']} errors, slowest {public['slowest']:.2f} s"
    )

    before = json.loads(browser.open("/healthz")[0])
    pids = clock_pids()
    print(f"healthz before the kill: {before}; killing the clock process {pids}")
    killed_at = time.perf_counter()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    while time.perf_counter() - killed_at < 120:
        new = [pid for pid in clock_pids() if pid not in pids]
        if new:
            print(f"a new clock process {new} after {time.perf_counter() - killed_at:.1f} s")
            break
        time.sleep(0.5)
    print(f"healthz after: {json.loads(browser.open('/healthz')[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
