"""What waits for an agency in the calendar (the console's home page), the soonest first."""
from datetime import timedelta

from tests.unit.calendar_unit_support import COORDINATOR, NOW, at, member

from services.calendar import domain, schemas

POLRES, DINKES = member("polres"), member("dinkes")


def waiting(cal, actor, now=NOW):
    return cal.read(lambda session: schemas.Waiting().dump(domain.waiting_for(session, actor, now)))


def titles(items):
    return [item["title"] for item in items]


def test_an_agency_sees_its_proposals_and_what_asks_for_its_participation(cal):
    later = cal.propose(POLRES, title="Later proposal", start=at(12, 9))
    sooner = cal.scheduled(POLRES, title="Sooner scheduled", start=at(11, 9), supporting_agency_ids=["dinkes"])
    declined = cal.propose(POLRES, title="Declined one", start=at(13, 9))
    cal.act(domain.decline, COORDINATOR, declined.id, {"reason": "bentrok"})
    cal.propose(POLRES, title="Long over", start=at(1, 1), now=NOW - timedelta(days=30))
    cal.propose(DINKES, title="Not ours", start=at(11, 10))
    polres = waiting(cal, POLRES)
    assert titles(polres["proposals"]) == ["Sooner scheduled", "Later proposal", "Declined one"]
    assert [item["state"] for item in polres["proposals"]] == ["scheduled", "proposed", "declined"]
    assert polres["agencies"]["polres"]["short_name"] == "POLRES"
    assert polres["to_answer"] == [] and polres["to_schedule"] == [] and polres["attention"] == []
    assert titles(waiting(cal, DINKES)["to_answer"]) == ["Sooner scheduled"]
    cal.act(domain.respond, DINKES, sooner.id, {"response": "confirmed"})
    assert waiting(cal, DINKES)["to_answer"] == []
    assert later.state == "proposed"


def test_the_coordinator_sees_proposals_to_schedule_and_items_needing_attention(cal):
    cal.propose(POLRES, title="To schedule", start=at(11, 9))
    flagged = cal.scheduled(DINKES, title="Flagged", start=at(12, 9), supporting_agency_ids=["kominfo"])
    cal.agency("kominfo", active=False, as_of=NOW + timedelta(minutes=1))
    with cal.store.unit_of_work() as uow:
        domain.agency_departed(uow, {"id": "kominfo", "name": "Agency kominfo", "short_name": "KOMINFO",
                                     "kind": "opd", "role": "member", "active": False},
                               NOW + timedelta(minutes=2), NOW)
    coordinator = waiting(cal, COORDINATOR)
    assert titles(coordinator["to_schedule"]) == ["To schedule"]
    assert [item["id"] for item in coordinator["attention"]] == [flagged.id]
    assert coordinator["agencies"]["polres"]["name"] == "Agency polres"
