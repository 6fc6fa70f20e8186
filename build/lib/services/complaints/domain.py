"""Complaint rules: routing, the SP4N-LAPOR! lifecycle, forwarding, working-day deadlines, privacy.

Everything here takes the session (or unit of work) and the current time as arguments, so
it is tested without a broker and with any clock.
"""
import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Float, and_, case, func, literal, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from services.complaints.models import Agency, AuditEntry, Category, Complaint, Forward, Note, RoutingRule
from services.complaints import schemas
from shared import agencies
from shared.rules import is_coordinator, load, require_coordinator
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

# ---------------------------------------------------------------- working days

JAKARTA = ZoneInfo("Asia/Jakarta")
VERIFY_WORKING_DAYS = 3
FOLLOW_UP_WORKING_DAYS = 5
SETTLE_WORKING_DAYS = 60
SILENCE_WORKING_DAYS = 10


@lru_cache(maxsize=32)
def _holidays(year):
    # "government" is the holidays package's name for cuti bersama (joint leave days).
    return holidays.country_holidays("ID", years=year, categories=("public", "government"))


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_deadline(start, working_days):
    """The end (23:59:59 WIB) of the ``working_days``-th working day after ``start``'s day.

    The day a complaint arrives does not count, as in LAPOR!'s "3 hari kerja".
    """
    day = start.astimezone(JAKARTA).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    end = datetime.combine(day, time(23, 59, 59), tzinfo=JAKARTA)
    return end.astimezone(timezone.utc)


# ---------------------------------------------------------------- tracking numbers and secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REPORTER_SECRET_BYTES = 18


def tracking_number_from(bits):
    """DUMAS-XXXX-XXXX-XXXX from 60 bits in Crockford base32 (no I, L, O, U to misread)."""
    chars = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"DUMAS-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def new_tracking_number():
    return tracking_number_from(secrets.randbits(60))


def normalise_tracking_number(value):
    """Accept what a person types: lower case, O for 0, I/L for 1."""
    cleaned = value.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return cleaned.replace("DUMA5", "DUMAS")


def new_reporter_secret():
    return secrets.token_urlsafe(REPORTER_SECRET_BYTES)


def new_identity():
    """A fresh tracking number and reporter secret, for an intake sent without Idempotency-Key."""
    return new_tracking_number(), new_reporter_secret()


def keyed_identity(gateway_secret, idempotency_key, scope, body):
    """The tracking number and reporter secret of an intake sent with an Idempotency-Key.

    The gateway keeps no state, so a retried intake must get the same answer by derivation:
    HMAC-SHA256 under the gateway's secret of the operation-bound key, the caller's scope
    ("public" or the filing agency) and the canonical body. Without the secret neither can be
    guessed; another key, scope or body gives another complaint.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    material = "\n".join((idempotency_key, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()))

    def derive(purpose):
        return hmac.new(gateway_secret.encode("utf-8"), f"{purpose}\n{material}".encode("utf-8"),
                        hashlib.sha256).digest()

    number = tracking_number_from(int.from_bytes(derive("tracking-number")[:8], "big") >> 4)
    secret = base64.urlsafe_b64encode(derive("reporter-secret")[:REPORTER_SECRET_BYTES]).decode("ascii")
    return number, secret


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def intake_message(body, filed_by_agency_id, now, identity=None):
    """The ``complaint.submitted`` command for a validated intake body, with the reporter's
    tracking number and secret (``identity``, fresh ones when not given). Only the secret's
    hash is sent; an anonymous complaint sends no identity at all."""
    tracking_number, secret = identity or new_identity()
    complaint = {name: value for name, value in body.items() if name != "reporter"}
    reporter = None if body.get("anonymous") else body.get("reporter")
    message = {"tracking_number": tracking_number, "reporter_secret_hash": secret_hash(secret),
               "submitted_at": now.isoformat(), "filed_by_agency_id": filed_by_agency_id,
               "complaint": complaint, "reporter": reporter}
    return message, tracking_number, secret


def next_steps(tracking_number):
    return {
        "id": (f"Pengaduan Anda kami terima dengan nomor {tracking_number}. Pengaduan diverifikasi "
               f"paling lambat {VERIFY_WORKING_DAYS} hari kerja, lalu diteruskan ke instansi yang "
               f"berwenang, yang menindaklanjuti dalam {FOLLOW_UP_WORKING_DAYS} hari kerja. Pantau "
               f"statusnya di /api/v1/complaints/track/{tracking_number}; simpan kode rahasia pelapor "
               f"untuk mengonfirmasi atau membuka kembali pengaduan."),
        "en": (f"Your complaint is received as {tracking_number}. It is verified within "
               f"{VERIFY_WORKING_DAYS} working days, then passed to the agency in charge, which follows "
               f"up within {FOLLOW_UP_WORKING_DAYS} working days. Follow it at "
               f"/api/v1/complaints/track/{tracking_number}; keep the reporter secret to confirm or "
               f"reopen it."),
    }


# ---------------------------------------------------------------- agencies (local copy)

def keep_agency(session, snapshot, as_of):
    """Insert or refresh the local copy of an agency from a directory event (older ones are ignored)."""
    return agencies.keep_agency(session, Agency, snapshot, as_of)[0]


def active_agency(session, agency_id, field):
    agency = session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise ValidationFailed("unknown agency", {field: ["no such agency"]})
    if not agency.active:
        raise ValidationFailed("that agency is inactive", {field: ["the agency is inactive"]})
    return agency


# ---------------------------------------------------------------- roles

# ---------------------------------------------------------------- categories

def categories(session, include_inactive=False):
    query = select(Category).order_by(Category.code)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return session.scalars(query).all()


def add_category(session, data):
    values = load(schemas.CategoryInput, data)
    if session.get(Category, values["code"]) is not None:
        raise Conflict("this category exists already", {"code": ["already used"]})
    category = Category(**values)
    session.add(category)
    return category


def change_category(session, code, data):
    values = load(schemas.CategoryUpdate, data)
    category = session.get(Category, code)
    if category is None:
        raise NotFound("no such category")
    for name, value in values.items():
        setattr(category, name, value)
    return category


# ---------------------------------------------------------------- routing rules

def add_rule(session, data):
    values = load(schemas.RuleInput, data)
    return _save_rule(session, RoutingRule(id=str(uuid.uuid4())), values)


def change_rule(session, rule_id, data):
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("no such routing rule")
    return _save_rule(session, rule, load(schemas.RuleInput, data))


def _save_rule(session, rule, values):
    if values["category"] is not None:
        category = session.get(Category, values["category"])
        if category is None or not category.active:
            raise ValidationFailed("unknown category", {"category": ["not in the coordinator's list"]})
    if values["agency_id"] is not None:
        active_agency(session, values["agency_id"], "agency_id")
    for name, value in values.items():
        setattr(rule, name, value)
    session.add(rule)
    session.flush()  # the answer carries created_at, set on flush
    return rule


def delete_rule(session, rule_id):
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("no such routing rule")
    session.delete(rule)
    return rule


def region_within(region_code, prefix):
    """73.72.01 lies within 73.72 and within 73; 73.7 is not a prefix of 73.72."""
    return region_code == prefix or region_code.startswith(prefix + ".")


def specificity(rule):
    """Most specific first: a category beats none, a deeper region beats a shallower one,
    a named agency beats a kind; older rules win ties."""
    depth = len(rule.region_code.split(".")) if rule.region_code else 0
    return (rule.category is not None, depth, rule.agency_id is not None)


def matching_rules(rules, category, region_code):
    found = [r for r in rules
             if (r.category is None or r.category == category)
             and (r.region_code is None or (region_code and region_within(region_code, r.region_code)))]
    return sorted(found, key=lambda r: (specificity(r), -r.created_at.timestamp()), reverse=True)


def agency_of_kind(agencies, kind, region_code):
    """The active agency of ``kind`` serving ``region_code`` most closely (its region the longest prefix)."""
    serving = [a for a in agencies if a.active and a.kind == kind and a.region_code
               and region_code and region_within(region_code, a.region_code)]
    if not serving:
        return None
    return max(serving, key=lambda a: (len(a.region_code.split(".")), a.id))


def refuse_conflict_of_interest(session, complaint, agency_id, field):
    """A complaint about a unit may never be handed to that unit, nor to a unit under it: it
    would read what is said about it (and who said it)."""
    about = complaint.about_agency_id
    if not about:
        return
    seen = set()
    while agency_id and agency_id not in seen:
        if agency_id == about:
            raise ValidationFailed("this complaint is about that agency (conflict of interest)",
                                   {field: ["the complaint is about this agency or a unit above it"]})
        seen.add(agency_id)
        agency = session.get(Agency, agency_id)
        agency_id = agency.parent_id if agency is not None else None


def route(session, category, region_code, target_agency_id=None, about_agency_id=None):
    """Where a new complaint goes: ``(agency_id or None for triage, why)``."""
    if about_agency_id:
        about = session.get(Agency, about_agency_id)
        parent = session.get(Agency, about.parent_id) if about is not None and about.parent_id else None
        if parent is not None and parent.active:
            return parent.id, "conflict_of_interest"
        return None, "conflict_of_interest"
    if target_agency_id:
        target = session.get(Agency, target_agency_id)
        if target is not None and target.active:
            return target.id, "explicit_target"
    rules = session.scalars(select(RoutingRule)).all()
    agencies = None
    for rule in matching_rules(rules, category, region_code):
        if rule.agency_id:
            agency = session.get(Agency, rule.agency_id)
            if agency is not None and agency.active:
                return agency.id, f"rule:{rule.id}"
            continue
        if agencies is None:
            agencies = session.scalars(select(Agency).where(Agency.kind.is_not(None))).all()
        agency = agency_of_kind(agencies, rule.agency_kind, region_code)
        if agency is not None:
            return agency.id, f"rule:{rule.id}"
    return None, "triage"


# ---------------------------------------------------------------- intake

def is_received(session, tracking_number):
    return session.scalar(select(Complaint.id).where(Complaint.tracking_number == tracking_number)) is not None


def receive(uow, message, now):
    """Store a complaint the gateway accepted; a redelivered message changes nothing."""
    session = uow.session
    number = message["tracking_number"]
    if is_received(session, number):
        return None
    values = load(schemas.ComplaintInput, message["complaint"])
    location = values["location"] or {}
    reporter = {} if values["anonymous"] else (message.get("reporter") or {})
    confidential = values["confidential"]
    if confidential is None:
        confidential = bool(values["about_agency_id"])
    agency_id, routed_by = route(session, values["category"], location.get("region_code"),
                                 values["target_agency_id"], values["about_agency_id"])
    if values["category"] is None:
        agency_id, routed_by = None, "triage:no_category"
    else:
        category = session.get(Category, values["category"])
        if category is None or not category.active:
            agency_id, routed_by = None, "triage:unknown_category"
    complaint = Complaint(
        id=str(uuid.uuid4()), tracking_number=number, reporter_secret_hash=message["reporter_secret_hash"],
        channel=values["channel"], text=values["text"], category=values["category"],
        target_agency_id=values["target_agency_id"], about_agency_id=values["about_agency_id"],
        filed_by_agency_id=message.get("filed_by_agency_id"),
        region_code=location.get("region_code"), latitude=location.get("latitude"),
        longitude=location.get("longitude"), address=location.get("address"),
        attachments=json.dumps(values["attachments"]),
        anonymous=values["anonymous"], confidential=confidential,
        reporter_name=reporter.get("name"), reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"),
        status="received", agency_id=agency_id, routed_by=routed_by,
        submitted_at=message["submitted_at"], received_at=now, updated_at=now,
        verify_due=working_deadline(now, VERIFY_WORKING_DAYS),
        settle_due=working_deadline(now, SETTLE_WORKING_DAYS),
    )
    session.add(complaint)
    session.flush()
    audit(session, complaint, now, "received", "reporter", public=True,
          note=None if agency_id else "menunggu triase koordinator / awaiting coordinator triage")
    audit(session, complaint, now, "routed", "system", note=routed_by)
    emit_status(uow, complaint, None)
    return complaint


def audit(session, complaint, now, action, actor, note=None, public=False):
    session.add(AuditEntry(complaint_id=complaint.id, at=now, action=action, actor=actor,
                           status=complaint.status, agency_id=complaint.agency_id, note=note,
                           public=public))


def emit_status(uow, complaint, previous):
    uow.emit("complaint.status_changed", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "status": complaint.status, "previous": previous})


# ---------------------------------------------------------------- who sees what

def get_complaint(session, complaint_id):
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("no such complaint")
    return complaint


def pending_forward(session, complaint):
    return session.scalar(select(Forward).where(
        Forward.complaint_id == complaint.id, Forward.state == "proposed"))


def escalated_stages(complaint):
    return [stage for stage in STAGES if getattr(complaint, f"{stage}_escalated_at") is not None]


def may_see(session, actor, complaint):
    """The coordinator sees all; an agency its own complaints, those proposed to it, and its
    children's once escalated to it."""
    if is_coordinator(actor):
        return True
    me = actor["agency_id"]
    if complaint.agency_id == me:
        return True
    forward = pending_forward(session, complaint)
    if forward is not None and forward.to_agency_id == me:
        return True
    if complaint.agency_id and escalated_stages(complaint):
        assigned = session.get(Agency, complaint.agency_id)
        return assigned is not None and assigned.parent_id == me
    return False


def visible_complaint(session, actor, complaint_id):
    complaint = get_complaint(session, complaint_id)
    if not may_see(session, actor, complaint):
        raise NotFound("no such complaint")
    return complaint


def reporter_for(actor, complaint):
    """Anonymous: nothing is stored. Confidential: the coordinator only."""
    if complaint.anonymous:
        return None
    if complaint.confidential and not is_coordinator(actor):
        return None
    return {"name": complaint.reporter_name, "phone": complaint.reporter_phone,
            "email": complaint.reporter_email}


def overdue_stages(complaint, now):
    late = []
    if complaint.status == "received" and complaint.verify_due < now:
        late.append("verify")
    if complaint.status == "assigned" and complaint.follow_up_due and complaint.follow_up_due < now:
        late.append("follow_up")
    if complaint.status not in SETTLED and complaint.settle_due < now:
        late.append("settle")
    return late


def overdue_in_sql(now):
    """``overdue_stages`` as a SQL condition (some stage is late), for lists and figures counted
    in the database. No follow-up deadline is explicitly not late (never NULL, so NOT works)."""
    return or_(and_(Complaint.status == "received", Complaint.verify_due < now),
               and_(Complaint.status == "assigned", Complaint.follow_up_due.is_not(None),
                    Complaint.follow_up_due < now),
               and_(Complaint.status.not_in(SETTLED), Complaint.settle_due < now))


AGENCY_FIELDS = {"agency_id": "agency", "target_agency_id": "target_agency", "about_agency_id": "about_agency",
                 "filed_by_agency_id": "filed_by_agency", "from_agency_id": "from_agency",
                 "to_agency_id": "to_agency"}


def agency_names(session, agency_ids):
    """``{id: {id, name, short_name}}`` of the agencies in the local copy of the directory."""
    wanted = {agency_id for agency_id in agency_ids if agency_id}
    if not wanted:
        return {}
    return {a.id: {"id": a.id, "name": a.name, "short_name": a.short_name}
            for a in session.scalars(select(Agency).where(Agency.id.in_(wanted))).all()}


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


def complaint_view(session, actor, complaint, now, detail=True, names=None):
    """A complaint as ``actor`` may see it; every agency id comes with the agency's name.
    ``names`` (from ``agency_names``) spares a query per complaint when listing."""
    view = _row(complaint, (
        "id", "tracking_number", "channel", "text", "category", "status", "status_reason", "agency_id",
        "routed_by", "target_agency_id", "about_agency_id", "filed_by_agency_id", "region_code",
        "latitude", "longitude", "address", "anonymous", "confidential", "received_at", "updated_at",
        "verify_due", "follow_up_due", "settle_due"))
    view["attachments"] = json.loads(complaint.attachments)
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
        view["audit"] = [{**named(_row(e, ("at", "action", "actor", "status", "agency_id", "note")), names),
                          "actor_agency": names.get(actor_agency_id(e.actor))} for e in entries]
    elif names is None:
        names = agency_names(session, mentioned)
    return schemas.Complaint().dump(named(view, names))


def list_complaints(session, actor, query, now):
    """One page of the complaints ``actor`` may see, newest first, and how many match in all:
    filtered, ordered, counted and cut in the database."""
    conditions = []
    if not is_coordinator(actor):
        me = actor["agency_id"]
        proposed = select(Forward.complaint_id).where(Forward.to_agency_id == me, Forward.state == "proposed")
        children = select(Agency.id).where(Agency.parent_id == me)
        escalated = or_(Complaint.verify_escalated_at.is_not(None), Complaint.follow_up_escalated_at.is_not(None),
                        Complaint.settle_escalated_at.is_not(None))
        conditions.append(or_(Complaint.agency_id == me, Complaint.id.in_(proposed),
                              Complaint.agency_id.in_(children) & escalated))
    elif query.get("triage"):
        conditions += [Complaint.agency_id.is_(None), Complaint.status.not_in(("rejected", "closed"))]
    if query.get("status"):
        conditions.append(Complaint.status == query["status"])
    if query.get("category"):
        conditions.append(Complaint.category == query["category"])
    if query.get("overdue") is not None:
        late = overdue_in_sql(now)
        conditions.append(late if query["overdue"] else ~late)
    total = session.scalar(select(func.count()).select_from(Complaint).where(*conditions))
    page = session.scalars(select(Complaint).where(*conditions)
                           .order_by(Complaint.received_at.desc(), Complaint.id)
                           .limit(query.get("limit", 100)).offset(query.get("offset", 0))).all()
    names = agency_names(session, {c.agency_id for c in page} | {c.target_agency_id for c in page}
                         | {c.about_agency_id for c in page} | {c.filed_by_agency_id for c in page})
    return {"complaints": [complaint_view(session, actor, c, now, detail=False, names=names) for c in page],
            "total": total}


# ---------------------------------------------------------------- lifecycle

# After SP4N-LAPOR!: who may move a complaint from one status to another.
MOVES = {
    "received": {"verified", "held", "rejected"},
    "held": {"rejected"},
    "verified": {"assigned", "rejected"},
    "assigned": {"in_progress", "responded"},
    "in_progress": {"responded"},
    "responded": {"closed"},
    "rejected": set(),
    "closed": set(),
}
NEEDS_REASON = {"held", "rejected", "responded"}
SETTLED = {"responded", "closed", "rejected"}
STAGES = ("verify", "follow_up", "settle")


def require_handler(actor, complaint):
    """Only the agency the complaint is with, or the coordinator, moves it."""
    if is_coordinator(actor):
        return
    if complaint.agency_id is None or complaint.agency_id != actor["agency_id"]:
        raise Forbidden("this complaint is not with your agency")


def change_status(uow, actor, complaint_id, data, now):
    session = uow.session
    values = load(schemas.StatusChange, data)
    complaint = visible_complaint(session, actor, complaint_id)
    require_handler(actor, complaint)
    target, previous = values["status"], complaint.status
    if target not in MOVES[previous]:
        allowed = ", ".join(sorted(MOVES[previous])) or "none"
        raise Conflict(f"a {previous} complaint cannot become {target} (allowed: {allowed})",
                       {"status": [f"{previous} -> {target} is not allowed"]})
    if target in NEEDS_REASON and not (values["reason"] or "").strip():
        raise ValidationFailed(f"{target} needs a reason", {"reason": [f"required when {target}"]})
    if values["agency_id"] and target != "assigned":
        raise ValidationFailed("agency_id is only for assigning", {"agency_id": ["only with assigned"]})
    if target == "assigned":
        assign_to(session, actor, complaint, values["agency_id"])
        complaint.follow_up_due = working_deadline(now, FOLLOW_UP_WORKING_DAYS)
        complaint.follow_up_escalated_at = None
    if target == "responded":
        add_note(session, complaint, actor["agency_id"], "public", values["reason"], now)
        complaint.responded_at = now
    if target == "closed":
        complaint.closed_at = now
    complaint.status = target
    complaint.status_reason = values["reason"] if target in ("held", "rejected") else None
    complaint.updated_at = now
    public_note = values["reason"] if target in ("held", "rejected") else None
    audit(session, complaint, now, f"status:{target}", actor_label(actor), note=public_note, public=True)
    emit_status(uow, complaint, previous)
    return complaint


def assign_to(session, actor, complaint, agency_id):
    if agency_id and not is_coordinator(actor):
        raise Forbidden("only the coordinator assigns to another agency", {"agency_id": ["coordinator only"]})
    if agency_id:
        agency = active_agency(session, agency_id, "agency_id")
        refuse_conflict_of_interest(session, complaint, agency.id, "agency_id")
        complaint.agency_id = agency.id
    elif complaint.agency_id is None:
        raise ValidationFailed("this complaint is in triage: name the agency",
                               {"agency_id": ["required for a complaint in triage"]})


def actor_label(actor):
    return f"agency:{actor['agency_id']}"


def add_note(session, complaint, agency_id, visibility, text, now):
    note = Note(id=str(uuid.uuid4()), complaint_id=complaint.id, agency_id=agency_id,
                visibility=visibility, text=text, created_at=now)
    session.add(note)
    if visibility == "public" and complaint.first_response_at is None:
        complaint.first_response_at = now
    return note


def answer(uow, actor, complaint_id, data, now):
    values = load(schemas.NoteInput, data)
    complaint = visible_complaint(uow.session, actor, complaint_id)
    require_handler(actor, complaint)
    if complaint.status in ("rejected", "closed"):
        raise Conflict(f"a {complaint.status} complaint takes no more answers", {"status": [complaint.status]})
    add_note(uow.session, complaint, actor["agency_id"], values["visibility"], values["text"], now)
    complaint.updated_at = now
    audit(uow.session, complaint, now, f"note:{values['visibility']}", actor_label(actor))
    return complaint


def reporter_acts(uow, tracking_number, data, now):
    """The reporter, with the tracking number and the secret given at intake: confirm, reopen
    (within the silence window after a response) or supplement a held complaint."""
    values = load(schemas.ReporterAction, data)
    session = uow.session
    complaint = session.scalar(select(Complaint).where(
        Complaint.tracking_number == normalise_tracking_number(tracking_number)))
    if complaint is None:
        raise NotFound("no complaint with this tracking number")
    if not hmac.compare_digest(complaint.reporter_secret_hash, secret_hash(values["reporter_secret"])):
        raise Forbidden("the reporter secret does not match", {"reporter_secret": ["does not match"]})
    action, previous = values["action"], complaint.status
    if action in ("confirm", "reopen"):
        if previous != "responded":
            raise Conflict(f"only a responded complaint can be {action}ed",
                           {"action": [f"not allowed while {previous}"]})
        if action == "reopen" and now > working_deadline(complaint.responded_at, SILENCE_WORKING_DAYS):
            raise Conflict("the window to reopen has passed", {"action": ["reopen window closed"]})
        complaint.status = "closed" if action == "confirm" else "in_progress"
        complaint.closed_at = now if action == "confirm" else None
    else:
        if previous != "held":
            raise Conflict("only a held complaint can be supplemented", {"action": [f"not allowed while {previous}"]})
        if not (values["text"] or "").strip():
            raise ValidationFailed("say what you add", {"text": ["required to supplement"]})
        complaint.status = "received"
        complaint.verify_due = working_deadline(now, VERIFY_WORKING_DAYS)
        complaint.verify_escalated_at = None
    complaint.updated_at = now
    audit(session, complaint, now, f"reporter:{action}", "reporter", note=values["text"])
    audit(session, complaint, now, f"status:{complaint.status}", "reporter", public=True)
    emit_status(uow, complaint, previous)
    return complaint


# ---------------------------------------------------------------- forwarding (pelimpahan)

def forward(uow, actor, complaint_id, data, now):
    """The agency declares "bukan wewenang" and proposes another agency."""
    values = load(schemas.ForwardInput, data)
    session = uow.session
    complaint = visible_complaint(session, actor, complaint_id)
    require_handler(actor, complaint)
    if complaint.status in SETTLED:
        raise Conflict(f"a {complaint.status} complaint cannot be forwarded", {"status": [complaint.status]})
    if values["to_agency_id"] == complaint.agency_id:
        raise ValidationFailed("a complaint cannot be forwarded to the agency that has it",
                               {"to_agency_id": ["same agency"]})
    active_agency(session, values["to_agency_id"], "to_agency_id")
    refuse_conflict_of_interest(session, complaint, values["to_agency_id"], "to_agency_id")
    if pending_forward(session, complaint) is not None:
        raise Conflict("a forward is already waiting for an answer", {"to_agency_id": ["forward pending"]})
    proposal = Forward(id=str(uuid.uuid4()), complaint_id=complaint.id, from_agency_id=complaint.agency_id,
                       to_agency_id=values["to_agency_id"], reason=values["reason"], state="proposed",
                       created_at=now)
    session.add(proposal)
    complaint.updated_at = now
    complaint.forwarded_count += 1
    audit(session, complaint, now, "forward:proposed", actor_label(actor),
          note=f"bukan wewenang -> {values['to_agency_id']}: {values['reason']}")
    audit(session, complaint, now, "forwarded", "system", public=True,
          note="diteruskan ke instansi lain / forwarded to another agency")
    emit_forward(uow, complaint, proposal, "proposed")
    return complaint


def answer_forward(uow, actor, complaint_id, accept, data, now):
    """The proposed agency accepts (it takes the complaint, its clock starts) or refuses (coordinator decides)."""
    values = load(schemas.ForwardAnswer, data)
    session = uow.session
    complaint = visible_complaint(session, actor, complaint_id)
    proposal = pending_forward(session, complaint)
    if proposal is None:
        raise Conflict("no forward is waiting for an answer")
    if proposal.to_agency_id != actor["agency_id"]:
        raise Forbidden("only the proposed agency answers this forward")
    if not accept and not (values["reason"] or "").strip():
        raise ValidationFailed("a refusal needs a reason", {"reason": ["required to refuse"]})
    proposal.answer_reason, proposal.answered_at = values["reason"], now
    if accept:
        proposal.state = "accepted"
        take_over(complaint, proposal.to_agency_id, now)
    else:
        proposal.state = "refused"
        complaint.agency_id = None  # back to the coordinator's triage list until decided
        complaint.routed_by = "triage:forward_refused"
    complaint.updated_at = now
    audit(session, complaint, now, f"forward:{proposal.state}", actor_label(actor), note=values["reason"])
    emit_forward(uow, complaint, proposal, proposal.state)
    return complaint


def decide_forward(uow, actor, complaint_id, data, now):
    """The coordinator settles a refused or disputed forward by naming the agency in charge."""
    require_coordinator(actor)
    values = load(schemas.ForwardDecision, data)
    session = uow.session
    complaint = get_complaint(session, complaint_id)
    if complaint.status in SETTLED:
        raise Conflict(f"a {complaint.status} complaint cannot be reassigned", {"status": [complaint.status]})
    agency = active_agency(session, values["agency_id"], "agency_id")
    refuse_conflict_of_interest(session, complaint, agency.id, "agency_id")
    proposal = pending_forward(session, complaint)
    if proposal is not None:
        proposal.state, proposal.answered_at = "decided", now
        proposal.answer_reason = values["reason"]
    decision = Forward(id=str(uuid.uuid4()), complaint_id=complaint.id, from_agency_id=complaint.agency_id,
                       to_agency_id=agency.id, reason=values["reason"], state="decided",
                       created_at=now, answered_at=now)
    session.add(decision)
    take_over(complaint, agency.id, now)
    complaint.routed_by = "coordinator"
    complaint.updated_at = now
    audit(session, complaint, now, "forward:decided", actor_label(actor),
          note=f"-> {agency.id}: {values['reason']}")
    emit_forward(uow, complaint, decision, "decided")
    return complaint


def take_over(complaint, agency_id, now):
    complaint.agency_id = agency_id
    if complaint.status in ("verified", "assigned", "in_progress"):
        previous = complaint.status
        complaint.status = "assigned"
        complaint.follow_up_due = working_deadline(now, FOLLOW_UP_WORKING_DAYS)
        complaint.follow_up_escalated_at = None
        return previous
    return None


def emit_forward(uow, complaint, proposal, step):
    uow.emit("complaint.forwarded", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "from_agency_id": proposal.from_agency_id, "to_agency_id": proposal.to_agency_id, "step": step})


# ---------------------------------------------------------------- deadlines: escalation and silence

DUE_COLUMN = {"verify": "verify_due", "follow_up": "follow_up_due", "settle": "settle_due"}


def overdue_by_stage(session, now):
    """How many open complaints are past each stage's deadline (every stage named, 0 when none)."""
    late = dict.fromkeys(DUE_COLUMN, 0)
    for complaint in session.scalars(select(Complaint).where(Complaint.status.not_in(SETTLED))):
        for stage in overdue_stages(complaint, now):
            late[stage] += 1
    return late


def overdue_candidates(session, now):
    """Complaints with a stage overdue and not yet escalated: ``[(complaint_id, stage)]``."""
    found = []
    open_complaints = session.scalars(select(Complaint).where(Complaint.status.not_in(("closed", "rejected")))).all()
    for complaint in open_complaints:
        for stage in overdue_stages(complaint, now):
            if getattr(complaint, f"{stage}_escalated_at") is None:
                found.append((complaint.id, stage))
    return found


def escalate(uow, complaint_id, stage, now):
    """Claim the escalation with a conditional UPDATE: only one sweeper (of any instance, before
    or after a restart) wins, and the event is in the outbox of that same transaction."""
    column = getattr(Complaint, f"{stage}_escalated_at")
    claimed = uow.session.execute(
        update(Complaint).where(Complaint.id == complaint_id, column.is_(None))
        .values({column: now}).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    complaint = uow.session.get(Complaint, complaint_id)
    uow.session.refresh(complaint)
    assigned = uow.session.get(Agency, complaint.agency_id) if complaint.agency_id else None
    parent_id = assigned.parent_id if assigned is not None else None
    audit(uow.session, complaint, now, f"escalated:{stage}", "system",
          note=f"coordinator{' and parent ' + parent_id if parent_id else ''} notified")
    uow.emit("complaint.escalated", {
        "complaint_id": complaint.id, "category": complaint.category, "agency_id": complaint.agency_id,
        "stage": stage, "due_at": getattr(complaint, DUE_COLUMN[stage]).isoformat(),
        "parent_agency_id": parent_id})
    return True


def silent_candidates(session, now):
    """Responded complaints whose reporter stayed silent for 10 working days."""
    responded = session.scalars(select(Complaint).where(Complaint.status == "responded")).all()
    return [c.id for c in responded
            if working_deadline(c.responded_at, SILENCE_WORKING_DAYS) < now]


def close_silent(uow, complaint_id, now):
    closed = uow.session.execute(
        update(Complaint).where(Complaint.id == complaint_id, Complaint.status == "responded")
        .values(status="closed", closed_at=now, updated_at=now).execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        return False
    complaint = uow.session.get(Complaint, complaint_id)
    uow.session.refresh(complaint)
    audit(uow.session, complaint, now, "status:closed", "system", public=True,
          note="ditutup otomatis tanpa tanggapan pelapor / closed after the reporter's silence")
    emit_status(uow, complaint, "responded")
    return True


# ---------------------------------------------------------------- what the public may see

# Not yet checked (received), sent back incomplete (held) or refused (rejected): the public
# sees none of these, and never a confidential complaint.
UNPUBLISHED = ("received", "held", "rejected")


def open_to_public():
    """The one rule for every public view of complaints (Open311 list, single request and token):
    a complaint the public may see is verified (or further) and not confidential. Elsewhere the
    public sees only the tracking page, which the tracking number's holder reads."""
    return and_(Complaint.confidential.is_(False), Complaint.status.not_in(UNPUBLISHED))


def public_complaint(session, *conditions):
    """The one complaint matching ``conditions`` that the public may see, else None (unknown and
    hidden look the same)."""
    return session.scalar(select(Complaint).where(open_to_public(), *conditions))


# ---------------------------------------------------------------- public tracking and figures

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
    return schemas.Tracking().dump({
        "tracking_number": complaint.tracking_number, "status": complaint.status,
        "category": complaint.category, "agency": agency.name if agency else None,
        "received_at": complaint.received_at, "updated_at": complaint.updated_at,
        "expected_by": expected_by(complaint),
        "history": [{"at": h.at, "status": h.status, "note": h.note} for h in history],
        "answers": [{"at": a.created_at, "text": a.text} for a in answers],
    })


def expected_by(complaint):
    if complaint.status in ("closed", "rejected"):
        return None
    if complaint.status in ("received", "held"):
        return complaint.verify_due
    return complaint.settle_due


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a timestamp column, in SQLite and in PostgreSQL."""
    type = Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds_postgresql(element, compiler, **kw):
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw):
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


def _figures_by(session, group, now):
    """``{group value: figures}`` counted in the database; ``group`` None counts all as one."""
    key = group if group is not None else literal("all")
    still_open = Complaint.status.not_in(("closed", "rejected"))

    def how_many(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(select(
        key, func.count(), how_many(still_open), how_many(and_(still_open, overdue_in_sql(now))),
        how_many(Complaint.forwarded_count > 0)).group_by(key)).all()
    found = {row[0]: {"total": row[1], "open": row[2], "overdue": row[3], "forwarded": row[4],
                      "median_first_response_hours": None} for row in rows}
    # The median of each group's waits: the middle row (or the mean of the middle two) by rank.
    hours = (epoch_seconds(Complaint.first_response_at) - epoch_seconds(Complaint.received_at)) / 3600.0
    ranked = select(key.label("key"), hours.label("hours"),
                    func.row_number().over(partition_by=key, order_by=hours).label("rank"),
                    func.count().over(partition_by=key).label("size")).where(
        Complaint.first_response_at.is_not(None)).subquery()
    middle = or_(ranked.c.rank == (ranked.c.size + 1) // 2, ranked.c.rank == (ranked.c.size + 2) // 2)
    for value, median in session.execute(select(ranked.c.key, func.avg(ranked.c.hours))
                                         .where(middle).group_by(ranked.c.key)).all():
        found[value]["median_first_response_hours"] = round(median, 2)
    return found


def stats(session, now):
    """Open, overdue, forwarded and median hours to the first public answer: overall, by agency
    (named from the local copy of the directory; ``triage`` for none) and by category
    (``uncategorised`` for none), all counted in the database."""
    overall = _figures_by(session, None, now).get("all") or {
        "total": 0, "open": 0, "overdue": 0, "forwarded": 0, "median_first_response_hours": None}
    by_agency = _figures_by(session, Complaint.agency_id, now)
    names = agency_names(session, by_agency)
    return schemas.Stats().dump({
        **overall,
        "by_agency": {agency_id or "triage": {**figures, "agency": names.get(agency_id)}
                      for agency_id, figures in by_agency.items()},
        "by_category": {category or "uncategorised": figures
                        for category, figures in _figures_by(session, Complaint.category, now).items()},
    })
