"""The site at several registry sizes: throughput against a static file, SQL queries, Lighthouse, map drawing.

    .venv/bin/python benchmarks/run.py [--sizes real,110,5000] [--postgres [URL]] [--wrk-seconds 5]
        [--pairs 3] [--cache-modes on,off] [--lighthouse-runs 1] [--repeat 15] [--browser-runs 5]

Each dataset gets its own database: an SQLite file under benchmarks/results/ (never the developer's
db.sqlite3), or with --postgres a PostgreSQL database that is wiped and migrated for each dataset
(default postgres://psm:psm@127.0.0.1:5432/psm_bench, made if missing). 'real' is the fixture
registry (fixtures/registry.json), a number is that many synthetic mutuals. For each one this
script counts SQL queries per page in-process (Django test client), then serves the site with
gunicorn (2 sync workers) on 127.0.0.1 with production settings (DEBUG off, hashed static files),
and measures:

- wrk (`wrk -t2 -c16`): each page against the same bytes saved as a static file and served by the
  same gunicorn and whitenoise, in back-to-back pairs, with the server-side page cache on and off
  (PAGE_CACHE); the median of the pairs' ratios is the figure to read. Every page and data file
  again with `Accept-Encoding: gzip`, as browsers ask, against its bytes gzipped once as a static
  file;
- knock-on: the home page's p50 while 4 clients download /mutuals.geojson;
- urllib: median response time and size of the registry pages;
- Chromium: navigation to markers drawn on /mutuals/;
- Lighthouse (npm `lighthouse`, mobile, Debian Chromium) on the listed pages.

Results go to benchmarks/results/: one JSON file per dataset, summary.json and summary.md.

Absolute times depend on this machine (and a 2-core machine runs the server, Chromium and this
script together): compare sizes through the ratios measured in the same run.
"""

import argparse
import gzip
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TEMPLATE_DB = RESULTS / "template.sqlite3"
SETTINGS = "benchmarks.settings"
sys.path.insert(0, str(ROOT))  # run as a script: the project's own packages
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - needs the path above

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
# Pages measured with wrk against a static copy of themselves, and pages Lighthouse scores.
EXPLAINER = "/introduction-to-public-service-mutuals"
WRK_PAGES = [
    "/",
    EXPLAINER,
    "/mutuals/",
    DETAIL,
    "/mutuals.geojson",
    "/mutuals.csv",
    "/support/",
    "/search/?q=health",
    "/sitemap.xml",
]
# Measured again as browsers ask, with Accept-Encoding: gzip, against a static copy compressed once.
GZIP_PAGES = [*WRK_PAGES, "/mutuals/points.json"]
TAKES_GZIP = "Accept-Encoding: gzip, deflate, br"
LIGHTHOUSE_PAGES = ["/", EXPLAINER, "/mutuals/", DETAIL, "/support/"]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
KNOCK_ON_CLIENTS = 4
POSTGRES_DEFAULT = "postgres://psm:psm@127.0.0.1:5432/psm_bench"

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


def child_env(url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": url}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def reset_postgres(url):
    """Make the benchmark database if missing, and empty it (it is wiped for every dataset)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


# --- The parent: prepare, run each dataset in its own process, summarise ------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="real,110,5000", help="comma-separated: 'real' and/or numbers")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per URL (after 3 warm-ups)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads in Chromium per dataset")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("BENCH_DATABASE_URL", POSTGRES_DEFAULT),
        help=f"measure on PostgreSQL: this database is WIPED for each dataset (default {POSTGRES_DEFAULT})",
    )
    parser.add_argument("--wrk-seconds", type=int, default=5, help="duration of each wrk run (0: skip wrk)")
    parser.add_argument("--pairs", type=int, default=3, help="back-to-back page/static pairs per page")
    parser.add_argument("--cache-modes", default="on,off", help="server-side page cache: on, off or both")
    parser.add_argument("--lighthouse-runs", type=int, default=1, help="Lighthouse runs per page (0: skip)")
    parser.add_argument("--label", default="", help="a name for this run, kept in the results")
    parser.add_argument("--dataset", help=argparse.SUPPRESS)  # internal: measure one dataset
    args = parser.parse_args()
    if args.dataset:
        return measure(args.dataset, args)

    RESULTS.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    started = time.perf_counter()
    print("Preparing: static files into benchmarks/results/ ...")
    TEMPLATE_DB.unlink(missing_ok=True)
    env = child_env(database_url(TEMPLATE_DB))
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0", "--ignore", "*.scss"], cwd=ROOT, env=env, check=True
    )
    if not args.postgres:
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    results = []
    for name in args.sizes.split(","):
        if args.postgres:
            url = args.postgres
            reset_postgres(url)
            subprocess.run(
                [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=child_env(url), check=True
            )
        else:
            db_path = RESULTS / f"bench-{name}.sqlite3"
            shutil.copyfile(TEMPLATE_DB, db_path)
            url = database_url(db_path)
        print(f"Dataset {name}: seeding and measuring ...", flush=True)
        child = [python, str(Path(__file__).resolve()), "--dataset", name]
        for option in ("repeat", "browser_runs", "wrk_seconds", "pairs", "cache_modes", "lighthouse_runs"):
            child += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
        if args.postgres:
            child += ["--postgres", args.postgres]
        subprocess.run(child, cwd=ROOT, env=child_env(url), check=True)
        results.append(json.loads((RESULTS / f"{name}.json").read_text()))

    summary = summarise(results)
    summary["label"] = args.label
    summary["database"] = "postgresql" if args.postgres else "sqlite"
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
    rows += throughput_tables(datasets) + lighthouse_table(datasets)
    return "\n".join(rows) + "\n"


def throughput_tables(datasets):
    """wrk: requests/s of each page and, in brackets, its median ratio to the same bytes as a static file."""
    rows = []
    modes = [mode for mode in ("on", "off") if any(mode in d.get("wrk", {}) for d in datasets)]
    if not modes:
        return rows
    title = "Requests/s with wrk (page ÷ the same bytes as a static file, median of the pairs):"
    rows += wrk_table(datasets, modes, "wrk", WRK_PAGES, title)
    cells = []
    for mode in modes:
        for d in datasets:
            knock = d.get("knock_on", {}).get(mode)
            cells.append("–" if not knock else f"{knock['home_p50_ms']:,.1f} ms (alone {knock['alone_p50_ms']:,.1f})")
    rows.append(
        f"| home p50 while {KNOCK_ON_CLIENTS} clients download `/mutuals.geojson` | " + " | ".join(cells) + " |"
    )
    if any(d.get("wrk_gzip") for d in datasets):
        title = f"The same with `{TAKES_GZIP}`, as browsers send (static file: the bytes gzipped once):"
        rows += wrk_table(datasets, modes, "wrk_gzip", GZIP_PAGES, title)
    return rows


def wrk_table(datasets, modes, kind, pages, title):
    head = "| page | " + " | ".join(f"{d['name']}, cache {mode}" for mode in modes for d in datasets) + " |"
    rows = ["", title, "", head, "|---|" + "---|" * (len(modes) * len(datasets))]
    for path in pages:
        cells = []
        for mode in modes:
            for d in datasets:
                figure = d.get(kind, {}).get(mode, {}).get(path)
                cells.append(
                    "–"
                    if not figure
                    else f"{figure['page_rps']:,.1f} ({figure['ratio']:.3f}), p50 {figure['page_p50_ms']:,.1f} ms, "
                    f"{figure['bytes'] / 1024:,.0f} KB"
                )
        rows.append(f"| `{path.replace(DETAIL, 'a mutual')}` | " + " | ".join(cells) + " |")
    return rows


def lighthouse_table(datasets):
    rows = []
    if not any(d.get("lighthouse") for d in datasets):
        return rows
    rows += [
        "",
        "Lighthouse (mobile): performance / accessibility / best practices / SEO, CLS, TBT ms:",
        "",
        "| page | " + " | ".join(d["name"] for d in datasets) + " |",
        "|---|" + "---|" * len(datasets),
    ]
    for path in LIGHTHOUSE_PAGES:
        cells = []
        for d in datasets:
            score = d.get("lighthouse", {}).get(path)
            cells.append(
                "–"
                if not score
                else "{performance}/{accessibility}/{best-practices}/{seo}, CLS {cls:.3f}, TBT {tbt:,.0f}".format(
                    **score
                )
            )
        rows.append(f"| `{path.replace(DETAIL, 'a mutual')}` | " + " | ".join(cells) + " |")
    return rows


# --- The child: one dataset -------------------------------------------------------------------


def measure(name, args):
    import django

    url = os.environ.get("DATABASE_URL", "")
    if not (url.startswith(database_url(RESULTS)) or (args.postgres and url == args.postgres)):
        raise SystemExit("Refusing to run: DATABASE_URL must point into benchmarks/results/ or be --postgres.")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection

    from mutuals.models import Mutual

    seed(name)
    mutuals = Mutual.objects.published().count()
    detail = Mutual.objects.published().live().order_by("name").first().get_absolute_url()
    queries = count_queries(detail)
    connection.close()

    log = RESULTS / f"{name}-gunicorn.log"
    server = Server(log)
    try:
        http = {path: time_url(server.url + path.replace(DETAIL, detail), args.repeat) for path in TIMED}
        bodies = {path: fetch(server.url + path.replace(DETAIL, detail)) for path in {*WRK_PAGES, *GZIP_PAGES}}
        browser = time_map(server.url + "/mutuals/", args.browser_runs)
        lighthouse = {
            path: run_lighthouse(server.url + path.replace(DETAIL, detail), args.lighthouse_runs)
            for path in (LIGHTHOUSE_PAGES if args.lighthouse_runs else [])
        }
    finally:
        server.stop()
    result = {
        "name": name,
        "mutuals": mutuals,
        "queries": queries,
        "http": http,
        "browser": browser,
        "lighthouse": lighthouse,
    }
    if args.wrk_seconds:
        static = save_static_copies(name, bodies)  # whitenoise finds files when gunicorn starts
        result["wrk"], result["wrk_gzip"], result["knock_on"] = {}, {}, {}
        for mode in args.cache_modes.split(","):
            server = Server(log, page_cache=mode)
            try:
                result["wrk"][mode] = {
                    path: throughput_pairs(
                        server.url + path.replace(DETAIL, detail),
                        server.url + static[path],
                        len(bodies[path]),
                        args,
                    )
                    for path in WRK_PAGES
                }
                result["wrk_gzip"][mode] = {
                    path: throughput_pairs(
                        server.url + path.replace(DETAIL, detail),
                        server.url + static[path],
                        len(bodies[path]),
                        args,
                        headers=[TAKES_GZIP],
                    )
                    for path in GZIP_PAGES
                }
                result["knock_on"][mode] = knock_on(server.url, args.wrk_seconds)
            finally:
                server.stop()
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))


def save_static_copies(name, bodies):
    """Each page's bytes as a file under STATIC_ROOT/bench/, and gzipped beside it: {path: static URL}."""
    from django.conf import settings
    from django.utils.text import slugify

    folder = Path(settings.STATIC_ROOT) / "bench" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    urls = {}
    for path, body in bodies.items():
        suffix = Path(path.split("?")[0]).suffix or (".xml" if "sitemap" in path else ".html")
        filename = (slugify(path.replace(DETAIL, "detail")) or "home") + suffix
        (folder / filename).write_bytes(body)
        (folder / f"{filename}.gz").write_bytes(gzip.compress(body, 9))  # whitenoise serves it to gzip clients
        urls[path] = f"{settings.STATIC_URL}bench/{name}/{filename}"
    return urls


def wrk(url, seconds, threads=2, connections=16, headers=()):
    """Requests/s and p50 (ms) from `wrk --latency`."""
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url]
        + [argument for header in headers for argument in ("-H", header)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)] if p50 else 0
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses under wrk")
    return {"rps": rps, "p50_ms": float(p50.group(1)) * scale if p50 else None}


def drained(url):
    """Wait until the server has finished what wrk left queued (slow pages outlive wrk's run)."""
    quick = urllib.parse.urljoin(url, "/robots.txt")
    for _ in range(300):
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(quick, timeout=300) as response:
                response.read()
        except OSError:  # still busy: a queue of slow pages can outlast any timeout
            continue
        if time.perf_counter() - start < 0.2:
            return
        time.sleep(0.2)


def throughput_pairs(page_url, static_url, size, args, headers=()):
    """Page then static file, back to back, `pairs` times; the median ratio of their requests/s."""
    pairs = []
    for _ in range(args.pairs):
        page = wrk(page_url, args.wrk_seconds, headers=headers)
        drained(static_url)
        static = wrk(static_url, args.wrk_seconds, headers=headers)
        drained(static_url)
        pairs.append({"page": page, "static": static, "ratio": page["rps"] / static["rps"] if static["rps"] else 0})
    middle = sorted(pairs, key=lambda pair: pair["ratio"])[len(pairs) // 2]
    return {
        "page_rps": middle["page"]["rps"],
        "static_rps": middle["static"]["rps"],
        "page_p50_ms": middle["page"]["p50_ms"],
        "ratio": middle["ratio"],
        "bytes": size,
        "pairs": pairs,
    }


def knock_on(base_url, seconds):
    """The home page's p50 (one client) alone, then while 4 clients download /mutuals.geojson."""
    alone = wrk(base_url + "/", seconds, threads=1, connections=1)
    downloads = subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{KNOCK_ON_CLIENTS}",
            f"-d{seconds + 2}s",
            "--timeout",
            "30s",
            base_url + "/mutuals.geojson",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)  # the downloads are under way
        during = wrk(base_url + "/", seconds, threads=1, connections=1)
    finally:
        downloads.wait()
    drained(base_url + "/robots.txt")
    return {"alone_p50_ms": alone["p50_ms"], "home_p50_ms": during["p50_ms"], "home_rps": during["rps"]}


def run_lighthouse(url, runs):
    """Lighthouse's mobile preset on Debian Chromium: median performance run, with its CLS and TBT."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm ci` (it is a dev dependency in package.json).")
    scores = []
    for _ in range(runs):
        report = RESULTS / "lighthouse.json"
        for _attempt in range(3):  # Lighthouse sometimes fails to record a trace (NO_NAVSTART) on a busy machine
            report.unlink(missing_ok=True)
            done = subprocess.run(
                [
                    str(LIGHTHOUSE),
                    url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility,best-practices,seo",
                    "--chrome-flags=" + " ".join(CHROMIUM_ARGS),
                ],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
            )
            if done.returncode == 0 and report.exists():
                break
        else:
            raise SystemExit(f"Lighthouse failed three times on {url}")
        data = json.loads(report.read_text())
        categories = data["categories"]
        scores.append(
            {
                **{key: round(100 * categories[key]["score"]) for key in categories},
                "cls": data["audits"]["cumulative-layout-shift"]["numericValue"],
                "tbt": data["audits"]["total-blocking-time"]["numericValue"],
                "lcp": data["audits"]["largest-contentful-paint"]["numericValue"],
            }
        )
    return sorted(scores, key=lambda score: score["performance"])[len(scores) // 2]


def seed(name):
    from django.core.management import call_command

    from mutuals.models import Mutual

    # Every dataset has the real content (guides, research, support, 37 mutuals); a number tops
    # the registry up with synthetic mutuals to that many.
    call_command("load_initial_content", verbosity=0)
    if name != "real":
        seed_synthetic(int(name) - Mutual.objects.count())
    analyse()


def analyse():
    """Give PostgreSQL's planner statistics for the tables just filled, as autovacuum would.

    A live database is analysed by autovacuum within a minute of a large change. Straight after
    the seed it is not, and the planner, taking each new table for empty, chose nested loops:
    the registry's counts by region took 5.6 ms instead of 2.6.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


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
    """SQL queries per page, on the second request (the first warms per-process caches), with the page
    cache off: with it on, the second request was a cache hit and every page counted 0."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    counts = {}
    with override_settings(PAGE_CACHE=False):
        for path in COUNTED:
            url = path.replace(DETAIL, detail)
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            # A page that does not exist at this size (page 2 of a short list) is recorded as None.
            counts[path] = len(captured) if response.status_code == 200 else None
    return counts


def free_port():
    """A free localhost port: from BENCH_PORTS ('10100-10199') when set, else any."""
    first, _, last = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise SystemExit(f"No free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Server:
    """gunicorn serving the site on a free localhost port, with this dataset's database."""

    def __init__(self, log_path, page_cache="on"):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(log_path, "a")  # closed in stop()
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
            env={**os.environ, "PAGE_CACHE": page_cache},
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
