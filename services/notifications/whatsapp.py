"""The WhatsApp Business Cloud API, as documented: ``POST {base}/{phone_number_id}/messages`` with a
Bearer token. Officers get template messages (a business may write first only with a template);
a citizen who wrote to us gets a text reply within the session. Unset: WhatsApp is off."""
import requests

RETRYABLE = (408, 429)


class WhatsAppSettings:
    def __init__(self, base_url, token, phone_number_id, timeout=10.0, template_prefix="bakohumas_"):
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.token = token
        self.timeout = timeout
        self.template_prefix = template_prefix


def recipient(phone):
    """The API's ``to``: the number in international form without the ``+``."""
    return phone.lstrip("+")


def text_body(phone, text):
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient(phone),
            "type": "text", "text": {"preview_url": False, "body": text}}


def template_body(settings, phone, kind, language, text):
    """A template message: the template of the kind (``bakohumas_<kind>``, approved in Meta's manager
    with one body parameter), in the reader's language, carrying the message's line and link."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient(phone),
            "type": "template",
            "template": {"name": settings.template_prefix + kind, "language": {"code": language},
                         "components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}]}}


def send(settings, body):
    """``(verdict, error)``: 2xx sent; 408/429/5xx and no answer retry; any other answer failed."""
    try:
        answer = requests.post(settings.url, json=body, timeout=settings.timeout, allow_redirects=False,
                               headers={"Authorization": f"Bearer {settings.token}"})
    except requests.RequestException as exc:
        return "retry", type(exc).__name__
    if 200 <= answer.status_code < 300:
        return "sent", None
    if answer.status_code in RETRYABLE or answer.status_code >= 500:
        return "retry", f"HTTP {answer.status_code}"
    return "failed", f"HTTP {answer.status_code}"
