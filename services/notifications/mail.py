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


def send_all(settings, mails):
    """Send ``mails`` over one connection; ``[(verdict, error)]`` in order: ``sent``, ``retry`` (away,
    busy, a 4xx) or ``failed`` (a 5xx refusal). A connection lost midway leaves the rest to retry."""
    outcomes = []
    try:
        client = (smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                   context=ssl.create_default_context()) if settings.tls
                  else smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout))
        with client:
            client.ehlo()
            if not settings.tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            for mail in mails:
                outcomes.append(_one(client, mail))
                if outcomes[-1][0] == "retry":
                    break  # the connection is not to be trusted any more
    except smtplib.SMTPResponseException as exc:
        outcomes.append((("failed" if exc.smtp_code in PERMANENT else "retry"), f"SMTP {exc.smtp_code}"))
    except (OSError, smtplib.SMTPException) as exc:
        outcomes.append(("retry", type(exc).__name__))
    last = outcomes[-1] if outcomes and outcomes[-1][0] != "sent" else ("retry", "not sent: the connection ended")
    return (outcomes + [last] * len(mails))[:len(mails)]


def _one(client, mail):
    try:
        client.send_message(mail)
        return "sent", None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(code in PERMANENT for code in codes):
            client.rset()
            return "failed", f"recipient refused {codes}"
        return "retry", f"recipient refused {codes}"
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code in PERMANENT:
            client.rset()
            return "failed", f"SMTP {exc.smtp_code}"
        return "retry", f"SMTP {exc.smtp_code}"
