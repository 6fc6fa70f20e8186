"""A list a person reads comes a page at a time with the count over all pages: none stops silently."""
from dataclasses import dataclass

from sqlalchemy import func, select


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    limit: int
    offset: int


def page_of(session, stmt, limit, offset):
    """The rows of ``stmt`` (ordered) from ``offset``, at most ``limit``, and how many there are in all."""
    items = session.scalars(stmt.limit(limit).offset(offset)).all()
    if offset == 0 and len(items) < limit:  # all of them: no need to count
        return Page(items, len(items), limit, offset)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return Page(items, total, limit, offset)
