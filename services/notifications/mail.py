"""Mail over SMTP: ``SMTP_URL`` (``smtp://user:pass@host:587``; ``smtps://`` for TLS from the start),
STARTTLS whenever the server offers it, login when the URL names a user. Unset: mail is off."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

# Answers of a server that is there but will not take this message, ever (a bad address, refused).
PERMANENT = (550, 551, 553, 554, 501)


class MailSettings:
    def __init__(self, url, sender, timeout=10.0):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:587")
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender or f"Bakohumas Hub <no-reply@{self.host}>"
        self.timeout = timeout


def build(settings, to, rendered, message_id):
    """A multipart/alternative mail (text, then HTML) with a one-click unsubscribe header."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = formataddr(("", to))
    mail["Subject"] = rendered.subject
    mail["Message-ID"] = make_msgid(idstring=message_id.replace("-", ""), domain="bakohumas-hub")
    mail["X-Bakohumas-Message"] = message_id
    if rendered.unsubscribe:
        mail["List-Unsubscribe"] = f"<{rendered.unsubscribe}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.html, subtype="html")
    return mail


def send(settings, mail):
    """Send one mail; ``(verdict, error)``: ``sent``, ``retry`` (away, busy, a 4xx) or ``failed`` (a 5xx refusal)."""
    try:
        if settings.tls:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if not settings.tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(mail)
        return "sent", None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return ("failed" if all(code in PERMANENT for code in codes) else "retry"), f"recipient refused {codes}"
    except smtplib.SMTPResponseException as exc:
        return ("failed" if exc.smtp_code in PERMANENT else "retry"), f"SMTP {exc.smtp_code}"
    except (OSError, smtplib.SMTPException) as exc:
        return "retry", f"{type(exc).__name__}"
