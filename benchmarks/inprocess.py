"""Uncached pages in-process: p50 time and SQL queries per public page, and a profile of one.

    DATABASE_URL=postgres://psm:psm@127.0.0.1:5432/psm_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/inprocess.py [--seed] [--repeat 50] [--profile PATH]

Production settings (benchmarks/settings.py) with the page cache off, through Django's test client,
so the figure is Django's own work (middleware, view, queries, templates) without a server or a
network. `--seed` loads the real content into an empty database first. `--profile` prints the
functions that take the most time for that one page, over the same number of requests (cProfile).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
os.environ["PAGE_CACHE"] = "off"

EXPLAINER = "/introduction-to-public-service-mutuals"
DETAIL = "{detail}"
PAGES = [
    "/",
    EXPLAINER,
    "/research/",
    "/mutuals/",
    DETAIL,
    "/mutuals/regions/london/",
    "/support/",
    "/search/?q=health",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="load the real content first")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--profile", help="a page to profile, such as " + EXPLAINER)
    parser.add_argument("--pages", help="comma-separated pages instead of the usual ones")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from mutuals.models import Mutual

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("load_initial_content", verbosity=0)
    detail = Mutual.objects.published().order_by("name").first().get_absolute_url()
    client = Client()
    pages = args.pages.split(",") if args.pages else PAGES
    if args.profile:
        pages = [args.profile]
    # p50 of the wall-clock time, and of this process's CPU time alone (steadier on a busy machine;
    # it leaves out PostgreSQL's and Redis's own work).
    print(f"{'page':45} {'p50 ms':>7} {'CPU ms':>7} {'queries':>7}")
    for page in pages:
        url = page.replace(DETAIL, detail)
        assert client.get(url).status_code == 200, url  # warm per-process caches (templates, URLs)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # now: each request empties the query log as it starts
        times, cpu = [], []
        profile = cProfile.Profile() if args.profile else None
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            client.get(url)
            if profile:
                profile.disable()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        p50, p50_cpu = statistics.median(times) * 1000, statistics.median(cpu) * 1000
        print(f"{page:45} {p50:7.1f} {p50_cpu:7.1f} {queries:7}")
        if profile:
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(45)
            stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
