"""Each service's own copy of the forum's non-working days, kept from the directory's
``local_holidays.changed`` events. Every event carries the whole list, so keeping it is replacing
it: a list older than the one kept changes nothing, whatever order or how often events come."""
from datetime import date, datetime

from sqlalchemy import Date, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import UtcDateTime, utcnow
from shared.messaging import consumes

LIST_ROW = 1


class LocalHolidayCopy:
    """Declarative mixin: ``class LocalHoliday(LocalHolidayCopy, Base): __tablename__ = "local_holidays"``."""
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class LocalHolidaysAsOf:
    """Declarative mixin of a one-row table: when the directory said the list kept (even an empty one)."""
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[datetime] = mapped_column(UtcDateTime())


def extra_days(session, model):
    """The forum's own non-working days of the copy, for the working-day functions."""
    return frozenset(session.scalars(select(model.day)))


def keep_local_holidays(session, model, as_of_model, days, as_of):
    """Replaces the copy by ``days`` (``[{"day", "name"}]``) unless an newer list is kept; returns
    ``(was, now)`` as sets of days, or None when the list is older than the copy."""
    kept = session.get(as_of_model, LIST_ROW)
    if kept is not None and kept.as_of > as_of:
        return None
    if kept is None:
        kept = as_of_model(id=LIST_ROW)
        session.add(kept)
    kept.as_of = as_of
    was = extra_days(session, model)
    session.execute(delete(model))
    session.add_all(model(day=entry["day"], name=entry["name"]) for entry in days)
    return was, frozenset(entry["day"] for entry in days)


class KeepsLocalHolidays:
    """Service mixin: the directory's ``local_holidays.changed``, kept in the service's own copy by
    its domain's ``keep_local_holidays(uow, days, as_of, now)`` (which moves its running clocks)."""
    local_holidays_domain = None

    @consumes("directory", "local_holidays.changed")
    def on_local_holidays_changed(self, uow, envelope):
        self.local_holidays_domain.keep_local_holidays(uow, envelope.data["days"], envelope.occurred, utcnow())
