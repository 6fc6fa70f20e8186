"""Routing rules and where a new complaint goes; no complaint goes to the agency it is about."""
import uuid

from sqlalchemy import select

from services.complaints import schemas
from services.complaints.domain.agencies import active_agency
from services.complaints.models import Agency, Category, RoutingRule
from shared.errors import NotFound, ValidationFailed
from shared.rules import load, require_coordinator


def rules(session, actor):
    """Every routing rule, most specific first (the order ``route`` tries them in)."""
    require_coordinator(actor)
    return by_specificity(session.scalars(select(RoutingRule)).all())


def add_rule(uow, actor, data):
    require_coordinator(actor)
    values = load(schemas.RuleInput, data)
    return _save_rule(uow.session, RoutingRule(id=str(uuid.uuid4())), values)


def change_rule(uow, actor, rule_id, data):
    require_coordinator(actor)
    rule = uow.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("no such routing rule")
    return _save_rule(uow.session, rule, load(schemas.RuleInput, data))


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


def delete_rule(uow, actor, rule_id):
    require_coordinator(actor)
    rule = uow.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("no such routing rule")
    uow.session.delete(rule)
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
    return by_specificity(found)


def by_specificity(rules):
    return sorted(rules, key=lambda r: (specificity(r), -r.created_at.timestamp()), reverse=True)


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
