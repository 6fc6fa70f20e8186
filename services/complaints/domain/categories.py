"""The coordinator's list of complaint categories."""
from sqlalchemy import select

from services.complaints import schemas
from services.complaints.models import Category
from shared.errors import Conflict, NotFound
from shared.rules import load, require_coordinator


def categories(session, include_inactive=False):
    """The list (public: the intake form offers it); retired ones only when asked."""
    query = select(Category).order_by(Category.code)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return session.scalars(query).all()


def add_category(uow, actor, data):
    require_coordinator(actor)
    values = load(schemas.CategoryInput, data)
    if uow.session.get(Category, values["code"]) is not None:
        raise Conflict("this category exists already", {"code": ["already used"]})
    category = Category(**values)
    uow.session.add(category)
    return category


def change_category(uow, actor, code, data):
    require_coordinator(actor)
    values = load(schemas.CategoryUpdate, data)
    category = uow.session.get(Category, code)
    if category is None:
        raise NotFound("no such category")
    for name, value in values.items():
        setattr(category, name, value)
    return category


def remove_category(uow, actor, code):
    """Retired, not deleted: the complaints that name it keep it."""
    return change_category(uow, actor, code, {"active": False})
