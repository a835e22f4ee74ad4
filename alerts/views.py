"""'Get emails about this': subscribe (frequency, address, confirm by email), manage, unsubscribe.

The journey follows GOV.UK's and needs no JavaScript and no account: every later step is a
signed link sent to the address.
"""

import hashlib

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts import sending, subscriptions, tokens
from alerts.forms import AddressForm, FrequencyForm, ManageForm, SubscribeForm
from alerts.models import Frequency, Subscription
from alerts.topics import UnknownTopic, describe
from psm_site import personal_data
from psm_site.limits import count_and_wait

PER_ADDRESS_PER_HOUR = 5

personal_data.register(
    personal_data.Record(
        key="ip-address-email-alerts",
        what="Your IP address, and a scrambled form (a SHA-256 hash) of the email address you give, when you "
        "ask for emails",
        why=lambda: (
            f"To stop anyone asking for more than {settings.ALERTS_SUBSCRIBE_LIMIT} emails an hour, or "
            f"sending more than {PER_ADDRESS_PER_HOUR} an hour to one address. They are kept with a count, not "
            "with your subscription"
        ),
        how_long=lambda: "1 hour from your first request, then deleted automatically",
        receivers="No one: they stay in this site's own cache",
        source="alerts/views.py (_client_limited, _address_limited)",
        limits=("alerts-client", "alerts-address"),
        order=22,
    )
)


def _private(response):
    """Pages reached by a personal link: never cached, indexed or passed on as a referrer."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _unknown_topic(request):
    return render(request, "alerts/unknown_topic.html", status=404)


def _too_many(request, wait):
    response = render(request, "alerts/too_many.html", status=429)
    response["Retry-After"] = str(wait)
    return response


def _client_limited(request):
    """Seconds this client must wait before asking for another email (0: it may ask now)."""
    return count_and_wait(request, "alerts-client", settings.ALERTS_SUBSCRIBE_LIMIT, 3600, fail_open=False)


def _link_problem(request, *, expired=False, used=False, status=400, topic=None):
    context = {"expired": expired, "used": used, "topic": topic}
    return _private(render(request, "alerts/link_problem.html", context, status=status))


def _address_limited(request, address):
    digest = hashlib.sha256(address.lower().encode()).hexdigest()
    return count_and_wait(request, "alerts-address", PER_ADDRESS_PER_HOUR, 3600, fail_open=False, key=digest) > 0


@cache_control(private=True)  # a form, personal once answered
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    data = request.POST if request.method == "POST" else request.GET
    try:
        spec = describe(data.get("topic", ""))
    except UnknownTopic:
        return _unknown_topic(request)
    context = {"spec": spec}
    if request.method == "GET":
        if "frequency" not in request.GET and "answered" not in request.GET:
            return render(request, "alerts/subscribe_frequency.html", {**context, "form": FrequencyForm()})
        form = FrequencyForm(request.GET)
        if not form.is_valid():
            return render(request, "alerts/subscribe_frequency.html", {**context, "form": form})
        address_form = AddressForm()
        return render(
            request,
            "alerts/subscribe_address.html",
            {**context, "form": address_form, "frequency": form.cleaned_data["frequency"]},
        )
    if wait := _client_limited(request):
        return _too_many(request, wait)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        if "frequency" in form.errors:
            return render(request, "alerts/subscribe_frequency.html", {**context, "form": FrequencyForm(request.POST)})
        return render(
            request,
            "alerts/subscribe_address.html",
            {**context, "form": form, "frequency": form.cleaned_data["frequency"]},
        )
    address, frequency = form.cleaned_data["address"], form.cleaned_data["frequency"]
    if not _address_limited(request, address):
        subscriptions.ask_to_subscribe(spec, address, frequency)
    return _private(render(request, "alerts/check_email.html", {**context, "address": address}))


@require_http_methods(["GET", "HEAD"])
def confirm(request, token):
    try:
        subscription, frequency = tokens.read_confirm_token(token)
    except tokens.ExpiredToken:
        return _link_problem(request, expired=True, status=410)
    except tokens.UsedToken as used:
        return _link_problem(request, used=True, status=410, topic=used.subscription.topic)
    except tokens.BadToken:
        return _link_problem(request)
    if frequency not in Frequency.values:
        return _link_problem(request)
    subscriptions.confirm(subscription, frequency)
    context = {
        "subscription": subscription,
        "manage_url": sending.manage_url(subscription.subscriber),
    }
    return _private(render(request, "alerts/confirmed.html", context))


@csrf_exempt  # RFC 8058: mail providers POST 'List-Unsubscribe=One-Click' with no cookie; the token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        subscriber, topic_ids = tokens.read_unsubscribe_token(token)
    except tokens.BadToken:
        return _link_problem(request)
    chosen = (
        Subscription.objects.filter(subscriber=subscriber, topic_id__in=topic_ids).select_related("topic")
        if subscriber
        else Subscription.objects.none()
    )
    if request.method == "GET":
        return _private(render(request, "alerts/unsubscribe.html", {"subscriptions": chosen}))
    titles = [s.topic.title for s in chosen]
    if subscriber:
        subscriptions.remove(subscriber, chosen)
    return _private(render(request, "alerts/unsubscribed.html", {"titles": titles}))


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    try:
        subscriber = tokens.read_manage_token(token)
    except tokens.ExpiredToken:
        return _link_problem(request, expired=True, status=410)
    except tokens.BadToken:
        return _link_problem(request)
    confirmed = subscriber.subscriptions.filter(confirmed_at__isnull=False).select_related("topic")
    message, status = "", 200
    if request.method == "POST":
        form = ManageForm(request.POST)
        chosen = None
        if form.is_valid() and form.cleaned_data["action"] != "remove-all":
            chosen = confirmed.filter(pk=form.cleaned_data["subscription"]).first()
        if not form.is_valid() or (form.cleaned_data["action"] != "remove-all" and chosen is None):
            message, status = "That change could not be made. Choose a subscription from the list.", 400
        elif form.cleaned_data["action"] == "remove-all":
            subscriptions.forget(subscriber)
            return _private(render(request, "alerts/unsubscribed.html", {"everything": True}))
        elif form.cleaned_data["action"] == "remove":
            title = chosen.topic.title
            if subscriptions.remove(subscriber, confirmed.filter(pk=chosen.pk)):
                return _private(render(request, "alerts/unsubscribed.html", {"titles": [title], "everything": True}))
            message = f"You’ve unsubscribed from ‘{title}’."
        elif form.cleaned_data["frequency"]:
            subscriptions.change_frequency(chosen, form.cleaned_data["frequency"])
            message = f"You’ll now get emails about ‘{chosen.topic.title}’ {chosen.get_frequency_display().lower()}."
        else:
            message, status = "Select how often you want to get emails", 400
    context = {"subscriptions": confirmed, "message": message, "error": status != 200, "frequencies": Frequency.choices}
    return _private(render(request, "alerts/manage.html", context, status=status))


@cache_control(private=True)  # a form with a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request):
    """Ask for a new link to manage subscriptions. The answer never says whether the address is known."""
    if request.method == "GET":
        return render(request, "alerts/manage_request.html", {"form": AddressForm()})
    if wait := _client_limited(request):
        return _too_many(request, wait)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return render(request, "alerts/manage_request.html", {"form": form})
    address = form.cleaned_data["address"]
    subscriber = subscriptions.confirmed_subscriber(address)
    if subscriber and not _address_limited(request, address):
        subscriptions.send_manage_link(subscriber)
    return _private(render(request, "alerts/check_email.html", {"address": address, "manage": True}))
