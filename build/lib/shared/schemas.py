"""The input rules every schema of every service shares (the gateway validates with the same schemas).

Whatever a schema accepts must be storable and printable everywhere it goes (PostgreSQL, ICS,
feeds, JSON), so text is cleaned where it enters, in one place:

- every string loses its control characters (C0, DEL, C1) and lone surrogates; tab and newline
  stay for multi-line text (``\\r\\n`` becomes ``\\n``);
- a name (``Name``) is also stripped and must be one line;
- every integer and every time has one bound (``INTEGER_RANGE``, ``EARLIEST``..``LATEST``), so no arithmetic or
  database column overflows on it;
- an identifier (``Id``) fits the ``String(ID_LENGTH)`` columns ids are kept in;
- a phone number (``Phone``) is read by ``phonenumbers`` and kept in E.164 (``+62...``).
"""
import re
import unicodedata
from datetime import datetime, timezone

import phonenumbers
from marshmallow import Schema as MarshmallowSchema
from marshmallow import ValidationError, fields, pre_load, validate

ID_LENGTH = 36
# E.164: at most 15 digits after the +.
PHONE_LENGTH = 16
INTEGER_RANGE = validate.Range(min=-(2**31), max=2**31 - 1,
                               error="must be between {min} and {max}")
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
MOMENT_ERROR = "must be between 2000 and 2100"
# The ids the system makes are UUIDs; readable ids (tests, imports) keep to the same characters.
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]{1,%d}" % ID_LENGTH)
# What people write in a phone number besides digits; letters (vanity numbers) are refused.
PHONE_CHARACTERS = re.compile(r"\+?[0-9 \-.()/]{1,40}")
PHONE_REGION = "ID"
PHONE_HELP = "an Indonesian phone number such as 0812-3456-7890, +62 812 3456 7890 or 0421 21234"

# Control characters (C0, DEL, C1) and lone surrogates; tab and newline are kept here.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text):
    """``text`` without control characters but tab and newline, line ends as ``\\n``."""
    return _UNPRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_name(text):
    """A one-line name: stripped, control characters removed; ValueError when it spans lines."""
    text = clean_text(text).strip()
    if "\n" in text or "\t" in text:
        raise ValueError("must be one line, without tabs")
    return text


def name_key(text):
    """What makes two names the same name: Unicode compatibility form, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", clean_text(text)).casefold().split())


def moment_problem(value):
    """Why the aware datetime ``value`` is out of bounds, or None."""
    try:
        inside = EARLIEST <= value.astimezone(timezone.utc) < LATEST
    except OverflowError:
        inside = False
    return None if inside else MOMENT_ERROR


def _bounded_moment(value):
    problem = moment_problem(value)
    if problem:
        raise ValidationError(problem)


def normalise_phone(text):
    """An Indonesian phone number in E.164 (``+62...``), or ValueError."""
    if not PHONE_CHARACTERS.fullmatch(text or ""):
        raise ValueError(PHONE_HELP)
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(PHONE_HELP) from None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_HELP)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _strings_cleaned(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _strings_cleaned(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strings_cleaned(item) for item in value]
    return value


class Schema(MarshmallowSchema):
    """The base of every schema: cleans text on the way in and bounds every number and time."""

    @pre_load
    def _clean_text(self, data, **kwargs):
        return _strings_cleaned(data)

    def on_bind_field(self, field_name, field_obj):
        for field in (field_obj, getattr(field_obj, "inner", None)):
            if isinstance(field, fields.Integer):
                field.validators.append(INTEGER_RANGE)
            elif isinstance(field, fields.DateTime):
                field.validators.append(_bounded_moment)


_length = validate.Length


class Name(fields.String):
    """A name or title: one line, stripped, not blank, at most ``max`` characters."""

    def __init__(self, *, max, min=1, validate=(), **kwargs):
        super().__init__(validate=[_length(min, max), *validate], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return clean_name(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class Id(fields.String):
    """The id of something in the system, as long as its ``String(ID_LENGTH)`` columns."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("format", "uuid")
        super().__init__(validate=validate.Length(max=ID_LENGTH), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not IDENTIFIER.fullmatch(text):
            raise ValidationError(f"must be an id: a UUID such as 0b6f4a52-2c1e-4d0e-9a57-3f1c2b7d9e10 "
                                  f"(letters, digits, - and _, at most {ID_LENGTH})")
        return text


class Phone(fields.String):
    """A phone number, kept in E.164 (``+62...``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", PHONE_HELP)
        super().__init__(validate=validate.Length(max=PHONE_LENGTH), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return normalise_phone(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
