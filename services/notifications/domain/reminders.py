"""Reminders before a deadline: an agency asked to amplify hears again a day before the deadline,
unless it answered first. A due reminder becomes a notice like any event's."""
import json
from datetime import datetime, timedelta

from sqlalchemy import select, update

from services.notifications.models import Notice, Reminder

REMIND_BEFORE = timedelta(hours=24)


def plan_reminders(uow, envelope):
    """``amplification.requested``: one reminder per asked agency (none when the deadline is within a
    day: the request itself says it); ``amplification.answered``: that agency's reminder is dropped."""
    data = envelope.data
    if envelope.name == "amplification.answered":
        uow.session.execute(update(Reminder).where(Reminder.request_id == data["request_id"],
                                                   Reminder.agency_id == data["agency_id"])
                            .values(state="answered").execution_options(synchronize_session=False))
        return
    deadline = data["deadline"] if isinstance(data["deadline"], datetime) else datetime.fromisoformat(data["deadline"])
    remind_at = deadline - REMIND_BEFORE
    if remind_at <= envelope.occurred:
        return
    params = json.dumps({"request_id": data["request_id"], "content_id": data["content_id"],
                         "headline": data["headline"], "deadline": deadline.isoformat(),
                         "agency_id": data["requested_by"], "step": "reminder"})
    for agency_id in dict.fromkeys(data["members"]):
        if uow.session.scalar(select(Reminder.id).where(Reminder.request_id == data["request_id"],
                                                        Reminder.agency_id == agency_id)) is None:
            uow.session.add(Reminder(request_id=data["request_id"], agency_id=agency_id, remind_at=remind_at,
                                     params=params, state="pending"))


def due_reminders(uow, now, limit=100):
    """Turn the reminders that are due into notices, each once (claimed by a conditional update)."""
    due = uow.session.scalars(select(Reminder).where(Reminder.state == "pending", Reminder.remind_at <= now)
                              .order_by(Reminder.remind_at).limit(limit)).all()
    made = 0
    for reminder in due:
        claimed = uow.session.execute(update(Reminder).where(Reminder.id == reminder.id, Reminder.state == "pending")
                                      .values(state="sent").execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            uow.session.add(Notice(event_id=f"remind:{reminder.id}", kind="amplification_requested",
                                   agency_ids=json.dumps([reminder.agency_id]), complaint_id=None,
                                   params=reminder.params, state="pending", created_at=now))
            made += 1
    return made
