"""Our pages with the page cache off against another site's pages, back to back under wrk.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python benchmarks/against.py \
        --theirs http://127.0.0.1:8400 --pair /=/ --pair /introduction-to-public-service-mutuals=/blog/a-post/ \
        [--rounds 3] [--seconds 10]

Serves this site as benchmarks/run.py does (gunicorn, 2 sync workers, production settings from
benchmarks/settings.py, DATABASE_URL and REDIS_URL as given) with PAGE_CACHE=off. The other site
must already be running at --theirs (started however its own documentation says; this script
neither builds nor starts it). For each pair `OURS=THEIRS` it runs `wrk -t2 -c16` on our page,
then on theirs, --rounds times, and prints each side's median requests/s and p50 and the ratio of
the medians. Both pages must answer 200 first: a page that fails is reported, not measured.
"""

import argparse
import os
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, Server, child_env, drained, wrk  # noqa: E402


def size_of(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        return len(response.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--theirs", required=True, help="the other site's base URL, already running")
    parser.add_argument("--pair", action="append", required=True, help="OURS=THEIRS paths, each starting with /: /=/")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    RESULTS.mkdir(exist_ok=True)
    os.environ.update(child_env(os.environ["DATABASE_URL"]))  # production settings, as run.py's servers
    server = Server(RESULTS / "against.log", page_cache="off")
    try:
        print(f"wrk -t2 -c16 {args.seconds}s, ours then theirs, {args.rounds} rounds; median req/s (p50 ms)")
        for pair in args.pair:
            ours_path, _, theirs_path = pair.partition("=/")  # a path's query may hold "="
            theirs_path = "/" + theirs_path
            ours, theirs = server.url + ours_path, args.theirs.rstrip("/") + theirs_path
            sizes = size_of(ours), size_of(theirs)
            runs = {"ours": [], "theirs": []}
            for _ in range(args.rounds):
                for side, url in (("ours", ours), ("theirs", theirs)):
                    runs[side].append(wrk(url, args.seconds))
                    drained(url)
            medians = {side: statistics.median(run["rps"] for run in found) for side, found in runs.items()}
            p50 = {side: statistics.median(run["p50_ms"] for run in found) for side, found in runs.items()}
            each = {side: ", ".join(f"{run['rps']:.0f}" for run in found) for side, found in runs.items()}
            print(
                f"{ours_path} ({sizes[0]:,} B): {medians['ours']:.1f} ({p50['ours']:.1f})"
                f" | {theirs_path} ({sizes[1]:,} B): {medians['theirs']:.1f} ({p50['theirs']:.1f})"
                f" | ours ÷ theirs {medians['ours'] / medians['theirs']:.2f}"
                f"  [ours {each['ours']}; theirs {each['theirs']}]",
                flush=True,
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
