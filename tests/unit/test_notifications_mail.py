"""The channels: mail over one SMTP connection (a real aiosmtpd server on loopback: each mail's own
verdict, a refused recipient failing alone, a server that is away leaving every mail to retry), and
the WhatsApp Cloud API's message bodies."""
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from bakohumas.harness import free_port
from services.notifications import mail, whatsapp

REFUSED = "gone@example.go.id"


class Handler:
    def __init__(self):
        self.taken = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.taken.append(envelope.rcpt_tos[0])
        return "250 OK"


@pytest.fixture
def server():
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, mail.MailSettings(f"smtp://127.0.0.1:{port}", "Hub <hub@example.go.id>", timeout=5)
    controller.stop()


def letter(settings, to):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, "Uji"
    message.set_content("isi")
    return message


def test_each_mail_of_a_connection_has_its_own_verdict(server):
    handler, settings = server
    to = ["a@example.go.id", REFUSED, "b@example.go.id"]
    outcomes = mail.send_all(settings, [letter(settings, address) for address in to])
    assert [verdict for verdict, _ in outcomes] == ["sent", "failed", "sent"]
    assert handler.taken == ["a@example.go.id", "b@example.go.id"]


def test_a_server_that_is_away_leaves_every_mail_to_retry():
    settings = mail.MailSettings(f"smtp://127.0.0.1:{free_port()}", "", timeout=2)
    outcomes = mail.send_all(settings, [letter(settings, "a@example.go.id")] * 3)
    assert [verdict for verdict, _ in outcomes] == ["retry"] * 3 and outcomes[0][1] == "ConnectionRefusedError"


def test_an_smtp_url_names_its_server_and_login():
    settings = mail.MailSettings("smtp://hub%40kota.go.id:rahasia@mail.kota.go.id:587", "")
    assert (settings.host, settings.port, settings.user, settings.password, settings.tls) == (
        "mail.kota.go.id", 587, "hub@kota.go.id", "rahasia", False)
    assert mail.MailSettings("smtps://mail.kota.go.id", "").port == 465
    with pytest.raises(ValueError):
        mail.MailSettings("http://mail.kota.go.id", "")


def test_whatsapp_bodies_follow_the_cloud_apis_documented_format():
    settings = whatsapp.WhatsAppSettings("https://graph.facebook.com/v26.0/", "token", "1234")
    assert settings.url == "https://graph.facebook.com/v26.0/1234/messages"
    assert whatsapp.text_body("+6281355500111", "Halo") == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281355500111", "type": "text",
        "text": {"preview_url": False, "body": "Halo"}}
    template = whatsapp.template_body(settings, "+6281355500111", "complaint_assigned", "id",
                                      "Pengaduan baru:\tlampu  \n     mati", "https://hub.example.go.id/console/pengaduan")
    assert template["type"] == "template" and template["template"] == {
        "name": "bakohumas_complaint_assigned", "language": {"code": "id"},
        "components": [{"type": "body", "parameters": [
            {"type": "text", "text": "Pengaduan baru: lampu mati"},
            {"type": "text", "text": "https://hub.example.go.id/console/pengaduan"}]}]}
