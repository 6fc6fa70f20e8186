"""Complaints as an actor may see them, and the public tracking page.

``complaint_view`` stays a computed view here rather than a model for ``service.py`` to dump:
what it holds depends on who asks (the reporter only for whom ``reporter_for`` allows) and it
names every agency id it shows from the local copy. Keeping it here keeps the rule of who sees
what in the domain, where a unit test meets it; ``service.py`` dumps it with ``schemas.Complaint``.
"""
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from services.complaints import schemas
from services.complaints.domain.actions import allowed_actions
from services.complaints.domain.agencies import agency_names
from services.complaints.domain.attachments import files_of
from services.complaints.domain.deadlines import overdue_in_sql, overdue_stages, stages_overdue_in_sql
from services.complaints.models import Agency, AuditEntry, Category, Complaint, Forward, Note
from services.complaints.domain.visibility import escalated_stages, reporter_for, seen_by
from services.complaints.domain.workdays import SILENCE_WORKING_DAYS, working_deadline
from shared.errors import NotFound
from shared.intake import normalise_tracking_number
from shared.rules import is_coordinator, load


AGENCY_FIELDS = {"agency_id": "agency", "target_agency_id": "target_agency", "about_agency_id": "about_agency",
                 "filed_by_agency_id": "filed_by_agency", "from_agency_id": "from_agency",
                 "to_agency_id": "to_agency"}


def actor_agency_id(label):
    """The agency in an audit entry's actor label (``agency:<id>``), else None."""
    return label.split(":", 1)[1] if label.startswith("agency:") else None


def named(values, names):
    """``values`` with, beside each agency id, that agency's name and short name (None if unknown)."""
    found = dict(values)
    for id_field, name_field in AGENCY_FIELDS.items():
        if id_field in values:
            found[name_field] = names.get(values[id_field])
    return found


def _row(record, columns):
    return {column: getattr(record, column) for column in columns}


def category_names(session):
    """Every category's name, ``{code: {"id", "en"}}`` (a short table, read once per answer)."""
    return {c.code: {"id": c.name_id, "en": c.name_en} for c in session.scalars(select(Category))}


def complaint_view(session, actor, complaint, now, detail=True, names=None, categories=None):
    """A complaint as ``actor`` may see it; every agency id comes with the agency's name, the
    category's code with its name. ``names`` (from ``agency_names``) and ``categories`` (from
    ``category_names``) spare queries per complaint when listing."""
    view = _row(complaint, (
        "id", "tracking_number", "channel", "text", "category", "status", "status_reason", "agency_id",
        "routed_by", "target_agency_id", "about_agency_id", "filed_by_agency_id", "region_code",
        "latitude", "longitude", "address", "anonymous", "confidential", "received_at", "updated_at",
        "verify_due", "follow_up_due", "settle_due"))
    view["attachments"] = json.loads(complaint.attachments)
    view["category_name"] = (categories if categories is not None else category_names(session)).get(complaint.category)
    if detail:
        view["files"] = files_of(session, complaint.id)
    view["reporter"] = reporter_for(actor, complaint)
    view["overdue"] = overdue_stages(complaint, now)
    view["escalated"] = escalated_stages(complaint)
    mentioned = {view[field] for field in AGENCY_FIELDS if field in view}
    if detail:
        forwards = session.scalars(select(Forward).where(
            Forward.complaint_id == complaint.id).order_by(Forward.created_at)).all()
        notes = session.scalars(select(Note).where(
            Note.complaint_id == complaint.id).order_by(Note.created_at)).all()
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.complaint_id == complaint.id).order_by(AuditEntry.id)).all()
        mentioned |= {f.from_agency_id for f in forwards} | {f.to_agency_id for f in forwards}
        mentioned |= {n.agency_id for n in notes} | {e.agency_id for e in entries}
        mentioned |= {actor_agency_id(e.actor) for e in entries}
        names = agency_names(session, mentioned)
        view["forwards"] = [named(_row(f, ("id", "from_agency_id", "to_agency_id", "reason", "state",
                                            "answer_reason", "created_at", "answered_at")), names)
                            for f in forwards]
        view["notes"] = [named(_row(n, ("id", "agency_id", "visibility", "text", "created_at")), names)
                         for n in notes]
        view["actions"] = allowed_actions(session, actor, complaint)
        view["audit"] = [{**named(_row(e, ("at", "action", "actor", "actor_account_id", "actor_name", "status",
                                                     "agency_id", "note")), names),
                          "actor_agency": names.get(actor_agency_id(e.actor))} for e in entries]
    elif names is None:
        names = agency_names(session, mentioned)
    return named(view, names)


def list_complaints(session, actor, query, now):
    """One page of the complaints ``actor`` may see, newest first, and how many match in all:
    filtered, ordered, counted and cut in the database. ``query`` as sent (strings), loaded here."""
    query = load(schemas.ComplaintQuery, query)
    conditions = []
    if not is_coordinator(actor):
        conditions.append(seen_by(actor))
    elif query.get("triage"):
        conditions += [Complaint.agency_id.is_(None), Complaint.status.not_in(("rejected", "closed"))]
    if query.get("status"):
        conditions.append(Complaint.status == query["status"])
    if query.get("category"):
        conditions.append(Complaint.category == query["category"])
    if query.get("agency_id"):
        conditions.append(Complaint.agency_id == query["agency_id"])
    if query.get("stage"):
        conditions.append(stages_overdue_in_sql(now)[query["stage"]])
    if query.get("overdue") is not None:
        late = overdue_in_sql(now)
        conditions.append(late if query["overdue"] else ~late)
    total = session.scalar(select(func.count()).select_from(Complaint).where(*conditions))
    page = session.scalars(select(Complaint).where(*conditions)
                           .order_by(Complaint.received_at.desc(), Complaint.id)
                           .limit(query["limit"]).offset(query["offset"])).all()
    names = agency_names(session, {c.agency_id for c in page} | {c.target_agency_id for c in page}
                         | {c.about_agency_id for c in page} | {c.filed_by_agency_id for c in page})
    categories = category_names(session)
    return {"complaints": [complaint_view(session, actor, c, now, detail=False, names=names, categories=categories)
                           for c in page],
            "total": total}


@dataclass
class PublicAnswer:
    at: datetime
    text: str


@dataclass
class TrackingPage:
    """What the holder of a tracking number reads (``history`` are the public audit entries)."""
    tracking_number: str
    status: str
    category: str | None
    agency: str | None
    received_at: datetime
    updated_at: datetime
    next_step: str | None
    expected_by: datetime | None
    verify_due: datetime
    follow_up_due: datetime | None
    settle_due: datetime
    history: list
    answers: list


def tracking_view(session, tracking_number, now):
    """Status, public history and public answers: never the reporter, the text or internal notes."""
    complaint = session.scalar(select(Complaint).where(
        Complaint.tracking_number == normalise_tracking_number(tracking_number)))
    if complaint is None:
        raise NotFound("no complaint with this tracking number")
    agency = session.get(Agency, complaint.agency_id) if complaint.agency_id else None
    history = session.scalars(select(AuditEntry).where(
        AuditEntry.complaint_id == complaint.id, AuditEntry.public.is_(True)).order_by(AuditEntry.id)).all()
    answers = session.scalars(select(Note).where(
        Note.complaint_id == complaint.id, Note.visibility == "public").order_by(Note.created_at)).all()
    step, by = next_step(complaint)
    return TrackingPage(
        tracking_number=complaint.tracking_number, status=complaint.status, category=complaint.category,
        agency=agency.name if agency else None, received_at=complaint.received_at,
        updated_at=complaint.updated_at, next_step=step, expected_by=by, verify_due=complaint.verify_due,
        follow_up_due=complaint.follow_up_due, settle_due=complaint.settle_due, history=history,
        answers=[PublicAnswer(at=a.created_at, text=a.text) for a in answers])


def next_step(complaint):
    """``(step, by)``: what comes next and the end of its day. The office verifies, then settles;
    once it has answered, the reporter's confirmation comes next (silent past it, the complaint
    closes by itself); nothing once finished."""
    if complaint.status in ("closed", "rejected"):
        return None, None
    if complaint.status in ("received", "held"):
        return "verification", complaint.verify_due
    if complaint.status == "responded":
        return "confirmation", working_deadline(complaint.responded_at, SILENCE_WORKING_DAYS)
    return "settlement", complaint.settle_due
