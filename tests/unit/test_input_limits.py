"""Whatever a schema accepts must be storable: lengths agree with the columns, ids fit, numbers and
times are bounded, text is clean, names are one line, phones have one form (shared/schemas.py)."""
import importlib
import inspect
from datetime import datetime, timezone

import pytest
from icalendar import Calendar
from marshmallow import ValidationError, fields, validate
from sqlalchemy import String

import gateway.service  # noqa: F401  (registers every route and so every input schema)
from gateway.http import ROUTES
from services.complaints import schemas as complaint_schemas
from services.directory import schemas as directory_schemas
from shared import schemas as shared_schemas
from shared.schemas import Id, Schema, name_key
from tests.unit.calendar_unit_support import member
from services.calendar import domain as calendar_domain

SERVICES = ("directory", "calendar", "distribution", "complaints")
BOOKKEEPING = ("outbox", "handled_events", "idempotent_answers")
# Longest region code: 73.72.03.1001 (province.city.district.village).
REGION_CODE_LENGTH = 13


def _service_of(schema_cls):
    return schema_cls.__module__.split(".")[1]


def _input_schemas():
    """Every schema a route loads a body with, and every schema nested in one."""
    found, todo = set(), [spec.body for spec in ROUTES if spec.body is not None]
    todo.append(complaint_schemas.ComplaintInput)  # the Open311 POST validates with it by hand
    while todo:
        schema = todo.pop()
        schema_cls = schema if isinstance(schema, type) else type(schema)
        if schema_cls in found:
            continue
        found.add(schema_cls)
        for field in schema_cls().fields.values():
            inner = getattr(field, "inner", field)
            if isinstance(inner, fields.Nested):
                todo.append(inner.nested)
    return found


def _string_columns(service):
    """Column name -> the shortest length of a String column of that name in the service's tables."""
    models = importlib.import_module(f"services.{service}.models")
    limits = {}
    for table in models.Base.metadata.tables.values():
        if table.name in BOOKKEEPING:
            continue
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                limits[column.name] = min(column.type.length, limits.get(column.name, column.type.length))
    return limits


def _longest_accepted(field):
    """The longest string ``field`` lets through, or None when nothing bounds it."""
    if isinstance(field, Id):
        return shared_schemas.ID_LENGTH
    bounds = []
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            bounds.append(validator.max)
        if isinstance(validator, validate.OneOf):
            bounds.append(max(len(choice) for choice in validator.choices))
        if isinstance(validator, validate.Regexp) and validator.regex.pattern.startswith(r"^\d{2}(\.\d{2}"):
            bounds.append(REGION_CODE_LENGTH)
    return min(bounds) if bounds else None


def _stored_fields():
    """(schema, field name, field, column limit) for each input field stored in a String column."""
    for schema_cls in sorted(_input_schemas(), key=lambda s: s.__qualname__):
        service = _service_of(schema_cls)
        limits = _string_columns(service)
        for name, field in schema_cls().fields.items():
            field = getattr(field, "inner", field)
            column = f"reporter_{name}" if schema_cls.__name__ == "ReporterInput" else name
            if column in limits and isinstance(field, fields.String):
                yield schema_cls.__qualname__, name, field, limits[column]


def test_every_input_string_kept_in_a_column_is_no_longer_than_the_column():
    checked, too_long = 0, []
    for schema, name, field, limit in _stored_fields():
        checked += 1
        longest = _longest_accepted(field)
        if longest is None or longest > limit:
            too_long.append(f"{schema}.{name}: accepts {longest or 'any length'}, the column holds {limit}")
    assert checked > 30
    assert too_long == []


def test_every_input_field_naming_an_id_is_an_id():
    loose = [f"{schema_cls.__qualname__}.{name}"
             for schema_cls in _input_schemas() for name, field in schema_cls().fields.items()
             if ((name.endswith("_id") and name != "name_id") or name.endswith("_ids") or name in ("co_issuers", "members", "agencies"))
             and not isinstance(getattr(field, "inner", field), Id)]
    assert loose == []


def test_every_service_schema_uses_the_shared_base():
    for service in SERVICES:
        module = importlib.import_module(f"services.{service}.schemas")
        for name, member_ in inspect.getmembers(module, inspect.isclass):
            if member_.__module__ == module.__name__ and hasattr(member_, "_declared_fields"):
                assert issubclass(member_, Schema), f"{module.__name__}.{name}"


@pytest.mark.parametrize("schema_cls, data, field", [
    (directory_schemas.AgencyQuery, {"offset": str(2**64)}, "offset"),
    (directory_schemas.AgencyQuery, {"limit": str(-(2**70))}, "limit"),
    (importlib.import_module("services.calendar.schemas").ItemQuery, {"offset": "99999999999999999999"}, "offset"),
    (importlib.import_module("services.distribution.schemas").ApproveInput, {"version": 2**63}, "version"),
    (importlib.import_module("services.distribution.schemas").PublishInput,
     {"embargo_until": "9999-12-31T23:59:59-14:00"}, "embargo_until"),
    (importlib.import_module("services.distribution.schemas").AmplificationInput,
     {"deadline": "0001-01-01T00:00:00+14:00"}, "deadline"),
    (importlib.import_module("services.calendar.schemas").ItemQuery, {"from": "9999-12-31T23:00:00-12:00"}, "from"),
])
def test_integers_and_times_beyond_the_bound_are_a_field_error(schema_cls, data, field):
    with pytest.raises(ValidationError) as refused:
        schema_cls().load(data)
    assert field in refused.value.messages


def test_open311_dates_share_the_bound():
    from services.complaints import open311
    from shared.errors import ValidationFailed
    for value in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        with pytest.raises(ValidationFailed) as refused:
            open311.requests(None, {"start_date": value}, datetime(2030, 1, 1, tzinfo=timezone.utc))
        assert "start_date" in refused.value.fields


HOSTILE = "A\x0bB\x1b[31mC\x7fD\x85E\x00F\ud800G"


def test_control_characters_are_stripped_where_text_enters():
    loaded = complaint_schemas.NoteInput().load({"text": "baris satu\r\nbaris\tdua" + HOSTILE,
                                                 "visibility": "public"})
    assert loaded["text"] == "baris satu\nbaris\tdua" + "AB[31mCDEFG"


@pytest.mark.parametrize("given", ["Dinas\nKesehatan", "Dinas\tKesehatan"])
def test_a_name_is_one_line(given):
    with pytest.raises(ValidationError) as refused:
        directory_schemas.AgencyInput().load({"name": given, "short_name": "DINKES", "kind": "opd"})
    assert "name" in refused.value.messages


@pytest.mark.parametrize("given", ["DINKES ", "DINKES\n", " DINKES", "DINKES\x1b"])
def test_names_are_stripped_of_spaces_and_control_characters(given):
    loaded = directory_schemas.AgencyInput().load({"name": "\n Dinas Kesehatan \x1b", "short_name": given,
                                                   "kind": "opd"})
    assert loaded["short_name"] == "DINKES" and loaded["name"] == "Dinas Kesehatan"


def test_names_are_the_same_name_after_unicode_normalisation_case_and_spacing():
    assert name_key("HUMAS-KOTA") == name_key("humas-kota ") == name_key("ＨＵＭＡＳ-ＫＯＴＡ") == "humas-kota"
    assert name_key("Dinas  Kesehatan") == name_key("dinas kesehatan")
    assert name_key("Straße") == name_key("STRASSE")


def test_an_item_with_control_characters_reaches_the_ics_feed_clean(cal):
    item = cal.scheduled(member("polres"), title="Rapat" + HOSTILE, venue="Aula\x1b Utama",
                         description="Agenda\x0b:\r\n1. Pembukaan\x7f")
    text = cal.read(calendar_domain.public_feed)
    raw = text if isinstance(text, str) else text.decode()
    assert not any(ord(c) < 32 and c not in "\r\n" or 0x7f <= ord(c) <= 0x9f for c in raw)
    event = next(e for e in Calendar.from_ical(text).walk("VEVENT") if str(e["UID"]).startswith(item.id))
    assert str(event["SUMMARY"]) == "RapatAB[31mCDEFG"
    assert str(event["LOCATION"]) == "Aula Utama"
    assert str(event["DESCRIPTION"]).startswith("Agenda:\n1. Pembukaan\n")


# The same numbers, as people write them, for the directory and for complaint intake.
PHONES = [
    ("0813-5557-8901", "+6281355578901"),
    ("0812 3456 7890", "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("(0421) 21234", "+6242121234"),
    ("0821.4455.6677", "+6282144556677"),
]
NOT_PHONES = ["12345", "0812", "+1 202 555 0100", "0812-ABCD-7890", "08123456789012345", "0812\x003456"]


@pytest.mark.parametrize("given, stored", PHONES)
def test_the_directory_and_intake_keep_the_same_phone_in_one_form(given, stored):
    officer = directory_schemas.Officer().load({"name": "Andi", "position": "ppid", "phone": given})
    reporter = complaint_schemas.ReporterInput().load({"phone": given})
    assert officer["phone"] == reporter["phone"] == stored


@pytest.mark.parametrize("given", NOT_PHONES)
def test_the_directory_and_intake_refuse_the_same_non_phones(given):
    with pytest.raises(ValidationError):
        directory_schemas.Officer().load({"name": "Andi", "position": "ppid", "phone": given})
    with pytest.raises(ValidationError):
        complaint_schemas.ReporterInput().load({"phone": given})
