"""Lists answer each item's stored summary: rendered once at every change, it always equals what
dumping the item now would give (its lead agency named), and history names the person who acted."""
import json
from datetime import timedelta

from services.calendar import domain, schemas
from services.calendar.models import Item
from tests.unit.calendar_unit_support import COORDINATOR, NOW, WITA, at, member

POLRES, DINKES = member("polres"), member("dinkes")


def listed(cal, actor=COORDINATOR):
    return {summary["id"]: summary for summary in json.loads(cal.read(lambda s: domain.list_items(s, actor, {})))["items"]}


def fresh(cal, item_id):
    """What dumping the item as it is now gives: the answer the stored summary must equal."""
    def dump(session):
        item = session.get(Item, item_id)
        return {**schemas.ItemSummary().dump(item),
                "lead_agency": domain.agency_names(session, [item.lead_agency_id])[item.lead_agency_id]}
    return cal.read(dump)


def test_the_stored_summary_follows_every_change(cal):
    item = cal.propose(POLRES, supporting_agency_ids=["dinkes"], venue="Aula")
    assert listed(cal)[item.id] == fresh(cal, item.id)
    assert listed(cal)[item.id]["lead_agency"] == {"id": "polres", "name": "Agency polres", "short_name": "POLRES"}

    cal.schedule(item)
    cal.act(domain.respond, DINKES, item.id, {"response": "declined"})
    cal.act(domain.change, POLRES, item.id, {"title": "Konferensi pers Operasi Zebra", "start": at(10, 10).isoformat(),
                                             "end": at(10, 11).isoformat(), "reason": "the Kapolres is away"},
            now=NOW + timedelta(minutes=5))
    summary = listed(cal)[item.id]
    assert summary == fresh(cal, item.id)
    assert (summary["title"], summary["state"], summary["revision"]) == ("Konferensi pers Operasi Zebra", "scheduled", 2)
    assert summary["start_local"] == "2030-03-10T10:00:00+07:00"


def test_a_renamed_lead_and_a_departed_agency_are_rendered_again(cal):
    item = cal.scheduled(POLRES, supporting_agency_ids=["dinkes"], start=at(20, 9))
    with cal.store.unit_of_work() as uow:
        domain.keep_agency(uow, {"id": "polres", "name": "Polres Parepare", "short_name": "POLRES-PARE",
                                 "kind": "polri", "role": "member", "active": True}, NOW + timedelta(hours=1))
    assert listed(cal)[item.id]["lead_agency"] == {"id": "polres", "name": "Polres Parepare", "short_name": "POLRES-PARE"}
    snapshot = {"id": "dinkes", "name": "Agency dinkes", "short_name": "DINKES", "kind": "opd", "role": "member",
                "active": False}
    cal.act(lambda uow, now: domain.agency_departed(uow, snapshot, NOW + timedelta(hours=2), now))
    summary = listed(cal)[item.id]
    assert summary["attention"] == "DINKES was deactivated in the directory"
    assert summary == fresh(cal, item.id)


def test_an_item_stored_before_summaries_were_is_summarised_when_read(cal):
    item = cal.propose(POLRES)
    with cal.store.unit_of_work() as uow:
        uow.session.get(Item, item.id).summary_json = None
    assert listed(cal)[item.id] == fresh(cal, item.id)


def test_the_history_names_the_person_and_a_key_acts_as_its_agency(cal):
    person = {**POLRES, "key_id": None, "account_id": "acc-1", "account_name": "Rina Wulandari",
              "account_role": "officer"}
    item = cal.propose(person)
    cal.schedule(item)
    entries = cal.read(lambda s: domain.named_history(s, POLRES, item.id))
    assert [(e["action"], e["actor_name"], e["actor_account_id"]) for e in entries] == [
        ("proposed", "Rina Wulandari", "acc-1"), ("scheduled", None, None)]
    dumped = schemas.HistoryEntry(many=True).dump(entries)
    assert dumped[0]["actor_name"] == "Rina Wulandari" and dumped[0]["actor_agency"]["short_name"] == "POLRES"


def test_a_month_counts_each_day_and_lists_its_first_items(cal):
    for hour in (9, 11, 13):
        cal.scheduled(POLRES, start=at(10, hour), venue=f"Aula {hour}")
    late = cal.scheduled(DINKES, start=at(10, 23, zone=WITA), timezone="Asia/Makassar")  # 22.00 WIB, same day
    cal.propose(DINKES, start=at(12, 9))  # a proposal of another agency: not POLRES's to see
    period = {"from": at(1, 0).isoformat(), "to": at(31, 0).isoformat(), "per_day": "2"}
    days = json.loads(cal.read(lambda s: domain.list_days(s, POLRES, period)))["days"]
    assert [(d["date"], d["count"], len(d["items"])) for d in days] == [("2030-03-10", 4, 2)]
    assert days[0]["items"][0] == fresh(cal, days[0]["items"][0]["id"])
    assert late.id not in {i["id"] for i in days[0]["items"]}
    coordinator_days = json.loads(cal.read(lambda s: domain.list_days(s, COORDINATOR, period)))["days"]
    assert [d["date"] for d in coordinator_days] == ["2030-03-10", "2030-03-12"]
