"""Does `make deploy` drop a request? A changed template rolled out under wrk, through nginx. Not a test.

    make prod                                   # the stack, with the environment below
    .venv/bin/python benchmarks/deploy.py       # PROD_PORT, and the rest of make prod's environment

Against the stack `make prod` runs (PROD_PORT, PROD_DIR), it adds an HTML comment with a fresh
marker to templates/base.html, starts `wrk -t 2 -c 32 -d 60s` on the home page through nginx,
runs `deploy/prod deploy` three seconds in, and waits for wrk. Figures: the deploy's duration,
wrk's requests and socket errors, every status nginx logged while wrk ran (its access log, so
nothing is inferred from wrk's "non-2xx or 3xx" count), and whether the page served at the end
carries the marker. base.html is put back afterwards; the stack keeps serving the marked page
until the next deploy.
"""

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_DIR = Path(os.environ.get("PROD_DIR", ROOT / ".prod")).resolve()
URL = f"http://127.0.0.1:{os.environ.get('PROD_PORT', '8080')}/"
TEMPLATE = ROOT / "templates" / "base.html"
SECONDS = int(os.environ.get("DEPLOY_WRK_SECONDS", "60"))


def home():
    with urllib.request.urlopen(URL, timeout=10) as response:
        return response.read().decode()


def nginx_statuses(since, until):
    """Statuses of the requests nginx logged between two moments (time.time()), and after the second.

    wrk stops at its deadline by closing its connections, requests in flight included: nginx logs
    those as 499 (client closed) in wrk's last moment. They are counted apart, as "at wrk's end".
    """
    during, end = Counter(), Counter()
    for line in (PROD_DIR / "nginx-access.log").read_text().splitlines():
        moment, _, rest = line.partition(" ")
        if float(moment) >= since:
            (during if float(moment) < until else end)[rest.split('" ', 1)[1].split()[0]] += 1
    return during, end


def main():
    if not (PROD_DIR / "nginx.pid").exists():
        raise SystemExit(f"no stack runs in {PROD_DIR}: run make prod first, with the same environment")
    marker = f"deploy-check {secrets.token_hex(6)}"
    original = TEMPLATE.read_text()
    assert marker not in home()
    TEMPLATE.write_text(original.replace("</body>", f"<!-- {marker} -->\n</body>", 1))
    try:
        started = time.time()
        wrk = subprocess.Popen(
            ["wrk", "-t", "2", "-c", "32", "-d", f"{SECONDS}s", "--latency", URL],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        deploy_log = PROD_DIR / "deploy-benchmark.log"
        before = time.monotonic()
        with deploy_log.open("w") as log:
            deployed = subprocess.Popen(
                [str(ROOT / "deploy" / "prod"), "deploy"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for line in deployed.stdout:  # each line with its time since the deploy began
                log.write(f"{time.monotonic() - before:5.1f} s  {line}")
            deployed.wait()
        deploy_seconds = time.monotonic() - before
        output, _ = wrk.communicate()
        finished = time.time()
    finally:
        TEMPLATE.write_text(original)
    served = marker in home()
    statuses, at_end = nginx_statuses(started, started + SECONDS - 0.5)
    requests = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Socket errors: (.*)", output)
    print(output)
    print(f"deploy: exit {deployed.returncode} after {deploy_seconds:.1f} s (its output: {deploy_log})")
    print(
        f"wrk: {requests.group(1) if requests else '?'} requests in {finished - started:.0f} s;"
        f" socket errors: {errors.group(1) if errors else 'none'}"
    )
    print(
        f"nginx statuses while wrk ran: {dict(sorted(statuses.items()))}; at wrk's end: {dict(sorted(at_end.items()))}"
    )
    print(f"new template served at the end: {'yes' if served else 'NO'}")
    ok = (
        deployed.returncode == 0
        and not errors
        and set(statuses) <= {"200"}
        and set(at_end) <= {"200", "499"}
        and served
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    sys.exit(main())
