"""Fixtures for email tests: they run against real servers: aiosmtpd for SMTP, and a local HTTP stub that answers
as GOV.UK Notify's API does. The background worker is Django Tasks' own `db_worker`."""

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult


def free_port(first, last):
    """A free port in this worktree's range (two suites may run at once, on PostgreSQL and SQLite)."""
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {first}-{last}")


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Rate-limit counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class Mailbox:
    """Collects what the SMTP server accepted; refuses addresses containing 'refuse' for good."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "refuse" in address:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.raw = envelope.content
        self.messages.append(message)
        return "250 Message accepted"

    @staticmethod
    def subject(message):
        return str(message["Subject"]).strip()

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message):
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(("html",)).get_content()


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    for port in range(14120, 14150):  # another suite may have taken the port since it was free
        mailbox.port = free_port(port, 14149)
        controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
        try:
            controller.start()
            break
        except OSError:
            continue
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailbox.port
    yield mailbox
    controller.stop()


class NotifyStub(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        NotifyStub.received.append({"path": self.path, "auth": self.headers.get("Authorization", ""), "body": body})
        if "not-an-address" in body.get("email_address", ""):
            status, answer = (
                400,
                {
                    "status_code": 400,
                    "errors": [{"error": "ValidationError", "message": "email_address Not a valid email address"}],
                },
            )
        elif "busy" in body.get("email_address", ""):
            status, answer = 500, {"status_code": 500, "errors": [{"error": "Exception", "message": "Internal"}]}
        else:
            status, answer = 201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": None, "content": {}}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    NotifyStub.received = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port(14150, 14179)), NotifyStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "alerts.notify.NotifyEmailBackend"
    settings.NOTIFY_API_KEY = "test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
    settings.NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield NotifyStub.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def work(django_capture_on_commit_callbacks, monkeypatch):
    """Run what a request or the clock queued: commit hooks, then the worker until nothing is ready.

    The worker closes the database connection between tasks, as Django's test client stops
    requests doing: inside a test's transaction that would lose the test's data.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(action=None):
        with django_capture_on_commit_callbacks(execute=True):
            result = action() if action else None
        for _ in range(10):
            if not DBTaskResult.objects.ready().exists():
                break
            with django_capture_on_commit_callbacks(execute=True):
                call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        return result

    return run
