"""The law's clocks and moves for public information requests (UU 14/2008, PP 61/2010), on the
statutory dates: weekends, holidays and cuti bersama do not count; one extension; objections."""
from datetime import date, timedelta

import pytest

from services.information import domain
from services.information.domain import clocks
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.unit.information_unit_support import (
    COORDINATOR, IDENTITY, REFUSAL, REQUESTER, act, actor, at, events, local_day, register, view, with_forum)

KOMINFO, DINKES = actor("kominfo"), actor("dinkes")
# Monday 16 March 2026: Nyepi (19), Idul Fitri (21-22) and their cuti bersama (18, 20, 23, 24) follow,
# and Good Friday (3 April).
MONDAY = at(2026, 3, 16)


@pytest.fixture
def store(service_db):
    return with_forum(service_db("information"))


def test_ten_working_days_skip_nyepi_idul_fitri_cuti_bersama_and_good_friday(store):
    request_id = register(store, MONDAY)
    # 17 (1), 25, 26, 27, 30, 31 March, 1, 2 April (8), 6 (9), 7 April (10)
    assert local_day(view(store, request_id, MONDAY)["answer_due"]) == date(2026, 4, 7)
    assert view(store, request_id, MONDAY)["days_left"] == 10


def test_one_extension_of_seven_working_days_with_a_reason(store):
    request_id = register(store, MONDAY)
    with pytest.raises(ValidationFailed):
        act(store, "extend", KOMINFO, request_id, {"reason": " "}, at(2026, 4, 6))
    act(store, "extend", KOMINFO, request_id, {"reason": "Dokumen di arsip pusat"}, at(2026, 4, 6))
    seen = view(store, request_id, at(2026, 4, 6))
    assert local_day(seen["answer_due"]) == date(2026, 4, 16) and seen["extended"]
    with pytest.raises(Conflict):
        act(store, "extend", KOMINFO, request_id, {"reason": "Sekali lagi"}, at(2026, 4, 8))


def test_an_extension_is_given_within_the_first_ten_days(store):
    request_id = register(store, MONDAY)
    with pytest.raises(Conflict):
        act(store, "extend", KOMINFO, request_id, {"reason": "Terlambat"}, at(2026, 4, 8))


def test_only_the_agency_holding_it_moves_a_request(store):
    request_id = register(store, MONDAY)
    with pytest.raises(NotFound):
        act(store, "extend", DINKES, request_id, {"reason": "Bukan kami"}, MONDAY)
    act(store, "extend", COORDINATOR, request_id, {"reason": "Koordinator"}, MONDAY)


def test_a_refusal_cites_pasal_17_and_the_consequence_test(store):
    request_id = register(store, MONDAY)
    with pytest.raises(ValidationFailed) as refused:
        act(store, "decide", KOMINFO, request_id, {"decision": "refused", "note": "Tidak boleh"}, MONDAY)
    assert "exemption" in refused.value.fields
    act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 3, 17))
    seen = view(store, request_id, at(2026, 3, 17))
    assert seen["decision"] == "refused" and seen["exemption"]["article"] == "h"
    with pytest.raises(Conflict):
        act(store, "decide", KOMINFO, request_id, {"decision": "granted", "note": "Ternyata boleh"}, MONDAY)


def test_a_grant_gives_documents_and_the_tracking_page_shows_them_never_the_requester(store):
    request_id = register(store, MONDAY)
    documents = [{"title": "DPA Diskominfo 2026", "url": "https://ppid.example.go.id/dpa-2026.pdf"}]
    act(store, "decide", KOMINFO, request_id, {"decision": "granted", "documents": documents}, at(2026, 3, 17))
    with store.reading() as session:
        number = view(store, request_id, MONDAY)["registration_number"]
        tracking = domain.tracking_view(session, number.lower().replace("-", " "), at(2026, 3, 17))
    assert tracking["documents"] == documents and tracking["decision"] == "granted"
    text = repr(tracking)
    for private in (*REQUESTER.values(), "+6281234567890", "0001", "Daftar anggaran", "skripsi"):
        assert private not in text


def test_events_carry_no_personal_data_nor_what_was_asked(store):
    request_id = register(store, MONDAY)
    act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 3, 17))
    number = view(store, request_id, MONDAY)["registration_number"]
    with store.unit_of_work() as uow:
        domain.file_objection(uow, number, {"identity_number": IDENTITY, "grounds": ["refused"],
                                            "reason": "Saya butuh data ini"}, at(2026, 3, 18))
    sent = events(store)
    assert [e["name"] for e in sent] == ["information.request_registered", "information.decided",
                                         "information.objection_filed"]
    text = repr(sent)
    for private in (*REQUESTER.values(), "+6281234567890", IDENTITY, "73720101", "Daftar anggaran", "Saya butuh"):
        assert private not in text


def test_the_identity_number_is_kept_hashed_with_its_last_four_characters(store):
    request_id = register(store, MONDAY)
    with store.reading() as session:
        stored = session.get(domain.requests.InformationRequest, request_id)
        assert "7372" not in stored.identity_hash and stored.identity_last4 == "0001"
    assert view(store, request_id, MONDAY)["requester"]["identity_last4"] == "0001"


def test_not_held_goes_to_the_holder_whose_own_ten_days_start_when_it_accepts(store):
    request_id = register(store, MONDAY)
    act(store, "forward", KOMINFO, request_id, {"to_agency_id": "dinkes", "reason": "Data kesehatan"}, MONDAY)
    with pytest.raises(Conflict):
        act(store, "decide", KOMINFO, request_id, REFUSAL, MONDAY)
    with pytest.raises(Forbidden):
        act(store, "answer_forward", COORDINATOR, request_id, True, {}, MONDAY)
    accepted = at(2026, 3, 26)
    act(store, "answer_forward", DINKES, request_id, True, {}, accepted)
    seen = view(store, request_id, accepted)
    # 27, 30, 31 March, 1, 2 April, (3 Good Friday) 6, 7, 8, 9, 10 April
    assert seen["agency_id"] == "dinkes" and local_day(seen["answer_due"]) == date(2026, 4, 10)
    assert [f["state"] for f in seen["forwards"]] == ["accepted"]
    with pytest.raises(Forbidden):
        act(store, "decide", KOMINFO, request_id, REFUSAL, accepted)


def test_a_refused_forward_leaves_the_request_with_the_sender(store):
    request_id = register(store, MONDAY)
    act(store, "forward", KOMINFO, request_id, {"to_agency_id": "dinkes", "reason": "Data kesehatan"}, MONDAY)
    with pytest.raises(ValidationFailed):
        act(store, "answer_forward", DINKES, request_id, False, {}, MONDAY)
    act(store, "answer_forward", DINKES, request_id, False, {"reason": "Kami tidak memegangnya"}, MONDAY)
    seen = view(store, request_id, MONDAY)
    assert seen["agency_id"] == "kominfo" and local_day(seen["answer_due"]) == date(2026, 4, 7)
    act(store, "decide", KOMINFO, request_id, {"decision": "not_held", "holder": "BPS Kota Parepare"}, MONDAY)


def objection(store, request_id, now, identity=IDENTITY, grounds=("refused",)):
    number = view(store, request_id, now)["registration_number"]
    with store.unit_of_work() as uow:
        return domain.file_objection(uow, number, {"identity_number": identity, "grounds": list(grounds),
                                                   "reason": "Informasi ini terbuka"}, now).id


def test_an_objection_within_thirty_working_days_of_the_decision(store):
    request_id = register(store, MONDAY)
    with pytest.raises(Conflict):  # the agency still has time and has not decided
        objection(store, request_id, at(2026, 3, 17), grounds=["not_answered"])
    act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 4, 7))
    with pytest.raises(Forbidden):
        objection(store, request_id, at(2026, 4, 8), identity="7372010190019999")
    # 30 working days after 7 April: 22 May (1 May, 14-15 May are holidays)
    with pytest.raises(Conflict):
        objection(store, request_id, at(2026, 5, 25))
    objection(store, request_id, at(2026, 5, 22, 20), identity="7372-0101-9001-0001")
    seen = view(store, request_id, at(2026, 5, 22, 20))
    assert seen["stage"] == "objection"
    # the superior's 30 working days: 25, 26, 29 May (27-28 May, 1 June, 16 June off) ... 9 July
    assert local_day(seen["objection"]["due"]) == date(2026, 7, 9)


def test_a_missed_deadline_opens_the_objection_window(store):
    request_id = register(store, MONDAY)
    objection(store, request_id, at(2026, 4, 8), grounds=["not_answered", "late"])
    assert view(store, request_id, at(2026, 4, 8))["objection"]["grounds"] == ["not_answered", "late"]


def test_the_superior_answers_and_the_komisi_informasi_follows_within_fourteen_days(store):
    request_id = register(store, MONDAY)
    act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 3, 17))
    objection(store, request_id, at(2026, 3, 25))
    too_early = {"filed_on": at(2026, 3, 26).isoformat(), "outcome": "pending"}
    with pytest.raises(Conflict):
        act(store, "record_commission", KOMINFO, request_id, too_early, at(2026, 3, 26))
    officer = actor("kominfo", account_id="acc-1", account_name="Sari PPID", account_role="officer")
    with pytest.raises(Forbidden):
        act(store, "answer_objection", officer, request_id, {"outcome": "dismissed", "answer": "Tetap"},
            at(2026, 4, 1))
    superior = actor("kominfo", account_id="acc-2", account_name="Budi Sekretaris", account_role="admin")
    act(store, "answer_objection", superior, request_id, {"outcome": "dismissed", "answer": "Tetap dikecualikan"},
        at(2026, 4, 1))
    seen = view(store, request_id, at(2026, 4, 1))
    # 14 working days after 1 April: 2, (3 off) 6-10, 13-17, 20, 21, 22 April
    assert local_day(seen["objection"]["commission_due"]) == date(2026, 4, 22)
    assert "Budi Sekretaris (Dinas Kominfo)" in [entry["actor"] for entry in seen["audit"]]
    with pytest.raises(ValidationFailed):
        act(store, "record_commission", KOMINFO, request_id,
            {"filed_on": at(2026, 4, 23).isoformat()}, at(2026, 4, 24))
    act(store, "record_commission", KOMINFO, request_id, {"filed_on": at(2026, 4, 20).isoformat()}, at(2026, 4, 24))
    assert view(store, request_id, at(2026, 4, 24))["stage"] == "commission"
    act(store, "record_commission", KOMINFO, request_id, {"filed_on": at(2026, 4, 20).isoformat(),
                                                          "outcome": "requester_won"}, at(2026, 6, 2))
    assert view(store, request_id, at(2026, 6, 2))["stage"] == "closed"


def test_an_upheld_objection_lets_the_agency_give_the_information(store):
    request_id = register(store, MONDAY)
    act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 3, 17))
    objection(store, request_id, at(2026, 3, 25))
    act(store, "answer_objection", KOMINFO, request_id, {"outcome": "upheld", "answer": "Berikan"}, at(2026, 3, 26))
    with pytest.raises(Conflict):
        act(store, "decide", KOMINFO, request_id, REFUSAL, at(2026, 3, 27))
    act(store, "decide", KOMINFO, request_id, {"decision": "granted", "note": "Terlampir"}, at(2026, 3, 27))


def test_one_working_day_left_is_said_once_and_a_late_stage_escalates_once(store):
    request_id = register(store, MONDAY)
    with store.reading() as session:
        assert domain.near_candidates(session, at(2026, 4, 3)) == []
        assert domain.near_candidates(session, at(2026, 4, 6)) == [("answer", request_id)]
    for _ in range(2):
        with store.unit_of_work() as uow:
            domain.warn(uow, "answer", request_id, at(2026, 4, 6))
    late = at(2026, 4, 8)
    with store.reading() as session:
        assert domain.overdue_candidates(session, late) == [("answer", request_id)]
        assert domain.overdue_by_stage(session, late) == {"answer": 1, "objection": 0}
    for first in (True, False):
        with store.unit_of_work() as uow:
            assert domain.escalate(uow, "answer", request_id, late) is first
    with store.reading() as session:
        assert domain.overdue_candidates(session, late) == []
        listed = domain.list_requests(session, actor("kominfo"), {"overdue": "true"}, late)
        assert [r["id"] for r in listed["requests"]] == [request_id]
        assert domain.list_requests(session, COORDINATOR, {"overdue": "true"}, late)["total"] == 1
    assert [e["data"]["stage"] for e in events(store, "information.deadline_near")] == ["answer"]
    overdue = events(store, "information.stage_overdue")
    assert len(overdue) == 1 and overdue[0]["data"]["parent_agency_id"] == "pemkot"


def test_an_extension_warns_again_before_its_own_deadline(store):
    request_id = register(store, MONDAY)
    with store.unit_of_work() as uow:
        domain.warn(uow, "answer", request_id, at(2026, 4, 6))
    act(store, "extend", KOMINFO, request_id, {"reason": "Arsip"}, at(2026, 4, 7))
    with store.reading() as session:
        assert domain.near_candidates(session, at(2026, 4, 15)) == [("answer", request_id)]


def test_the_report_counts_decisions_refusals_by_article_forwards_and_objections(store):
    granted, refused, forwarded, pending = (register(store, MONDAY) for _ in range(4))
    act(store, "decide", KOMINFO, granted, {"decision": "granted", "note": "Terlampir"}, at(2026, 3, 26))
    act(store, "decide", KOMINFO, refused, REFUSAL, at(2026, 3, 17))
    act(store, "forward", KOMINFO, forwarded, {"to_agency_id": "dinkes", "reason": "Data kesehatan"}, MONDAY)
    act(store, "answer_forward", DINKES, forwarded, True, {}, MONDAY)
    objection(store, refused, at(2026, 3, 25))
    with store.reading() as session:
        mine = domain.report(session, KOMINFO, {"year": "2026", "semester": "1"}, at(2026, 4, 8))
        with pytest.raises(Forbidden):
            domain.report(session, KOMINFO, {"year": "2026", "agency_id": "dinkes"}, at(2026, 4, 8))
        forum = domain.forum_report(session, COORDINATOR, {"year": "2026"}, at(2026, 4, 8))
        with pytest.raises(Forbidden):
            domain.forum_report(session, KOMINFO, {"year": "2026"}, at(2026, 4, 8))
        second = domain.report(session, KOMINFO, {"year": "2026", "semester": "2"}, at(2026, 4, 8))
    assert (mine["received"], mine["granted"], mine["refused"], mine["forwarded"], mine["pending"]) == (3, 1, 1, 1, 1)
    assert mine["refused_by_article"] == {"h": 1} and mine["objections_pending"] == 1
    # granted after 3 working days (17, 25, 26 March), refused after 1
    assert mine["average_days_to_answer"] == 2.0 and mine["answered_late"] == 1
    assert second["received"] == 0
    by_agency = {row["agency"]["id"]: row for row in forum["agencies"]}
    assert by_agency["dinkes"]["received"] == 1 and forum["total"]["received"] == 4
    assert by_agency["pemkot"]["received"] == 0


def test_each_agency_keeps_its_own_list_of_public_information(store):
    with store.unit_of_work() as uow:
        entry = domain.add_entry(uow, KOMINFO, {"class": "setiap_saat", "title": "Daftar aset"}, MONDAY)
        domain.add_entry(uow, KOMINFO, {"class": "berkala", "title": "Laporan keuangan",
                                         "url": "https://ppid.example.go.id/lk"}, MONDAY)
        domain.add_entry(uow, COORDINATOR, {"agency_id": "dinkes", "class": "serta_merta",
                                             "title": "Peringatan wabah"}, MONDAY)
        with pytest.raises(Forbidden):
            domain.add_entry(uow, DINKES, {"agency_id": "kominfo", "class": "berkala", "title": "Bukan milik"}, MONDAY)
        entry_id = entry.id
    with store.unit_of_work() as uow:
        with pytest.raises(Forbidden):
            domain.change_entry(uow, DINKES, entry_id, {"title": "Diubah"}, MONDAY)
        domain.change_entry(uow, KOMINFO, entry_id, {"class": "dikecualikan"}, MONDAY)
    with store.reading() as session:
        listed = domain.dip(session, "kominfo")
    assert [(e.klass, e.title) for e in listed["entries"]] == [("berkala", "Laporan keuangan"),
                                                               ("dikecualikan", "Daftar aset")]


def test_registration_numbers_forgive_typing(store):
    request_id = register(store, MONDAY)
    number = view(store, request_id, MONDAY)["registration_number"]
    assert number.startswith("PPID-") and len(number) == 19
    typed = "pp1d " + number[5:].replace("-", " ").replace("0", "o").lower()
    assert domain.normalise_registration_number(typed) == number
    with store.reading() as session:
        with pytest.raises(NotFound):
            domain.tracking_view(session, "PPID-0000-0000-0000", MONDAY)


def test_the_request_needs_a_way_to_answer_and_a_known_agency(store):
    with pytest.raises(ValidationFailed) as missing:
        register(store, MONDAY, requester={"name": "Andi", "address": "Parepare"})
    assert "phone" in missing.value.fields["requester"]
    with pytest.raises(ValidationFailed):
        register(store, MONDAY, agency_id="nobody")
    assert clocks.days_left(MONDAY - timedelta(days=3), MONDAY) < 0


def test_a_public_idempotency_key_answers_only_the_same_request():
    body = {"agency_id": "kominfo", "information": "Anggaran"}
    assert domain.intake_scope(None, body) == domain.intake_scope(None, dict(reversed(list(body.items()))))
    assert domain.intake_scope(None, body) != domain.intake_scope(None, {**body, "information": "Lain"})
    assert domain.intake_scope(KOMINFO, body) == "kominfo" and len(domain.intake_scope(None, body)) <= 64
