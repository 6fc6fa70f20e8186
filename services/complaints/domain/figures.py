"""The coordinator's figures, counted in the database."""
from sqlalchemy import Float, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from services.complaints.domain.agencies import agency_names
from services.complaints.domain.deadlines import overdue_in_sql
from services.complaints.models import Complaint
from shared.rules import require_coordinator


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


def stats(session, actor, now):
    """Open, overdue, forwarded and median hours to the first public answer: overall, by agency
    (named from the local copy of the directory; ``triage`` for none) and by category
    (``uncategorised`` for none), all counted in the database. The coordinator's only."""
    require_coordinator(actor)
    overall = _figures_by(session, None, now).get("all") or {
        "total": 0, "open": 0, "overdue": 0, "forwarded": 0, "median_first_response_hours": None}
    by_agency = _figures_by(session, Complaint.agency_id, now)
    names = agency_names(session, by_agency)
    return {
        **overall,
        "by_agency": {agency_id or "triage": {**figures, "agency": names.get(agency_id)}
                      for agency_id, figures in by_agency.items()},
        "by_category": {category or "uncategorised": figures
                        for category, figures in _figures_by(session, Complaint.category, now).items()},
    }
