"""Postcode search benchmark: lookup p50 in-process, and Find a mutual near a postcode under wrk.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/postcodes.py [--port 8300] [--seconds 5]

Uses DATABASE_URL as it is (its postcode tables built by `manage.py build_postcodes`); puts 5,000
synthetic published mutuals in it (removing earlier ones of this script), then serves it with
gunicorn (2 sync workers, production settings, page cache off) and runs `wrk -t2 -c16` on
/mutuals/?postcode=LS1+4DY&distance=25 and, to compare, /mutuals/. Reports each worker's
resident memory after the plain page and again after the postcode pages.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
PREFIX = "postcode-bench"


def setup_django():
    import django

    django.setup()


def seed(count):
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from mutuals.models import Mutual, Region, Sector
    from psm_site.web.cache import bump

    Mutual.objects.filter(slug__startswith=PREFIX).delete()
    regions = {region.slug: region for region in Region.objects.all()}
    sectors = list(Sector.objects.all())
    # Spread across England's bounding box around Leeds and beyond: about 1 in 8 within 25 miles.
    mutuals = Mutual.objects.bulk_create(
        Mutual(
            name=f"{PREFIX} {i:05d}",
            slug=f"{PREFIX}-{i:05d}",
            summary="Synthetic.",
            town="Town",
            region=regions["yorkshire-and-the-humber"],
            latitude=Decimal("52.8") + Decimal(i % 100) / 50,
            longitude=Decimal("-2.5") + Decimal((i // 100) % 50) / 25,
            status="published",
            first_published_at=timezone.now(),
        )
        for i in range(count)
    )
    Through = Mutual.sectors.through
    Through.objects.bulk_create(
        Through(mutual_id=m.pk, sector_id=sectors[i % len(sectors)].pk) for i, m in enumerate(mutuals)
    )
    # What autovacuum does within a minute of a bulk load: without fresh statistics PostgreSQL
    # expects one row and walks an index for all 5,000.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Mutual._meta.db_table}, {Through._meta.db_table}")
    bump()


def lookup_p50(repeat=2000):
    from places.lookup import find

    postcodes = ["LS1 4DY", "SW1A 2AA", "EH1 1YZ", "CF10 1EP", "M1 1AE", "B1 1AA", "NE1 4ST", "ZZ9 9ZZ"]
    timings = []
    for n in range(repeat):
        started = time.perf_counter()
        find(postcodes[n % len(postcodes)])
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, sorted(timings)[int(repeat * 0.99)] * 1000


def wrk(url, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: error responses under wrk\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    return rate, f"{p50.group(1)}{p50.group(2)}"


def worker_rss(master_pid):
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return [round(size, 1) for size in sizes]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    setup_django()
    seed(args.count)
    p50, p99 = lookup_p50()
    print(f"lookup in-process: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--ignore", "*.scss", "-v0"], cwd=ROOT, check=True
    )
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "psm_site.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", "2", "--no-control-socket"],
        cwd=ROOT, env={**os.environ, "PAGE_CACHE": "off"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        near = base + "/mutuals/?postcode=LS1+4DY&distance=25"
        body = urllib.request.urlopen(near).read().decode()
        count = re.search(r'data-count="(\d+)"', body).group(1)
        assert "miles away" in body, "the postcode page shows no distances"
        plain_rate, plain_p50 = wrk(base + "/mutuals/", args.seconds)
        before = worker_rss(server.pid)
        near_rate, near_p50 = wrk(near, args.seconds)
        after = worker_rss(server.pid)
        print(f"{args.count} mutuals, page cache off, wrk -t2 -c{16} {args.seconds}s:")
        print(f"  /mutuals/                               {plain_rate:7.1f} req/s, p50 {plain_p50}")
        print(
            f"  /mutuals/?postcode=LS1+4DY&distance=25  {near_rate:7.1f} req/s, p50 {near_p50} ({count} mutuals within 25 miles)"
        )
        print(f"  worker RSS MB after /mutuals/: {before}; after the postcode pages: {after}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
