import re
from pathlib import Path

from django.urls import reverse

KEEP = Path("/tmp/i14-emails")


def links(text):
    return re.findall(r"https?://\S+", text)


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def link_to(text, name):
    """The path of the first link in `text` to the alerts URL `name` ('confirm', 'manage', 'unsubscribe')."""
    prefix = reverse(f"alerts:{name}", args=["x"]).rsplit("x/", 1)[0]
    return next(path_of(url) for url in links(text) if path_of(url).startswith(prefix))


def subscribe(client, topic, address, frequency="immediately"):
    return client.post(reverse("alerts:subscribe"), {"topic": topic, "frequency": frequency, "address": address})


def keep(message, name):
    """Keep an email as the SMTP server received it (.eml), and its headers and plain text readable (.txt)."""
    KEEP.mkdir(parents=True, exist_ok=True)
    (KEEP / f"{name}.eml").write_bytes(message.raw)
    headers = message.raw.split(b"\r\n\r\n", 1)[0].decode()
    text = message.get_body(("plain",)).get_content()
    (KEEP / f"{name}.txt").write_text(f"{headers}\n\n{text}")
