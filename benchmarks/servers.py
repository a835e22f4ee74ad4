"""Two app servers on one Redis: shared entries and ETags, a bounded cache, Redis lost and back.

    .venv/bin/python benchmarks/servers.py --postgres postgres://psm:psm@127.0.0.1:5432/psm_servers \\
        --redis-port 6391 --ports 8281,8282 [--mutuals 5000]

WIPES the database, migrates it and seeds the real content topped up to --mutuals (as
benchmarks/run.py does), starts its own redis-server on --redis-port (never the shared one) and two
gunicorn app servers with deploy/gunicorn.conf.py, each with its own APP_SERVER_NAME and APP_PORT,
as deploy/prod does. Then it measures and prints:

1. shared: a page rendered by server A is a hit on server B with the same ETag, and 100
   conditional requests alternating between the servers all get 304;
2. bounded: Redis's used_memory before and after 1,000 requests for /mutuals.geojson?x=N;
3. a made-up `sessionid` cookie is still served from the cache;
4. Redis stopped: about 300 addresses from the sitemap (an even sample of all) plus the data files on both servers (5xx counted),
   /healthz's answer; Redis started again: seconds until a page is a cache hit again;
5. no hot row: a 5,000-row import (tests/mutuals/test_import.py's columns) runs while an editor's
   save (a Mutual saved in its own transaction every 0.2 s) is timed and wrk measures the home
   page, against wrk on the home page before the import. An import still running after
   --import-seconds is stopped (its transaction rolls back: the cache's generation must not move).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import reset_postgres  # noqa: E402


def request(port, path, headers=None, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # One Host for both servers, as nginx passes the visitor's (deploy/nginx.conf): it is part of the key.
    headers = {"Host": "127.0.0.1", "Accept-Encoding": "gzip", **(headers or {})}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def wait_for(port, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if request(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on {port}")


class Redis:
    def __init__(self, port):
        self.port, self.folder = port, tempfile.mkdtemp(prefix="psm-redis-")
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", self.folder], stdout=subprocess.DEVNULL)
        for _ in range(50):
            if self.info("used_memory") is not None:
                return
            time.sleep(0.1)
        raise SystemExit("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait()

    def info(self, field):
        try:
            out = subprocess.run(
                ["redis-cli", "-p", str(self.port), "info", "memory"], capture_output=True, text=True, timeout=5
            ).stdout
        except subprocess.TimeoutExpired:
            return None
        found = re.search(rf"^{field}:(\d+)", out, re.M)
        return int(found.group(1)) if found else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="this database is WIPED")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--ports", default="8281,8282")
    parser.add_argument("--mutuals", default="5000")
    parser.add_argument("--keep", action="store_true", help="reuse the database as the last run left it")
    parser.add_argument("--import-seconds", type=int, default=120, help="stop the import after this long")
    args = parser.parse_args()
    ports = [int(port) for port in args.ports.split(",")]
    python = sys.executable
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": args.postgres,
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "PYTHONPATH": str(ROOT),
        "GUNICORN_WORKERS": "1",
        # No warm-up request at boot (deploy/gunicorn.conf.py): server A's first request must render.
        "APP_WARM_UP": "off",
    }
    if not args.keep:
        print("Preparing: wiping, migrating and seeding the database, collecting static files ...", flush=True)
        reset_postgres(args.postgres)
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0", "--ignore", "*.scss"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        seed = f"import django; django.setup(); from benchmarks.run import seed; seed({args.mutuals!r})"
        subprocess.run([python, "-c", seed], cwd=ROOT, env=env, check=True)

    redis = Redis(args.redis_port)
    redis.start()
    servers = []
    try:
        for number, port in enumerate(ports, 1):
            server_env = {
                **env,
                "APP_PORT": str(port),
                "APP_SERVER_NAME": f"app-{number}",
                "HOSTNAME": f"host-{number}",
            }
            gunicorn = str(Path(python).with_name("gunicorn"))
            command = [gunicorn, "-c", "deploy/gunicorn.conf.py", "psm_site.wsgi"]
            servers.append(subprocess.Popen(command, cwd=ROOT, env=server_env, stderr=subprocess.DEVNULL))
        for port in ports:
            wait_for(port)
        results = measure(ports, redis)
        results["import"] = import_scenario(ports[0], env, args.import_seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        if redis.process.poll() is None:
            redis.stop()
        shutil.rmtree(redis.folder, ignore_errors=True)
    print(json.dumps(results, indent=1))


def measure(ports, redis):
    a, b = ports[0], ports[1]
    results = {}
    # 1. One renders, the other serves the same entry with the same ETag; 304s across servers.
    _, first, _ = request(a, "/")
    _, second, _ = request(b, "/")
    codes = [request(ports[n % 2], "/", {"If-None-Match": first["etag"]})[0] for n in range(100)]
    results["shared"] = {
        "A": first.get("x-cache"),
        "B": second.get("x-cache"),
        "same_etag": first["etag"] == second["etag"],
        "conditional_304_of_100": codes.count(304),
    }
    # 2. 1,000 requests for the GeoJSON with an unknown parameter.
    request(a, "/mutuals.geojson")
    before = redis.info("used_memory")
    started = time.perf_counter()
    hits = sum(request(ports[n % 2], f"/mutuals.geojson?x={n}")[1].get("x-cache") == "hit" for n in range(1000))
    after = redis.info("used_memory")
    results["bounded"] = {
        "geojson_x_N_requests": 1000,
        "hits": hits,
        "redis_bytes_added": after - before,
        "seconds": round(time.perf_counter() - started, 1),
    }
    # 3. A made-up session cookie does not skip the cache.
    request(a, "/mutuals/")
    results["made_up_sessionid"] = request(b, "/mutuals/", {"Cookie": "sessionid=x"})[1].get("x-cache")
    # 4. Redis stopped, then back.
    _, _, sitemap = request(a, "/sitemap.xml", {"Accept-Encoding": "identity"})
    paths = [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap.decode())]
    paths = paths[:: max(1, len(paths) // 300)]  # about 300 of the sitemap's addresses, every kind of page
    paths += ["/search/?q=mutual", "/mutuals.csv", "/mutuals.json", "/updates.atom"]
    redis.stop()
    statuses = [request(ports[n % 2], path)[0] for n, path in enumerate(paths)]
    _, _, health = request(a, "/healthz")
    results["redis_stopped"] = {
        "pages": len(statuses),
        "5xx": sum(status >= 500 for status in statuses),
        "healthz": json.loads(health),
    }
    redis.start()
    back = time.monotonic()
    while request(a, "/")[1].get("x-cache") != "hit":
        time.sleep(0.05)
        if time.monotonic() - back > 30:
            break
    results["redis_back"] = {"seconds_until_a_hit": round(time.monotonic() - back, 2)}
    return results


HEADER = "name,sectors,region,town,latitude,longitude,spun_out_year,parent_body,legal_form,ownership,website,status,summary,source_url"
ROW = "Import Mutual {n:05d},Health,London,Camden,51.5290,-0.1255,2012,Camden Council,Community interest company,Staff-owned,,live,Runs services.,"

IMPORTER = """
import sys, time, django, tablib
django.setup()
from mutuals.resources import import_mutuals
started = time.perf_counter()
result, imported = import_mutuals(dataset=tablib.Dataset().load(open(sys.argv[1]).read(), format="csv"))
print(f"imported={imported} seconds={time.perf_counter() - started:.1f}", flush=True)
"""

SAVER = """
import os, sys, time, statistics, django
django.setup()
from django.db import transaction
from mutuals.models import Mutual
pk = Mutual.objects.published().order_by("pk").values_list("pk", flat=True).first()
times = []
Mutual.objects.get(pk=pk).save()  # a first save warms the process (not timed)
while not os.path.exists(sys.argv[1]):
    started = time.perf_counter()
    with transaction.atomic():
        mutual = Mutual.objects.get(pk=pk)
        mutual.summary = f"Saved at {time.time():.1f}."
        mutual.save()
    times.append(time.perf_counter() - started)
    time.sleep(0.2)
times.sort()
p95, over = times[int(len(times) * 0.95)], sum(t > 1 for t in times)
print(f"saves={len(times)} median_ms={statistics.median(times) * 1000:.0f} p95_ms={p95 * 1000:.0f} "
      f"max_ms={times[-1] * 1000:.0f} over_1s={over}", flush=True)
"""


def wrk_rate(port, seconds=5):
    out = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", "-H", "Host: 127.0.0.1", f"http://127.0.0.1:{port}/"],
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else None


def import_scenario(port, env, limit):
    folder = Path(tempfile.mkdtemp(prefix="psm-import-"))
    csv_path, stop = folder / "rows.csv", folder / "stop"
    csv_path.write_text("\n".join([HEADER, *(ROW.format(n=n) for n in range(1, 5001))]) + "\n")
    python = sys.executable
    request(port, "/")
    before = wrk_rate(port)
    importer = subprocess.Popen(
        [python, "-c", IMPORTER, str(csv_path)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    time.sleep(5)
    during = wrk_rate(port)  # before the editor starts saving: each save rightly retires the cached home page
    saver = subprocess.Popen([python, "-c", SAVER, str(stop)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        importer.wait(timeout=limit)
        outcome = importer.stdout.read().strip()
    except subprocess.TimeoutExpired:
        importer.terminate()
        importer.wait()
        outcome = f"stopped after {limit} s (rolled back)"
    stop.touch()
    saves = saver.communicate(timeout=30)[0].strip()
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "import": outcome,
        "editor_saves_during_import": saves,
        "home_req_per_s_before": before,
        "home_req_per_s_during": during,
    }


if __name__ == "__main__":
    main()
