"""Rules every service applies the same way: loading input with its schema, and the forum roles."""
from marshmallow import ValidationError

from shared.errors import Forbidden, from_marshmallow


def load(schema_cls, data, **kwargs):
    """``data`` loaded with ``schema_cls``, or ValidationFailed naming each bad field."""
    try:
        return schema_cls(**kwargs).load(data or {})
    except ValidationError as exc:
        raise from_marshmallow(exc) from None


def is_coordinator(actor):
    return bool(actor) and actor.get("role") == "coordinator"


def require_coordinator(actor):
    if not is_coordinator(actor):
        raise Forbidden("only a coordinator of the forum may do this")
