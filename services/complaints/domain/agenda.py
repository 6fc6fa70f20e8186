"""What waits for an agency, most urgent first (the console's home page)."""
from datetime import timedelta

from sqlalchemy import and_, case, func, or_, select

from services.complaints.domain.agencies import agency_names
from services.complaints.domain.deadlines import overdue_in_sql, overdue_stages
from services.complaints.domain.statuses import SETTLED
from services.complaints.domain.visibility import escalated_stages
from services.complaints.domain.workdays import forum_day, is_working_day
from services.complaints.models import Agency, Complaint, Forward
from shared.rules import is_coordinator

# How many complaints each list of the agenda shows (its total says how many wait in all).
AGENDA_LIMIT = 20
STILL_OPEN = ("received", "held", "verified", "assigned", "in_progress", "responded")
TO_ACT = ("verified", "assigned", "in_progress")


def _working_days(after, upto):
    """Working days ``d`` with ``after < d <= upto`` (dates)."""
    counted, day = 0, after
    while day < upto:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return counted


def working_days_left(due, now):
    """Working days from today (the forum's zone) to ``due``'s day: 0 when due today, negative once overdue."""
    today, last = forum_day(now), forum_day(due)
    if due >= now:
        return _working_days(today, last)
    return -max(1, _working_days(last, today))


def next_deadline(complaint):
    """``(stage, due)`` of the earliest deadline that still runs for the complaint's status, or None."""
    running = []
    if complaint.status == "received":
        running.append(("verify", complaint.verify_due))
    if complaint.status == "assigned" and complaint.follow_up_due is not None:
        running.append(("follow_up", complaint.follow_up_due))
    if complaint.status not in SETTLED:
        running.append(("settle", complaint.settle_due))
    return min(running, key=lambda found: found[1]) if running else None


# ``next_deadline`` in SQL, to order in the database (a follow-up deadline is always before settling's).
DUE_IN_SQL = case((Complaint.status == "received", Complaint.verify_due),
                  (and_(Complaint.status == "assigned", Complaint.follow_up_due.is_not(None),
                        Complaint.follow_up_due < Complaint.settle_due), Complaint.follow_up_due),
                  else_=Complaint.settle_due)
ESCALATED = or_(Complaint.verify_escalated_at.is_not(None), Complaint.follow_up_escalated_at.is_not(None),
                Complaint.settle_escalated_at.is_not(None))


def _urgent_first(session, now, *conditions, forwards=None):
    """``{"complaints": [...], "total": n}`` of the complaints matching, earliest deadline first,
    each with its next deadline and the working days left to it."""
    total = session.scalar(select(func.count()).select_from(Complaint).where(*conditions))
    page = session.scalars(select(Complaint).where(*conditions)
                           .order_by(DUE_IN_SQL, Complaint.received_at, Complaint.id).limit(AGENDA_LIMIT)).all()
    forwards = forwards or {}
    mentioned = {c.agency_id for c in page} | {f.from_agency_id for f in forwards.values()}
    names = agency_names(session, mentioned)
    found = []
    for complaint in page:
        # An agenda line: what the officer needs to choose what to open (never the reporter).
        entry = {"id": complaint.id, "tracking_number": complaint.tracking_number, "status": complaint.status,
                 "category": complaint.category, "agency_id": complaint.agency_id,
                 "agency": names.get(complaint.agency_id), "text": complaint.text,
                 "received_at": complaint.received_at, "overdue": overdue_stages(complaint, now),
                 "escalated": escalated_stages(complaint)}
        deadline = next_deadline(complaint)
        if deadline is not None:
            entry.update(stage=deadline[0], due_at=deadline[1],
                         working_days_left=working_days_left(deadline[1], now))
        if complaint.id in forwards:
            proposal = forwards[complaint.id]
            entry["forward"] = {"id": proposal.id, "from_agency_id": proposal.from_agency_id,
                                "from_agency": names.get(proposal.from_agency_id), "to_agency_id": proposal.to_agency_id,
                                "reason": proposal.reason, "state": proposal.state, "created_at": proposal.created_at}
        found.append(entry)
    return {"complaints": found, "total": total}


def _per_agency(session, now):
    """Open complaints overdue or escalated, per agency (None: triage), the most overdue first."""
    still_open = Complaint.status.not_in(("closed", "rejected"))
    overdue = func.count().filter(overdue_in_sql(now))
    escalated = func.count().filter(ESCALATED)
    rows = session.execute(select(Complaint.agency_id, overdue, escalated).where(
        still_open, or_(overdue_in_sql(now), ESCALATED)).group_by(Complaint.agency_id)
        .order_by(overdue.desc(), escalated.desc(), Complaint.agency_id)).all()
    names = agency_names(session, {row[0] for row in rows})
    return [{"agency_id": agency_id, "agency": names.get(agency_id), "overdue": late, "escalated": raised}
            for agency_id, late, raised in rows]


def waiting_for(session, actor, now):
    """The complaints that wait for ``actor``'s agency, most urgent first: to verify, to act on,
    forwards proposed to it awaiting its answer, its sub-units' complaints escalated to it; for
    the coordinator also the triage (unrouted, refused forwards to decide) and, per agency, the
    overdue and escalated ones."""
    me = actor["agency_id"]
    proposed = {f.complaint_id: f for f in session.scalars(select(Forward).where(
        Forward.to_agency_id == me, Forward.state == "proposed"))}
    agenda = {
        "to_verify": _urgent_first(session, now, Complaint.agency_id == me, Complaint.status == "received"),
        "to_act": _urgent_first(session, now, Complaint.agency_id == me, Complaint.status.in_(TO_ACT)),
        "forwards": _urgent_first(session, now, Complaint.id.in_(proposed), forwards=proposed),
        "triage": {"complaints": [], "total": 0},
        "per_agency": [],
    }
    if is_coordinator(actor):
        agenda["triage"] = _urgent_first(session, now, Complaint.agency_id.is_(None),
                                         Complaint.status.not_in(("rejected", "closed")))
        agenda["per_agency"] = _per_agency(session, now)
        agenda["escalated"] = _urgent_first(session, now, Complaint.status.in_(STILL_OPEN), ESCALATED)
    else:
        children = select(Agency.id).where(Agency.parent_id == me)
        agenda["escalated"] = _urgent_first(session, now, Complaint.agency_id.in_(children),
                                            Complaint.status.in_(STILL_OPEN), ESCALATED)
    return agenda
