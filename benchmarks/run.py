"""Find a mutual at three registry sizes: response time and size, SQL queries, time to markers in Chromium.

    .venv/bin/python benchmarks/run.py [--sizes real,110,5000] [--repeat 15] [--browser-runs 5]

Each dataset gets its own SQLite file under benchmarks/results/ (never the developer's
db.sqlite3): 'real' is the fixture registry (fixtures/registry.json), a number is that many
synthetic mutuals. For each one this script counts SQL queries per page in-process (Django test
client), then serves the site with gunicorn on 127.0.0.1 (production settings: DEBUG off,
hashed static files) and times requests with urllib and the map with headless Chromium.
Results go to benchmarks/results/: one JSON file per dataset, summary.json and summary.md.

Absolute times depend on this machine (and a 2-core machine runs the server, Chromium and this
script together): compare sizes through the ratios measured in the same run.
"""

import argparse
import gzip
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TEMPLATE_DB = RESULTS / "template.sqlite3"
SETTINGS = "benchmarks.settings"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DETAIL = "{detail}"  # replaced by a live mutual's page for each dataset

# Pages whose SQL queries are counted, and the subset timed over HTTP.
COUNTED = [
    "/mutuals/",
    "/mutuals/?status=all",
    "/mutuals/?sector=health&region=london",
    "/mutuals/?page=2",
    DETAIL,
    "/mutuals.csv",
    "/mutuals.json",
    "/mutuals.geojson",
    "/mutuals/statistics/",
    "/mutuals/points.json",
    "/mutuals/results/?sector=health",
    "/mutuals/coverage/",
    "/mutuals/regions/london/",
]
TIMED = [
    "/mutuals/",
    "/mutuals/?status=all",
    "/mutuals/points.json",
    "/mutuals/coverage/",
    "/mutuals/regions/london/",
    "/mutuals.geojson",
    "/mutuals.csv",
    DETAIL,
]

# Synthetic mutuals sit around real towns, a few kilometres apart, in each region (ONS code).
TOWNS = {
    "E12000001": [("Newcastle upon Tyne", 54.978, -1.618), ("Sunderland", 54.906, -1.381), ("Durham", 54.776, -1.575)],
    "E12000002": [("Manchester", 53.480, -2.243), ("Liverpool", 53.408, -2.991), ("Preston", 53.763, -2.703)],
    "E12000003": [("Leeds", 53.800, -1.549), ("Sheffield", 53.381, -1.470), ("Hull", 53.745, -0.336)],
    "E12000004": [("Nottingham", 52.954, -1.158), ("Leicester", 52.637, -1.139), ("Lincoln", 53.230, -0.540)],
    "E12000005": [("Birmingham", 52.486, -1.890), ("Coventry", 52.406, -1.512), ("Stoke-on-Trent", 53.003, -2.180)],
    "E12000006": [("Norwich", 52.630, 1.297), ("Cambridge", 52.205, 0.122), ("Chelmsford", 51.736, 0.469)],
    "E12000007": [("London", 51.507, -0.128), ("Croydon", 51.376, -0.098), ("Ealing", 51.513, -0.305)],
    "E12000008": [("Brighton", 50.823, -0.137), ("Southampton", 50.910, -1.404), ("Oxford", 51.752, -1.258)],
    "E12000009": [("Bristol", 51.455, -2.588), ("Plymouth", 50.376, -4.143), ("Exeter", 50.718, -3.534)],
}
KINDS = ["Community Health", "Care Partnership", "Libraries Trust", "Leisure", "Youth Services", "Careers"]

# Set by an init script in Chromium: when the map sets data-marker-count (markers drawn), and two
# animation frames later (drawn on screen). Times are milliseconds since navigation started.
DRAW_OBSERVER = """
new MutationObserver((records, observer) => {
  const map = document.getElementById("mutual-map-canvas");
  if (!map || !map.hasAttribute("data-marker-count")) return;
  observer.disconnect();
  window.__psmDrawn = performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__psmPainted = performance.now(); }));
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-marker-count"] });
"""


def database_url(path):
    return f"sqlite:///{path}"


def child_env(db_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": database_url(db_path)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


# --- The parent: prepare, run each dataset in its own process, summarise ------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,110,5000", help="comma-separated: 'real' and/or numbers")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per URL (after 3 warm-ups)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads in Chromium per dataset")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # internal: measure one dataset
    args = parser.parse_args()
    if args.dataset:
        return measure(args.dataset, args.repeat, args.browser_runs)

    RESULTS.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    started = time.perf_counter()
    print("Preparing: migrations into a template database, static files into benchmarks/results/ ...")
    TEMPLATE_DB.unlink(missing_ok=True)
    env = child_env(TEMPLATE_DB)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0", "--ignore", "*.scss"], cwd=ROOT, env=env, check=True
    )

    results = []
    for name in args.sizes.split(","):
        db_path = RESULTS / f"bench-{name}.sqlite3"
        shutil.copyfile(TEMPLATE_DB, db_path)
        print(f"Dataset {name}: seeding and measuring ...")
        subprocess.run(
            [
                python,
                str(Path(__file__).resolve()),
                "--dataset",
                name,
                "--repeat",
                str(args.repeat),
                "--browser-runs",
                str(args.browser_runs),
            ],
            cwd=ROOT,
            env=child_env(db_path),
            check=True,
        )
        results.append(json.loads((RESULTS / f"{name}.json").read_text()))

    summary = summarise(results)
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=1))
    table = markdown(summary)
    (RESULTS / "summary.md").write_text(table)
    print(table)
    print(f"Finished in {time.perf_counter() - started:.0f} s. Results in {RESULTS.relative_to(ROOT)}/")


def summarise(results):
    # The issue compares 5,000 with 110 synthetic mutuals; fall back to the first dataset measured.
    first = next((r for r in results if r["name"] == "110"), results[0])
    last = results[-1]
    return {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "datasets": results,
        "ratios": {
            "label": f"{last['name']} / {first['name']}",
            "http_median": {
                path: last["http"][path]["median_ms"] / first["http"][path]["median_ms"] for path in first["http"]
            },
            "bytes": {path: last["http"][path]["bytes"] / first["http"][path]["bytes"] for path in first["http"]},
            "browser": {
                key: last["browser"][key] / first["browser"][key]
                for key in ("html_received_ms", "markers_drawn_ms", "painted_ms")
            },
        },
        "queries_identical": all(len({r["queries"][path] for r in results} - {None}) == 1 for path in first["queries"]),
    }


def markdown(summary):
    datasets = summary["datasets"]
    label = summary["ratios"]["label"]
    head = "| | " + " | ".join(f"{d['name']} ({d['mutuals']} mutuals)" for d in datasets) + f" | ratio {label} |"
    rows = [head, "|" + "---|" * (len(datasets) + 2)]

    def row(title, values, ratio=None, fmt="{:,.0f}"):
        cells = ["–" if v is None else fmt.format(v) for v in values]
        rows.append(f"| {title} | " + " | ".join(cells) + f" | {'' if ratio is None else f'{ratio:.1f}×'} |")

    for path in datasets[0]["http"]:
        shown = path.replace("{detail}", "detail page")
        row(
            f"`{shown}` median ms",
            [d["http"][path]["median_ms"] for d in datasets],
            summary["ratios"]["http_median"][path],
            "{:,.1f}",
        )
        row(f"`{shown}` KB", [d["http"][path]["bytes"] / 1024 for d in datasets], summary["ratios"]["bytes"][path])
        row(f"`{shown}` KB gzipped", [d["http"][path]["gzip_bytes"] / 1024 for d in datasets])
    for key, title in [
        ("html_received_ms", "Chromium: HTML received, ms"),
        ("load_ms", "Chromium: window load, ms"),
        ("markers_drawn_ms", "Chromium: markers drawn, ms"),
        ("painted_ms", "Chromium: markers on screen, ms"),
    ]:
        ratio = summary["ratios"]["browser"].get(key)
        row(title, [d["browser"][key] for d in datasets], ratio)
    for path in datasets[0]["queries"]:
        shown = path.replace("{detail}", "detail page")
        row(f"SQL queries `{shown}`", [d["queries"][path] for d in datasets])
    same = "yes" if summary["queries_identical"] else "NO"
    rows.append(f"\nSQL queries per page the same at every size: {same}.")
    return "\n".join(rows) + "\n"


# --- The child: one dataset -------------------------------------------------------------------


def measure(name, repeat, browser_runs):
    import django

    if not os.environ.get("DATABASE_URL", "").startswith(database_url(RESULTS)):
        raise SystemExit("Refusing to run: DATABASE_URL must point into benchmarks/results/.")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection

    from mutuals.models import Mutual

    seed(name)
    mutuals = Mutual.objects.published().count()
    detail = Mutual.objects.published().live().order_by("name").first().get_absolute_url()
    queries = count_queries(detail)
    connection.close()

    server = Server(RESULTS / f"{name}-gunicorn.log")
    try:
        http = {path: time_url(server.url + path.replace(DETAIL, detail), repeat) for path in TIMED}
        browser = time_map(server.url + "/mutuals/", browser_runs)
    finally:
        server.stop()
    result = {"name": name, "mutuals": mutuals, "queries": queries, "http": http, "browser": browser}
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))


def seed(name):
    from django.core.management import call_command

    if name == "real":
        call_command("load_initial_content", verbosity=0)
    else:
        seed_synthetic(int(name))


def seed_synthetic(count):
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from mutuals.models import ENGLAND_LATITUDE, ENGLAND_LONGITUDE, Mutual, Region, Sector

    rng = random.Random(count)  # the same registry every run
    regions = {region.ons_code: region for region in Region.objects.all()}
    sectors = list(Sector.objects.all())
    now = timezone.now()

    def inside(value, bounds):
        return min(max(Decimal(f"{value:.5f}"), bounds[0]), bounds[1])

    mutuals, their_sectors = [], []
    for number in range(1, count + 1):
        code = rng.choice(sorted(TOWNS))
        town, lat, lng = rng.choice(TOWNS[code])
        name = f"{town} {rng.choice(KINDS)} Mutual {number:05d}"
        mutuals.append(
            Mutual(
                name=name,
                slug=slugify(name),
                summary=f"A synthetic mutual near {town}, for benchmarks.",
                region=regions[code],
                town=town,
                latitude=inside(rng.gauss(lat, 0.08), ENGLAND_LATITUDE),
                longitude=inside(rng.gauss(lng, 0.12), ENGLAND_LONGITUDE),
                spun_out_year=rng.randint(1998, 2024),
                legal_form=rng.choice(Mutual.LegalForm.values),
                trading_status=Mutual.Trading.CLOSED if rng.random() < 0.08 else Mutual.Trading.LIVE,
                status=Mutual.Status.PUBLISHED,
                first_published_at=now,
            )
        )
        their_sectors.append(rng.sample(sectors, rng.choice([1, 1, 2, 3])))
    with transaction.atomic():
        created = Mutual.objects.bulk_create(mutuals, batch_size=500)
        Mutual.sectors.through.objects.bulk_create(
            [
                Mutual.sectors.through(mutual_id=mutual.pk, sector_id=sector.pk)
                for mutual, chosen in zip(created, their_sectors, strict=True)
                for sector in chosen
            ],
            batch_size=1000,
        )


def count_queries(detail):
    """SQL queries per page, on the second request (the first warms per-process caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for path in COUNTED:
        url = path.replace(DETAIL, detail)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # A page that does not exist at this size (page 2 of a short list) is recorded as None.
        counts[path] = len(captured) if response.status_code == 200 else None
    return counts


class Server:
    """gunicorn serving the site on a free localhost port, with this dataset's database."""

    def __init__(self, log_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "psm_site.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(150):
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"gunicorn did not answer on {self.url}; see {log_path}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        return response.read()


def time_url(url, repeat):
    for _ in range(3):
        body = fetch(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        body = fetch(url)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, compresslevel=6)),
        "requests": repeat,
    }


def time_map(url, runs):
    """Navigation to markers drawn in headless Chromium (median of `runs` cold page loads)."""
    import re

    from playwright.sync_api import sync_playwright

    off_site = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs + 1):  # the first load warms Chromium itself and is not counted
            context = browser.new_context()
            page = context.new_page()
            page.route(off_site, lambda route: route.abort())  # no map tiles offline
            page.add_init_script(DRAW_OBSERVER)
            page.goto(url, wait_until="commit")
            page.wait_for_function("() => window.__psmPainted !== undefined", timeout=120_000, polling=50)
            sample = page.evaluate(
                """() => {
                  const nav = performance.getEntriesByType("navigation")[0];
                  return {
                    html_received_ms: nav.responseEnd,
                    load_ms: nav.loadEventEnd || performance.now(),
                    markers_drawn_ms: window.__psmDrawn,
                    painted_ms: window.__psmPainted,
                    markers: Number(document.getElementById("mutual-map-canvas").dataset.markerCount),
                    results: Number(document.getElementById("result-count").dataset.count),
                  };
                }"""
            )
            if sample["markers"] != sample["results"]:
                raise SystemExit(f"The map drew {sample['markers']} markers for {sample['results']} results")
            if run:
                samples.append(sample)
            context.close()
        browser.close()
    summary = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    summary["runs"] = runs
    return summary


if __name__ == "__main__":
    main()
