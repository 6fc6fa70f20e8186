"""The figures of the PPID's semester and annual report (Pasal 7 ayat 3 UU 14/2008, Perki 1/2021):
per agency and period, and the forum's comparison for the coordinator."""
import json
from collections import Counter
from datetime import date, datetime, time

from marshmallow import EXCLUDE
from sqlalchemy import select

from services.information import schemas
from services.information.domain.agencies import agency_names
from services.information.domain.clocks import forum_zone
from services.information.models import Agency, Forward, InformationRequest, Objection
from shared.errors import Forbidden
from shared.rules import is_coordinator, load
from shared.workdays import working_days_between


def period(year, semester):
    """``(start, end)`` of a year or semester, in the forum's zone, end excluded."""
    first, last = {None: (1, 13), 1: (1, 7), 2: (7, 13)}[semester]
    start = datetime.combine(date(year, first, 1), time(), tzinfo=forum_zone())
    end = datetime.combine(date(year + (last == 13), last if last < 13 else 1, 1), time(), tzinfo=forum_zone())
    return start, end


def figures(requests, objections, forwarded_out, now):
    """What the report counts, from the period's requests (where they are now), their objections
    and the forwards made out of the agency."""
    decisions = Counter(r.decision for r in requests)
    refused_by = Counter(json.loads(r.exemption)["article"] for r in requests
                         if r.decision in ("refused", "partly_granted") and r.exemption)
    answered = [working_days_between(r.clock_started_at, r.decided_at) for r in requests if r.decided_at]
    outcomes = Counter(o.outcome for o in objections)
    commission = Counter(o.commission_outcome for o in objections if o.commission_filed_on is not None)
    return {
        "received": len(requests), "granted": decisions["granted"], "partly_granted": decisions["partly_granted"],
        "refused": decisions["refused"], "refused_by_article": dict(sorted(refused_by.items())),
        "not_held": decisions["not_held"], "not_documented": decisions["not_documented"],
        "forwarded": forwarded_out, "pending": decisions[None],
        "answered_late": sum(1 for r in requests if (r.decided_at or now) > r.answer_due),
        "average_days_to_answer": round(sum(answered) / len(answered), 1) if answered else None,
        "objections": len(objections), "objections_upheld": outcomes["upheld"],
        "objections_dismissed": outcomes["dismissed"], "objections_pending": outcomes[None],
        "commission_disputes": sum(commission.values()), "commission_outcomes": dict(sorted(commission.items())),
    }


def _period_rows(session, start, end, agency_id=None):
    in_period = [InformationRequest.registered_at >= start, InformationRequest.registered_at < end]
    where = in_period + ([InformationRequest.agency_id == agency_id] if agency_id else [])
    requests = session.scalars(select(InformationRequest).where(*where)).all()
    objections = session.scalars(select(Objection).where(Objection.request_id.in_([r.id for r in requests]))).all() \
        if requests else []
    out = select(Forward.from_agency_id).join(InformationRequest, Forward.request_id == InformationRequest.id).where(
        *in_period, Forward.state == "accepted")
    if agency_id:
        out = out.where(Forward.from_agency_id == agency_id)
    return requests, objections, Counter(session.scalars(out).all())


def report(session, actor, query, now):
    """One agency's figures for a year or semester: the caller's own; the coordinator's for any."""
    values = load(schemas.ReportQuery, query, unknown=EXCLUDE)
    agency_id = values["agency_id"] or actor["agency_id"]
    if agency_id != actor["agency_id"] and not is_coordinator(actor):
        raise Forbidden("an agency reads its own report; the coordinator reads every agency's")
    start, end = period(values["year"], values["semester"])
    requests, objections, forwarded = _period_rows(session, start, end, agency_id)
    return {**figures(requests, objections, forwarded[agency_id], now),
            "agency": agency_names(session, [agency_id])[agency_id], "year": values["year"],
            "semester": values["semester"], "period_start": start, "period_end": end}


def forum_report(session, actor, query, now):
    """Every agency of the forum side by side (those with no request too), and the forum's total."""
    if not is_coordinator(actor):
        raise Forbidden("only a coordinator of the forum may do this")
    values = load(schemas.ReportQuery, query, unknown=EXCLUDE)
    start, end = period(values["year"], values["semester"])
    requests, objections, forwarded = _period_rows(session, start, end)
    agency_ids = set(session.scalars(select(Agency.id).where(Agency.active.is_(True))).all())
    agency_ids |= {r.agency_id for r in requests} | set(forwarded)
    names = agency_names(session, agency_ids)
    request_agency = {r.id: r.agency_id for r in requests}
    rows = []
    for agency_id in agency_ids:
        mine = [r for r in requests if r.agency_id == agency_id]
        rows.append({**figures(mine, [o for o in objections if request_agency[o.request_id] == agency_id],
                               forwarded[agency_id], now), "agency": names[agency_id]})
    rows.sort(key=lambda row: (-row["received"], (row["agency"]["name"] or "").casefold()))
    return {"year": values["year"], "semester": values["semester"], "period_start": start, "period_end": end,
            "total": figures(requests, objections, sum(forwarded.values()), now), "agencies": rows}
