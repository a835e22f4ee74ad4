"""Does the feedback limit (10 an hour per client) hold across gunicorn workers?

Starts gunicorn in production mode with 3 workers, sends 45 feedback posts from one client on
fresh connections (so the workers share them), and counts what got through. Three runs: the
cache in local memory (each worker counts alone), the cache in Redis, and Redis with a different
X-Forwarded-For on every request (a spoof that must not move the key).

    .venv/bin/python benchmarks/limits_across_workers.py [--port 8110] [--redis redis://127.0.0.1:6379/8]

Needs the database in DATABASE_URL migrated, `make collectstatic`, and a Redis server.
"""

import argparse
import collections
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTS = 45


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read().decode("utf-8", "replace")
    cookies = response.headers.get_all("Set-Cookie") or []
    connection.close()
    return response.status, data, cookies


def _wait(port):
    for _ in range(60):
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not start")


def run(port, redis_url, spoof):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "benchmark-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "off",
        "SITE_DOMAIN": "mutuals.example.gov.uk",
        "WEB_CONCURRENCY": "3",
        "TRUSTED_PROXIES": "",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-access-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "psm_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            log.name,
            "--access-logformat",
            "%(p)s %(s)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port)
        status, page, cookies = _request(port, "GET", "/feedback/problem/?path=/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
        statuses = collections.Counter()
        for n in range(POSTS):
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            headers["Referer"] = f"http://127.0.0.1:{port}/"
            if spoof:
                headers["X-Forwarded-For"] = f"10.0.{n // 250}.{n % 250}"
            body = f"csrfmiddlewaretoken={token}&path=%2F&useful=yes"
            statuses[_request(port, "POST", "/feedback/", body, headers)[0]] += 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    workers = collections.Counter(
        line.split()[0] for line in Path(log.name).read_text().splitlines() if " /feedback/" in line
    )
    os.unlink(log.name)
    return statuses, workers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args()
    for label, redis_url, spoof in [
        ("local memory, 3 workers", None, False),
        ("Redis, 3 workers", args.redis, False),
        ("Redis, 3 workers, X-Forwarded-For changed every time", args.redis, True),
    ]:
        statuses, workers = run(args.port, redis_url, spoof)
        through = statuses.get(302, 0)
        print(
            f"{label}: {through} of {POSTS} accepted, {statuses.get(429, 0)} refused (429); "
            f"other {dict((k, v) for k, v in statuses.items() if k not in (302, 429))}; "
            f"posts per worker {sorted(workers.values(), reverse=True)}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
