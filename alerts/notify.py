"""A Django email backend that sends through GOV.UK Notify (notifications-python-client).

Notify sends from templates: NOTIFY_TEMPLATE_ID names one whose subject is ((subject)) and whose
body is ((body)). Notify makes its own HTML from the plain text; the one-click unsubscribe link
goes in Notify's own field, which sets the List-Unsubscribe headers.
"""

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from psm_site import personal_data


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.client = NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL)

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            try:
                self._send(message)
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _send(self, message):
        from alerts.sending import PermanentFailure

        unsubscribe = message.extra_headers.get("List-Unsubscribe", "").strip("<>") or None
        for address in message.to:
            try:
                response = self.client.send_email_notification(
                    email_address=address,
                    template_id=settings.NOTIFY_TEMPLATE_ID,
                    personalisation={"subject": message.subject, "body": message.body},
                    one_click_unsubscribe_url=unsubscribe,
                )
            except HTTPError as error:
                # 400 and 403 are refusals (a bad address, a bad key): trying again cannot help.
                if error.status_code in (400, 403):
                    bounce = any("email_address" in str(m) for m in (error.message or []))
                    raise PermanentFailure(f"Notify refused: {error.status_code}", bounce=bounce) from None
                raise
            message.provider_id = response.get("id", "")


personal_data.register(
    personal_data.Record(
        key="gov-uk-notify",
        what="GOV.UK Notify: to send you an email, it receives your email address and the email",
        why="To deliver the emails you asked for",
        how_long=lambda: (
            "As GOV.UK Notify's own privacy notice says (https://www.notifications.service.gov.uk/privacy)"
        ),
        receivers="GOV.UK Notify, run by the Government Digital Service",
        source="alerts/notify.py (when NOTIFY_API_KEY is set)",
        shown=lambda: bool(settings.NOTIFY_API_KEY),
        order=41,
    )
)
