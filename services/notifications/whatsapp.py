"""The WhatsApp Business Cloud API, as documented: ``POST {base}/{phone_number_id}/messages`` with a
Bearer token. Officers get template messages (a business may write first only with a template);
a citizen who wrote to us gets a text reply within the session. Unset: WhatsApp is off."""
import requests

RETRYABLE = (408, 429)


class WhatsAppSettings:
    def __init__(self, base_url, token, phone_number_id, timeout=10.0, template_prefix="bakohumas_"):
        self.base = base_url.rstrip("/")
        self.url = f"{self.base}/{phone_number_id}/messages"
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


def fetch_media(settings, media_id, limit):
    """A received photo's bytes: ``GET {base}/{media_id}`` names its short-lived URL, fetched with the
    same token. Raises ``requests.RequestException`` (or ValueError beyond ``limit`` bytes)."""
    headers = {"Authorization": f"Bearer {settings.token}"}
    described = requests.get(f"{settings.base}/{media_id}", headers=headers, timeout=settings.timeout,
                             allow_redirects=False)
    described.raise_for_status()
    with requests.get(described.json()["url"], headers=headers, timeout=settings.timeout, stream=True,
                      allow_redirects=False) as media:
        media.raise_for_status()
        content = media.raw.read(limit + 1, decode_content=True)
    if len(content) > limit:
        raise ValueError("the photo is too large")
    return content


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
