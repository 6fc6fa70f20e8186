"""The WhatsApp Business Cloud API, as documented (formats checked against Graph API v26.0):
``POST {base}/{phone_number_id}/messages`` with a Bearer token. A template message reaches anyone; free
text only a person within 24 hours of their last message (the caller decides which: the domain's
``whatsapp_form``). Meta's answer is kept: the ``wamid`` of a sent message, the code and title of a
refusal. Unset: WhatsApp is off."""
import logging
import re

import requests

from services.notifications.domain import meta_error, retriable

log = logging.getLogger(__name__)
RETRYABLE = (408, 429)
# Meta refuses a template parameter holding a newline, a tab or more than four spaces in a row.
_UNSENDABLE_SPACE = re.compile(r"\s+")


class WhatsAppSettings:
    def __init__(self, base_url, token, phone_number_id, timeout=10.0, template_prefix="bakohumas_"):
        self.base = base_url.rstrip("/")
        self.url = f"{self.base}/{phone_number_id}/messages"
        self.token = token
        self.timeout = timeout
        self.template_prefix = template_prefix


def addressed(address):
    """Whom a message is for: a number (E.164) as ``to`` without the ``+``; a person Meta names only by
    a business-scoped user id (``ID.1502576394655843``) as ``recipient``."""
    if address.startswith("+"):
        return {"to": address[1:]}
    return {"recipient": address}


def text_body(address, text):
    return {"messaging_product": "whatsapp", "recipient_type": "individual", **addressed(address),
            "type": "text", "text": {"preview_url": False, "body": text}}


def template_parameter(text):
    """A template parameter Meta accepts: one line, single spaces."""
    return {"type": "text", "text": _UNSENDABLE_SPACE.sub(" ", text).strip()}


def template_body(settings, address, kind, language, notice, link):
    """A template message: the template of the kind (``bakohumas_<kind>``, approved in Meta's manager
    with two body parameters, ``{{1}}`` the notice and ``{{2}}`` its link), in the reader's language."""
    return {"messaging_product": "whatsapp", "recipient_type": "individual", **addressed(address),
            "type": "template",
            "template": {"name": settings.template_prefix + kind, "language": {"code": language},
                         "components": [{"type": "body", "parameters": [template_parameter(notice),
                                                                         template_parameter(link)]}]}}


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


def refusal(answer):
    """``(code, title)`` of Meta's error object in a refused send (``(None, "HTTP <status>")`` when
    the answer is not one: a proxy's page, an empty body)."""
    try:
        error = answer.json()["error"]
        code = int(error["code"])
    except (ValueError, KeyError, TypeError):
        return None, f"HTTP {answer.status_code}"
    title = str(error.get("error_user_title") or error.get("message") or "")
    return code, re.sub(r"^\(#\d+\)\s*", "", title)[:200]


def send(settings, body):
    """``(verdict, error, wamid)``: 2xx sent (with the id Meta gave the message); 408/429/5xx, no
    answer or a code Meta documents as passing trouble retry; any other refusal failed, with Meta's
    code and title."""
    try:
        answer = requests.post(settings.url, json=body, timeout=settings.timeout, allow_redirects=False,
                               headers={"Authorization": f"Bearer {settings.token}"})
    except requests.RequestException as exc:
        return "retry", type(exc).__name__, None
    if 200 <= answer.status_code < 300:
        try:
            return "sent", None, str(answer.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("WhatsApp took a message without naming its id: its statuses cannot be followed")
            return "sent", None, None
    code, title = refusal(answer)
    error = title if code is None else meta_error(code, title)
    log.warning("WhatsApp refused a message (HTTP %s): %s", answer.status_code, error)
    if answer.status_code in RETRYABLE or answer.status_code >= 500 or retriable(code):
        return "retry", error, None
    return "failed", error, None
