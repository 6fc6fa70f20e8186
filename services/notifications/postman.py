"""The sending engine: claims due messages and sends each from a green-thread pool of its own, by
mail or WhatsApp, recording every attempt. No transaction is open while a server is talked to; a
sender that dies leaves its lease to run out and the message is sent again (at least once)."""
import dataclasses
import hashlib
import logging
from datetime import timedelta

from services.notifications import domain, mail, rendering, whatsapp
from shared.config import local_secret, public_base_url
from shared.db import utcnow
from shared.service import SendingPool

log = logging.getLogger(__name__)
# Mails sent over one SMTP connection (a fan-out to 500 opens 50 connections, not 500).
MAILS_PER_CONNECTION = 10


def whatsapp_person(phone):
    """A citizen who wrote on WhatsApp, named without the number (the number is the message's address)."""
    return "whatsapp:" + hashlib.sha256(phone.encode("utf-8")).hexdigest()[:32]


class Postman(SendingPool):

    def setup(self):
        config = self.container.config
        mail_config, wa_config = config.get("MAIL") or {}, config.get("WHATSAPP") or {}
        own = config.get("NOTIFICATIONS") or {}
        timeout = float(own.get("TIMEOUT_SECONDS") or 10)
        smtp_url = str(mail_config.get("SMTP_URL") or "").strip()
        self.mail = mail.MailSettings(smtp_url, str(mail_config.get("FROM") or "").strip(), timeout) if smtp_url else None
        base, token, number = (str(wa_config.get(k) or "").strip() for k in ("API_URL", "TOKEN", "PHONE_NUMBER_ID"))
        self.whatsapp = whatsapp.WhatsAppSettings(base, token, number, timeout) if base and token and number else None
        self.secret = str(own.get("SECRET") or "").strip() or local_secret(config, "notifications.secret")
        self.public_url = public_base_url(config)
        self.forum_zone = str(config.get("FORUM_TIMEZONE") or "Asia/Makassar")
        self.policy = domain.Policy(base_seconds=float(own.get("RETRY_BASE_SECONDS") or 30),
                                    max_attempts=int(own.get("MAX_ATTEMPTS") or 10))
        self.lease = timedelta(seconds=timeout * 3 + 30)
        self.start_pool(int(own.get("CONCURRENCY") or 20))

    @property
    def channels_on(self):
        return {name for name, settings in (("mail", self.mail), ("whatsapp", self.whatsapp)) if settings}

    def unsubscribe_url(self, person):
        def link(kind):
            return f"{self.public_url}/notifikasi/berhenti/{domain.unsubscribe_token(self.secret, person, kind)}"
        return link

    def dispatch(self, store, reporter_contact):
        """Claim as many due messages as there are free senders; a reporter's address (and tracking
        number) is asked of the complaints service now, in this worker, never kept."""
        free = self.pool.free()
        if free <= 0:
            return 0
        with store.unit_of_work() as uow:
            claimed = domain.claim_messages(uow, self.owner, free * MAILS_PER_CONNECTION, self.lease, utcnow())
        ready = []
        for message in claimed:
            address, params = message.address, message.params
            if address is None and message.person.startswith("reporter:"):
                try:
                    contact = reporter_contact(params["complaint_id"])
                except Exception:  # the complaints service is away: try again later
                    self._record(store, message.id, "retry", "complaints service unavailable")
                    continue
                address = contact and (contact["phone"] if message.channel == "whatsapp" else contact["email"])
                if not address or contact.get("anonymous"):
                    self._record(store, message.id, "skipped", "no contact")
                    continue
                params = {**params, "tracking_number": contact["tracking_number"]}
            ready.append((_with(message, params), address))
        mails = [item for item in ready if item[0].channel == "mail"]
        for start in range(0, len(mails), MAILS_PER_CONNECTION):  # several mails over one SMTP connection
            self.pool.spawn_n(self._send, store, mails[start:start + MAILS_PER_CONNECTION])
        texts = [item for item in ready if item[0].channel != "mail"]
        if texts:
            now = utcnow()
            with store.reading() as session:  # the 24-hour window of each citizen, read now
                forms = [domain.whatsapp_form(message.person, message.params,
                                              domain.window_open(session, whatsapp_person(address), now))
                         for message, address in texts]
            for (message, address), form in zip(texts, forms):
                self.pool.spawn_n(self._send, store, [(message, address)], form)
        return len(claimed)

    def _send(self, store, batch, form=None):
        try:
            outcomes = self._deliver(batch, form)
        except Exception as exc:  # a surprise of a client library: retried, never left leased
            log.exception("sending messages %s failed unexpectedly", [m.id for m, _ in batch])
            outcomes = [("retry", f"unexpected {type(exc).__name__}", None)] * len(batch)
        try:
            with store.unit_of_work() as uow:
                for (message, _), (verdict, error, wamid) in zip(batch, outcomes):
                    domain.record_attempt(uow, self.owner, message.id, verdict, error, self.policy, utcnow(),
                                          wamid=wamid)
        except Exception:  # the leases run out and the messages are tried again: at least once
            log.exception("could not record the attempts of messages %s", [m.id for m, _ in batch])

    def _deliver(self, batch, form):
        """``[(verdict, error, wamid)]`` for ``batch`` (mails: one connection; WhatsApp: one message,
        as ``form``: ``text`` or ``template``)."""
        if batch[0][0].channel == "mail":
            if self.mail is None:
                return [("failed", "mail is off", None)] * len(batch)
            return [(verdict, error, None) for verdict, error in mail.send_all(self.mail, [mail.build(
                self.mail, address, rendering.render(message, self.public_url, self.unsubscribe_url(message.person)),
                message.id) for message, address in batch])]
        [(message, address)] = batch
        if self.whatsapp is None:
            return [("failed", "whatsapp is off", None)]
        notice, link = rendering.whatsapp_parts(message, self.public_url)
        if form == "template":
            body = whatsapp.template_body(self.whatsapp, address, message.kind, message.language, notice, link)
        else:
            body = whatsapp.text_body(address, f"{notice}\n{link}")
        return [whatsapp.send(self.whatsapp, body)]

    def _record(self, store, message_id, verdict, error):
        try:
            with store.unit_of_work() as uow:
                domain.record_attempt(uow, self.owner, message_id, verdict, error, self.policy, utcnow())
        except Exception:  # the lease runs out and the message is tried again: at least once
            log.exception("could not record the attempt of message %s", message_id)


def _with(message, params):
    """``message`` with ``params`` (a reporter's tracking number, looked up at send time)."""
    return dataclasses.replace(message, params=params)
