"""A keyed intake's tracking number and reporter secret are derived, so a retry gets the same answer."""
import re
import stat
from datetime import datetime, timezone
from types import SimpleNamespace

from bakohumas.stack import local_gateway_secret
from services.complaints import domain, models, schemas
from services.complaints.service import ComplaintsService
from shared.contracts import seal
from shared.config import load_config
from shared import intake
from shared.db import Store
from tests.unit.complaints_unit_support import COORDINATOR

SECRET = "gateway-secret-for-tests"
KEY = "3f1a" * 16
BODY = {"channel": "web", "category": "infrastruktur", "text": "Lampu jalan mati",
        "reporter": {"name": "Ani", "phone": "081234567890"}}
NUMBER = re.compile(r"^DUMAS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
SECRET_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def test_the_same_keyed_intake_gets_the_same_number_and_secret():
    first = intake.keyed_identity(SECRET, KEY, "public", BODY)
    reordered = dict(reversed(list(BODY.items())))
    assert intake.keyed_identity(SECRET, KEY, "public", reordered) == first


def test_another_key_body_scope_or_gateway_secret_gives_another_complaint():
    number, secret = intake.keyed_identity(SECRET, KEY, "public", BODY)
    others = [
        intake.keyed_identity(SECRET, "9" * 64, "public", BODY),
        intake.keyed_identity(SECRET, KEY, "agency-1", BODY),
        intake.keyed_identity(SECRET, KEY, "public", {**BODY, "text": "Lampu jalan mati lagi"}),
        intake.keyed_identity("another-gateway-secret", KEY, "public", BODY),
    ]
    assert number not in {n for n, _ in others}
    assert secret not in {s for _, s in others}


def test_derived_values_look_like_random_ones():
    number, secret = intake.keyed_identity(SECRET, KEY, "public", BODY)
    assert NUMBER.match(number) and NUMBER.match(intake.new_tracking_number())
    assert intake.normalise_tracking_number(number.lower()) == number
    assert SECRET_CODE.match(secret) and SECRET_CODE.match(intake.new_reporter_secret())
    assert number != secret and secret not in number


def test_the_message_carries_the_given_identity_and_only_the_secret_hash():
    identity = intake.keyed_identity(SECRET, KEY, "public", BODY)
    message, number, secret = intake.intake_message(BODY, None, datetime(2026, 3, 2, tzinfo=timezone.utc), identity)
    assert (number, secret) == identity
    assert message["tracking_number"] == number
    assert message["reporter_secret_hash"] == intake.secret_hash(secret)
    assert secret not in repr(message)


def test_a_local_gateway_secret_is_made_once_and_private(tmp_path):
    config = {"DATA_DIR": str(tmp_path)}
    made = local_gateway_secret(config)
    assert len(made) >= 40
    assert local_gateway_secret(config) == made
    assert stat.S_IMODE((tmp_path / "gateway.secret").stat().st_mode) == 0o600


def test_a_delivery_racing_the_first_one_stores_the_complaint_once(service_db, monkeypatch):
    """Two deliveries of one tracking number (a keyed intake sent twice, or a redelivery), the
    second stored by another instance between the first one's look and its insert."""
    first = service_db("complaints")
    other_instance = Store(first.url, models)
    now = datetime(2026, 3, 2, 3, tzinfo=timezone.utc)
    identity = intake.keyed_identity(SECRET, KEY, "public", BODY)
    deliveries = [seal("complaint.submitted", intake.intake_message(BODY, None, now, identity)[0])
                  for _ in range(2)]
    route = domain.route

    def route_while_the_other_instance_stores_it(*args):
        monkeypatch.setattr(domain, "route", route)
        ComplaintsService.receive_complaint(SimpleNamespace(db=other_instance), deliveries[1])
        return route(*args)

    monkeypatch.setattr(domain, "route", route_while_the_other_instance_stores_it)
    ComplaintsService.receive_complaint(SimpleNamespace(db=first), deliveries[0])
    with first.reading() as session:
        assert schemas.Stats().dump(domain.stats(session, COORDINATOR, now))["total"] == 1
        assert domain.is_received(session, identity[0])


def test_the_gateway_secret_is_configured_as_text_or_left_empty():
    assert load_config(environ={"GATEWAY_SECRET": "12345"})["GATEWAY_SECRET"] == "12345"
    assert load_config(environ={"GATEWAY_SECRET": "a+b/c=="})["GATEWAY_SECRET"] == "a+b/c=="
    assert load_config(environ={})["GATEWAY_SECRET"] == ""
