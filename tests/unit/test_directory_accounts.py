"""People and their console sessions, on a real (SQLite) directory database, with a fixed clock:
invitations (single use, 72 h), sign-in (never saying whether an email exists; slowed then locked),
idle and absolute timeouts, and the sessions that end on logout, deactivation and password change."""
import json
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from argon2 import PasswordHasher

from services.directory import domain, models
from services.directory.domain import credentials, sessions
from services.directory.domain.credentials import token_hash
from services.directory.domain.passwords import password_refusal
from shared import offload
from shared.contracts import open_envelope
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
PASSWORD = "kata-sandi-rahasia-1"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2id as cheap as it goes: these tests are about the rules, not the hash's cost."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(credentials, "PASSWORDS", cheap)
    monkeypatch.setattr(credentials, "_NOBODY", cheap.hash("nobody"))


@pytest.fixture
def store(service_db):
    return service_db("directory")


@pytest.fixture
def forum(store):
    return open_forum(store)


def open_forum(store):
    """The coordinator with its first admin (signed up), and a Polres."""
    with store.unit_of_work() as uow:
        koord, _key, _secret = domain.bootstrap_forum(uow, {"name": "Bagian Humas", "short_name": "HUMAS",
                                                             "kind": "opd"}, NOW)
        first = domain.invite_first_admin(uow, koord.id, {"name": "Rina Admin", "email": "Rina@Example.go.id"}, NOW)
        polres = domain.register_agency(uow, {"agency_id": koord.id, "role": "coordinator", "key_id": "k"},
                                        {"name": "Polres Parepare", "short_name": "POLRES", "kind": "polri"}, NOW)
        koord_id, polres_id = koord.id, polres.id
    accept(store, first.invite_token)
    admin = sign_in(store, "rina@example.go.id")
    return {"koord": koord_id, "polres": polres_id, "admin": admin.session.__dict__ | {"key_id": None},
            "admin_id": admin.session.account_id}


def events(store, name):
    with store.reading() as session:
        rows = session.query(models.OutboxMessage).order_by(models.OutboxMessage.id).all()
    return [e for e in (open_envelope(json.loads(row.envelope)) for row in rows) if e.name == name]


def accept(store, token, password=PASSWORD, now=NOW):
    with store.unit_of_work() as uow:
        return domain.accept_invite(uow, token_hash(token), {"password": password}, now)


def sign_in(store, email, password=PASSWORD, now=NOW, totp_code=None, token=None):
    token = token or str(uuid.uuid4())
    return domain.sign_in(store.unit_of_work, {"email": email, "password": password, "totp_code": totp_code},
                          token_hash(token), now)


def resolve(store, signed_in, now):
    with store.unit_of_work() as uow:
        return domain.resolve_session(uow, signed_in.token, now)


def invite(store, actor, agency_id, email, role="officer"):
    with store.unit_of_work() as uow:
        return domain.invite_account(uow, actor, agency_id, {"name": "Budi Officer", "email": email,
                                                             "phone": "0812-3456-7890", "account_role": role}, NOW)


def test_an_invitation_is_good_once_and_for_72_hours(store, forum):
    made = invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    assert made.invite_expires_at == NOW + timedelta(hours=72)
    with store.reading() as session:  # only the token's SHA-256 is kept
        assert token_hash(made.invite_token) in {i.token_hash for i in session.query(models.Invite)}
    with pytest.raises(NotFound):
        accept(store, made.invite_token, now=NOW + timedelta(hours=72))
    with pytest.raises(ValidationFailed):
        accept(store, made.invite_token, password="short")
    account = accept(store, made.invite_token)
    assert account.activated_at == NOW and account.phone == "+6281234567890"
    with pytest.raises(NotFound):
        accept(store, made.invite_token, password="another-password-2")
    assert [e.data for e in events(store, "account.invited")][-1] == {"account_id": account.id,
                                                                     "agency_id": forum["polres"]}


def test_who_may_invite_and_email_is_unique_whatever_its_case(store, forum):
    officer = invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    accept(store, officer.invite_token)
    officer_actor = sign_in(store, "budi@polres.example.go.id").session.__dict__ | {"key_id": None}
    with pytest.raises(Forbidden):  # an officer does the work, an admin manages accounts
        invite(store, officer_actor, forum["polres"], "other@polres.example.go.id")
    polres_key = {"agency_id": forum["polres"], "role": "member", "key_id": "k", "account_id": None}
    with pytest.raises(Forbidden):  # a member acts only for itself
        invite(store, polres_key, forum["koord"], "x@example.go.id")
    invite(store, polres_key, forum["polres"], "admin@polres.example.go.id", role="admin")
    with pytest.raises(Conflict):
        invite(store, forum["admin"], forum["polres"], "BUDI@Polres.Example.go.id")
    with pytest.raises(Conflict):  # the first admin is made once
        with store.unit_of_work() as uow:
            domain.invite_first_admin(uow, forum["koord"], {"name": "Again", "email": "again@example.go.id"}, NOW)


def test_sign_in_answers_an_unknown_email_as_a_wrong_password_then_slows_and_locks(store, forum):
    unknown = sign_in(store, "nobody@example.go.id")
    wrong = sign_in(store, "rina@example.go.id", password="not-the-password")
    assert unknown == wrong == domain.SignedIn()
    for attempt in range(2, 6):  # failures 2..5: the 3rd onward make the account wait 30 s
        moment = NOW + timedelta(minutes=attempt)
        assert sign_in(store, "rina@example.go.id", "not-the-password", now=moment).token is None
    waiting = sign_in(store, "rina@example.go.id", now=NOW + timedelta(minutes=5, seconds=10))
    assert waiting.token is None  # the right password, but still waiting
    assert sign_in(store, "rina@example.go.id", "wrong", now=NOW + timedelta(minutes=6)).token is None  # 6th
    assert sign_in(store, "rina@example.go.id", now=NOW + timedelta(minutes=20)).token is None  # locked 15 min
    assert sign_in(store, "rina@example.go.id", now=NOW + timedelta(minutes=22)).token is not None
    assert sign_in(store, "rina@example.go.id", "wrong", now=NOW + timedelta(minutes=23)).token is None
    assert sign_in(store, "rina@example.go.id", now=NOW + timedelta(minutes=24)).token is not None  # count reset


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_tries_on_one_account_at_the_same_moment_are_counted_before_any_password_is_checked(
        service_db, monkeypatch, backend):
    """Ten tries arrive while the one before is still at its password check (as concurrent requests
    do): the third takes the account's last free try and locks it, so the rest are refused, the
    right password too, and no failure is lost."""
    store = service_db("directory", backend=backend)
    open_forum(store)
    answers, checked = [], []

    def overlapping(password_hash, password):
        checked.append(password)
        if len(checked) < 10:
            answers.append(sign_in(store, "rina@example.go.id", PASSWORD if len(checked) == 9 else "wrong-one"))
        return credentials.password_matches(password_hash, password)

    monkeypatch.setattr(sessions, "password_matches", overlapping)
    answers.append(sign_in(store, "rina@example.go.id", "wrong-one"))
    assert len(answers) == 10 and all(answer.token is None for answer in answers)
    with store.reading() as session:
        account = session.query(models.Account).filter_by(email_key="rina@example.go.id").one()
    assert account.failed_logins == sessions.SLOW_AFTER and account.locked_until == NOW + sessions.SLOW_WAIT


def test_a_session_ends_after_30_idle_minutes_or_12_hours(store, forum):
    signed_in = sign_in(store, "rina@example.go.id")
    assert resolve(store, signed_in, NOW + timedelta(minutes=29)).account_name == "Rina Admin"
    assert resolve(store, signed_in, NOW + timedelta(minutes=58)) is not None  # seen at 29 min
    assert resolve(store, signed_in, NOW + timedelta(minutes=89)) is None  # 31 idle minutes
    busy = sign_in(store, "rina@example.go.id", token="busy")
    moment = NOW
    while moment < NOW + timedelta(hours=11, minutes=40):
        moment += timedelta(minutes=20)
        assert resolve(store, busy, moment) is not None, moment
    assert resolve(store, busy, NOW + timedelta(hours=12)) is None


def test_last_seen_is_written_at_most_once_a_minute(store, forum):
    signed_in = sign_in(store, "rina@example.go.id")
    resolve(store, signed_in, NOW + timedelta(seconds=30))
    with store.reading() as session:
        assert session.query(models.ConsoleSession).filter_by(token_hash=signed_in.token).one().last_seen_at == NOW
    resolve(store, signed_in, NOW + timedelta(seconds=61))
    with store.reading() as session:
        assert session.query(models.ConsoleSession).filter_by(
            token_hash=signed_in.token).one().last_seen_at == NOW + timedelta(seconds=61)


def test_logout_deactivation_and_a_new_password_end_sessions(store, forum):
    officer = invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    accept(store, officer.invite_token)
    phone = sign_in(store, "budi@polres.example.go.id", token="phone")
    laptop = sign_in(store, "budi@polres.example.go.id", token="laptop")
    with store.unit_of_work() as uow:
        domain.end_session(uow, phone.token, NOW)
    assert resolve(store, phone, NOW) is None and resolve(store, laptop, NOW) is not None
    assert events(store, "session.ended")[-1].data == {"session_id": phone.session.session_id,
                                                       "account_id": officer.account.id,
                                                       "agency_id": forum["polres"]}

    desk = sign_in(store, "budi@polres.example.go.id", token="desk")
    actor = desk.session.__dict__ | {"key_id": None}
    with pytest.raises(Forbidden):
        with store.unit_of_work() as uow:
            domain.change_password(uow, actor, desk.token, {"current_password": "wrong",
                                                            "new_password": "a-new-password-2"}, NOW)
    with store.unit_of_work() as uow:
        domain.change_password(uow, actor, desk.token, {"current_password": PASSWORD,
                                                        "new_password": "a-new-password-2"}, NOW)
    assert resolve(store, laptop, NOW) is None and resolve(store, desk, NOW) is not None
    assert sign_in(store, "budi@polres.example.go.id").token is None
    assert sign_in(store, "budi@polres.example.go.id", "a-new-password-2").token is not None

    with pytest.raises(Conflict):
        with store.unit_of_work() as uow:
            domain.deactivate_account(uow, forum["admin"], forum["koord"], forum["admin_id"], NOW)
    with store.unit_of_work() as uow:  # an admin of the coordinator manages any agency's accounts
        domain.deactivate_account(uow, forum["admin"], forum["polres"], officer.account.id, NOW)
    assert resolve(store, desk, NOW) is None
    assert sign_in(store, "budi@polres.example.go.id", "a-new-password-2").token is None
    assert [e.data["account_id"] for e in events(store, "account.deactivated")] == [officer.account.id]
    with store.reading() as session:
        contacts = domain.account_contacts(session, forum["polres"])
        listed = domain.list_accounts(session, forum["admin"], forum["polres"])
    assert contacts == [] and [a.name for a in listed] == ["Budi Officer"]


def test_totp_once_confirmed_is_asked_at_sign_in_and_a_code_is_good_once(store, forum):
    with store.unit_of_work() as uow:
        enrolment = domain.enrol_totp(uow, forum["admin"], {"current_password": PASSWORD}, NOW)
    assert enrolment.uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(enrolment.secret)
    with pytest.raises(Forbidden):
        with store.unit_of_work() as uow:
            domain.confirm_totp(uow, forum["admin"], None,
                                {"code": "000000" if totp.at(NOW) != "000000" else "111111"}, NOW)
    with store.unit_of_work() as uow:
        domain.confirm_totp(uow, forum["admin"], None, {"code": totp.at(NOW)}, NOW)
    later = NOW + timedelta(minutes=5)
    asked = sign_in(store, "rina@example.go.id", now=later)
    assert asked.token is None and asked.totp_required
    with store.reading() as session:  # the right password with the code still to come is no failure
        assert session.query(models.Account).filter_by(email_key="rina@example.go.id").one().failed_logins == 0
    # A wrong password with a code answers as for an unknown email: nothing tells the account has TOTP.
    assert sign_in(store, "rina@example.go.id", "wrong", now=later, totp_code="123456") == domain.SignedIn()
    assert sign_in(store, "rina@example.go.id", now=later, totp_code=totp.at(later)).token is not None
    assert sign_in(store, "rina@example.go.id", now=later, totp_code=totp.at(later), token="again").token is None


def test_a_renewed_link_replaces_the_earlier_one_and_resets_a_forgotten_password(store, forum):
    made = invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    with pytest.raises(NotFound):  # three days later the first link has expired
        accept(store, made.invite_token, now=NOW + timedelta(days=3))
    with store.unit_of_work() as uow:
        renewed = domain.renew_invite(uow, forum["admin"], forum["polres"], made.account.id, NOW)
    accept(store, renewed.invite_token)
    session = sign_in(store, "budi@polres.example.go.id")
    with store.unit_of_work() as uow:  # forgotten: the admin makes another link; the old password and sessions go
        again = domain.renew_invite(uow, forum["admin"], forum["polres"], made.account.id, NOW)
        stale = domain.renew_invite(uow, forum["admin"], forum["polres"], made.account.id, NOW)
    with pytest.raises(NotFound):
        accept(store, again.invite_token, password="a-new-password-3")
    accept(store, stale.invite_token, password="a-new-password-3")
    assert resolve(store, session, NOW) is None
    assert sign_in(store, "budi@polres.example.go.id").token is None
    assert sign_in(store, "budi@polres.example.go.id", "a-new-password-3").token is not None


def test_a_hash_of_older_parameters_is_replaced_at_the_next_sign_in(store, forum, monkeypatch):
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(credentials, "PASSWORDS", stronger)
    assert sign_in(store, "rina@example.go.id").token is not None
    with store.reading() as session:
        stored = session.query(models.Account).filter_by(email_key="rina@example.go.id").one().password_hash
    assert not stronger.check_needs_rehash(stored) and stronger.verify(stored, PASSWORD)


def test_a_sign_in_checks_the_password_outside_any_unit_of_work(store, forum, monkeypatch):
    """argon2 never runs inside a unit of work: on SQLite one holds the process's only writer lock,
    which every other write and session check would wait for."""
    units_open = []

    @contextmanager
    def watched_unit_of_work():
        units_open.append(True)
        try:
            with store.unit_of_work() as uow:
                yield uow
        finally:
            units_open.pop()

    inside = []
    run = offload.CPU.run
    monkeypatch.setattr(offload.CPU, "run", lambda work, *args, **kwargs: inside.append(bool(units_open))
                        or run(work, *args, **kwargs))
    signed_in = domain.sign_in(watched_unit_of_work, {"email": "rina@example.go.id", "password": PASSWORD,
                                                     "totp_code": None}, token_hash("t"), NOW)
    assert signed_in.token is not None and inside == [False]


@pytest.mark.parametrize("password, refusal", [
    ("aaaaaaaaaa", "on a list of common or leaked passwords"),
    ("Password123", "on a list of common or leaked passwords"),
    ("zzzz-zzzz-zzzz", "repeats a few characters"),
    ("7373737373", "repeats a few characters"),
    ("Rina.Admin-2026", "contains the name of the account's email address"),
    ("sandi-humas-koord-26", "contains the forum's name"),
    ("BagianHumas!2026", "contains the forum's name"),
    ("bakohumas-2026-ku", "contains the forum's name"),
    ("kata-sandi-rahasia-1", None),
])
def test_a_new_password_is_refused_when_common_repetitive_or_of_this_place(password, refusal):
    assert password_refusal(password, "rina.admin@example.go.id", ["Bakohumas", "Bagian Humas", "HUMAS-KOORD"]) \
        == refusal


def test_an_invitation_and_a_change_of_password_refuse_a_common_one(store, forum):
    made = invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    with pytest.raises(ValidationFailed) as refused:
        accept(store, made.invite_token, password="qwertyuiop")
    assert refused.value.fields == {"password": ["on a list of common or leaked passwords"]}
    with pytest.raises(ValidationFailed) as refused:
        accept(store, made.invite_token, password="budi-di-polres")
    assert refused.value.fields == {"password": ["contains the name of the account's email address"]}
    accept(store, made.invite_token)  # the link was not spent by the refusals
    actor = sign_in(store, "budi@polres.example.go.id").session.__dict__ | {"key_id": None}
    with pytest.raises(ValidationFailed) as refused:
        with store.unit_of_work() as uow:
            domain.change_password(uow, actor, None, {"current_password": PASSWORD,
                                                      "new_password": "humas-sandi-baru"}, NOW)
    assert refused.value.fields == {"new_password": ["contains the forum's name"]}


def change(store, action, actor, keep, data, now):
    with store.unit_of_work() as uow:
        return action(uow, actor, keep, data, now)


def test_changing_the_second_factor_password_or_email_asks_for_proof_and_ends_the_other_sessions(store, forum):
    laptop = sign_in(store, "rina@example.go.id", token="laptop")
    desk = sign_in(store, "rina@example.go.id", token="desk")
    actor = desk.session.__dict__ | {"key_id": None}

    def enrol(proof, now=NOW):
        with store.unit_of_work() as uow:
            return domain.enrol_totp(uow, actor, proof, now)

    with pytest.raises(ValidationFailed):  # a session alone plants no authenticator
        enrol({})
    with pytest.raises(Forbidden) as refused:
        enrol({"current_password": "not-the-password"})
    assert "current_password" in refused.value.fields
    first = pyotp.TOTP(enrol({"current_password": PASSWORD}).secret)
    added = change(store, domain.confirm_totp, actor, desk.token, {"code": first.at(NOW)}, NOW)
    assert added.change == "added" and added.account.totp_secret == first.secret
    assert resolve(store, laptop, NOW) is None and resolve(store, desk, NOW) is not None

    later = NOW + timedelta(minutes=1)
    with pytest.raises(Forbidden) as refused:  # with TOTP on, the password alone is not enough
        enrol({"current_password": PASSWORD}, later)
    assert "current_code" in refused.value.fields
    second = pyotp.TOTP(enrol({"current_password": PASSWORD, "current_code": first.at(later)}, later).secret)
    replaced = change(store, domain.confirm_totp, actor, desk.token, {"code": second.at(later)}, later)
    assert replaced.change == "replaced" and replaced.account.totp_secret == second.secret

    later += timedelta(minutes=1)
    with pytest.raises(Forbidden):
        change(store, domain.remove_totp, actor, desk.token, {"current_password": PASSWORD,
                                                             "current_code": first.at(later)}, later)
    with pytest.raises(Forbidden):
        change(store, domain.change_password, actor, desk.token,
               {"current_password": PASSWORD, "new_password": "kapal-layar-biru-9"}, later)
    phone = sign_in(store, "rina@example.go.id", now=later, totp_code=second.at(later), token="phone")
    later += timedelta(minutes=1)
    removed = change(store, domain.remove_totp, actor, desk.token, {"current_password": PASSWORD,
                                                                   "current_code": second.at(later)}, later)
    assert removed.change == "removed" and removed.account.totp_secret is None
    assert resolve(store, phone, later) is None

    with pytest.raises(Forbidden):
        change(store, domain.change_email, actor, desk.token, {"current_password": "wrong",
                                                              "email": "rina.baru@example.go.id"}, later)
    invite(store, forum["admin"], forum["polres"], "budi@polres.example.go.id")
    with pytest.raises(Conflict):  # another account's email, whatever its case
        change(store, domain.change_email, actor, desk.token, {"current_password": PASSWORD,
                                                              "email": "BUDI@polres.example.go.id"}, later)
    tablet = sign_in(store, "rina@example.go.id", now=later, token="tablet")
    change(store, domain.change_email, actor, desk.token, {"current_password": PASSWORD,
                                                          "email": "rina.baru@example.go.id"}, later)
    assert resolve(store, tablet, later) is None and resolve(store, desk, later) is not None
    assert sign_in(store, "rina@example.go.id", now=later).token is None
    assert sign_in(store, "Rina.Baru@example.go.id", now=later).token is not None
