"""Event contracts: every event's name, version and payload schema, defined once.

A producer calls :func:`seal` before an event leaves its service and a consumer
calls :func:`open_envelope` on what it receives; both validate against the same
marshmallow schema. An event travels as an envelope::

    {"id": "<uuid>", "name": "agency.registered", "version": 1,
     "source": "directory", "occurred_at": "<ISO 8601 UTC>", "data": {...}}

plus, when the event was caused by a request, its ``correlation_id`` (optional: events
sealed without one, and every earlier event, still validate).

Breaking a payload means a new version registered beside the old one, so that
consumers can move over one at a time.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from shared.observe import current_correlation_id


@dataclass(frozen=True)
class Contract:
    name: str
    version: int
    source: str
    schema: type


@dataclass(frozen=True)
class Envelope:
    id: str
    name: str
    version: int
    source: str
    occurred_at: str
    data: dict
    correlation_id: str | None = None

    @property
    def occurred(self):
        """When the producer said it happened (aware)."""
        return datetime.fromisoformat(self.occurred_at)


class MalformedEvent(Exception):
    """What arrived does not honour its contract: it is dead-lettered, never retried."""


_REGISTRY = {}


def contract(name, version, source):
    """Class decorator: register a marshmallow schema as the payload of ``name`` v``version``."""
    def register(schema_cls):
        key = (name, version)
        if key in _REGISTRY:
            raise ValueError(f"event {name} v{version} is registered twice")
        _REGISTRY[key] = Contract(name, version, source, schema_cls)
        return schema_cls
    return register


def get(name, version=None):
    if version is None:
        versions = [v for (n, v) in _REGISTRY if n == name]
        if not versions:
            raise KeyError(f"no contract for event {name}")
        version = max(versions)
    try:
        return _REGISTRY[(name, version)]
    except KeyError:
        raise KeyError(f"no contract for event {name} v{version}") from None


def all_contracts():
    return sorted(_REGISTRY.values(), key=lambda c: (c.name, c.version))


class _EnvelopeSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    source = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    data = fields.Dict(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)


def seal(name, data, version=None, event_id=None, occurred_at=None):
    """Validate ``data`` against the contract and wrap it in an envelope (a plain dict).

    The envelope carries the correlation id of the worker sealing it, if it has one.
    """
    spec = get(name, version)
    errors = spec.schema().validate(data)
    if errors:
        raise ValueError(f"event {name} v{spec.version} breaks its contract: {errors}")
    envelope = {
        "id": str(event_id or uuid.uuid4()),
        "name": spec.name,
        "version": spec.version,
        "source": spec.source,
        "occurred_at": (occurred_at or datetime.now(timezone.utc)).isoformat(),
        "data": spec.schema().dump(spec.schema().load(data)),
    }
    correlation = current_correlation_id()
    if correlation is not None:
        envelope["correlation_id"] = correlation
    return envelope


def open_envelope(payload, expected_name=None):
    """Validate a received envelope and its data; raise MalformedEvent if either is wrong."""
    if not isinstance(payload, dict):
        raise MalformedEvent(f"an event must be a JSON object, got {type(payload).__name__}")
    errors = _EnvelopeSchema().validate(payload)
    if errors:
        raise MalformedEvent(f"bad envelope: {errors}")
    if expected_name and payload["name"] != expected_name:
        raise MalformedEvent(f"expected {expected_name}, got {payload['name']}")
    try:
        spec = get(payload["name"], payload["version"])
        data = spec.schema().load(payload["data"])
    except KeyError as exc:
        raise MalformedEvent(str(exc)) from None
    except ValidationError as exc:
        raise MalformedEvent(f"{payload['name']} v{payload['version']}: {exc.messages}") from None
    return Envelope(
        id=str(payload["id"]), name=payload["name"], version=payload["version"],
        source=payload["source"], occurred_at=payload["occurred_at"], data=data,
        correlation_id=payload.get("correlation_id"),
    )


# Importing the per-service contract modules registers them.
from shared.contracts import directory, calendar, distribution, complaints, information, notifications  # noqa: E402,F401,E501
