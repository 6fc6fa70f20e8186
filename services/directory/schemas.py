"""What the directory accepts and answers.

Contact details are checked and brought to one form on the way in: phones to E.164
(``+62...``), channel handles to the platform's canonical URL. The gateway validates a
body with these same schemas, so a bad field is refused before any service is called.
"""
import re
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.agencies import AgencyName
from shared.contracts.directory import (ACCOUNT_LANGUAGES, ACCOUNT_ROLES, AGENCY_KINDS, CHANNEL_PLATFORMS, FORUM_ROLES,
                                       OFFICER_POSITIONS)
from shared.schemas import (EMAIL_LENGTH, KEY_LABEL_LENGTH, NAME_LENGTH, SHORT_NAME_LENGTH, Id, Name, Phone, Schema,
                            normalise_phone)

REGION_CODE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?\Z"


_url = validate.URL(relative=False, schemes={"http", "https"}, require_tld=True)


def web_url(text):
    """An absolute http(s) URL with a real host name; ``https://`` is assumed when left out."""
    text = text.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        _url(text)
    except ValidationError:
        raise ValueError("a web address such as https://pareparekota.go.id") from None
    if " " in text or "." not in (urlsplit(text).hostname or ""):
        raise ValueError("a public web address such as https://pareparekota.go.id")
    return text


def host_of(url):
    host = (urlsplit(url).hostname or "").lower()
    for prefix in ("www.", "m.", "web."):
        host = host.removeprefix(prefix)
    return host


# platform: (hosts its URLs live on, what a bare handle looks like, the canonical URL of a handle)
SOCIAL = {
    "instagram": (("instagram.com",), r"[A-Za-z0-9._]{1,30}", "https://www.instagram.com/{}"),
    "x": (("x.com", "twitter.com"), r"[A-Za-z0-9_]{1,15}", "https://x.com/{}"),
    "facebook": (("facebook.com", "fb.com"), r"[A-Za-z0-9.]{5,50}", "https://www.facebook.com/{}"),
    "youtube": (("youtube.com", "youtu.be"), r"[A-Za-z0-9._-]{3,30}", "https://www.youtube.com/@{}"),
    "tiktok": (("tiktok.com",), r"[A-Za-z0-9._]{2,24}", "https://www.tiktok.com/@{}"),
    "whatsapp": (("wa.me", "whatsapp.com", "chat.whatsapp.com"), None, None),
}


def channel_url(platform, text):
    """The canonical URL of a channel given as a URL, a handle (``@name``) or, for WhatsApp, a phone."""
    text = (text or "").strip()
    if platform == "website":
        return web_url(text)
    hosts, handle, template = SOCIAL[platform]
    if "/" in text:
        url = web_url(text)
        if host_of(url) not in hosts or urlsplit(url).path.strip("/") == "":
            raise ValueError(f"a {platform} address on {' or '.join(hosts)}")
        return url.replace("http://", "https://", 1)
    if platform == "whatsapp":
        try:
            return "https://wa.me/" + normalise_phone(text)[1:]
        except ValueError:
            raise ValueError("a WhatsApp number (08xx, +62...) or a wa.me / whatsapp.com link") from None
    name = text.removeprefix("@")
    if not re.fullmatch(handle, name):
        raise ValueError(f"a {platform} handle such as @humas_parepare or a URL on {hosts[0]}")
    return template.format(name)


class ChannelAddress(fields.String):
    def __init__(self, platform, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=300), **kwargs)
        self.platform = platform

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return channel_url(self.platform, super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class Channels(Schema):
    """Official channels by platform: a URL, or a handle such as ``@humaskotaparepare``."""
    website = ChannelAddress("website")
    instagram = ChannelAddress("instagram")
    x = ChannelAddress("x")
    facebook = ChannelAddress("facebook")
    youtube = ChannelAddress("youtube")
    tiktok = ChannelAddress("tiktok")
    whatsapp = ChannelAddress("whatsapp")


class Reachable(Schema):
    phone = Phone(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=EMAIL_LENGTH))

    @validates_schema
    def _phone_or_email(self, data, **kwargs):
        if not data.get("phone") and not data.get("email"):
            raise ValidationError("give a phone or an email so that this person can be reached", "phone")


class Officer(Reachable):
    name = Name(required=True, min=2, max=NAME_LENGTH)
    position = fields.String(required=True, validate=validate.OneOf(OFFICER_POSITIONS))
    title = Name(load_default="", min=0, max=NAME_LENGTH,
                          metadata={"description": "the job title as written, e.g. Kasubbag Publikasi"})


class Contributor(Reachable):
    name = Name(required=True, min=2, max=NAME_LENGTH)
    unit = Name(load_default="", min=0, max=NAME_LENGTH,
                         metadata={"description": "the sub-unit this person writes for, e.g. KUA Soreang"})


class AgencyInput(Schema):
    name = Name(required=True, min=2, max=NAME_LENGTH)
    short_name = Name(required=True, min=2, max=SHORT_NAME_LENGTH, validate=[
        validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*\Z",
                        error="letters, digits, space, dot, slash, dash, underscore")])
    kind = fields.String(required=True, validate=validate.OneOf(AGENCY_KINDS))
    role = fields.String(load_default="member", validate=validate.OneOf(FORUM_ROLES))
    parent_id = Id(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        REGION_CODE, error="a Kemendagri region code such as 73.72"))
    officers = fields.List(fields.Nested(Officer), load_default=list, validate=validate.Length(max=30))
    channels = fields.Nested(Channels, load_default=dict)
    contributors = fields.List(fields.Nested(Contributor), load_default=list,
                               validate=validate.Length(max=200))


class AgencyChanges(AgencyInput):
    """A PATCH: any of the fields of a registration; lists and channels are replaced as a whole."""

    def __init__(self, **kwargs):
        # Only the top-level fields are optional: an officer in the list still needs its name.
        super().__init__(partial=tuple(AgencyInput._declared_fields), **kwargs)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("send at least one field to change", "body")


class AgencyQuery(Schema):
    kind = fields.String(validate=validate.OneOf(AGENCY_KINDS))
    parent_id = Id(metadata={"description": "only the direct sub-units of this agency"})
    region_code = fields.String(validate=validate.Regexp(REGION_CODE, error="a region code such as 73.72"),
                                metadata={"description": "this region and the regions inside it"})
    q = fields.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "the beginnings of words of the name or short name, in any "
                                               "case (\"polres pare\" finds Polres Parepare), read from an index"})
    active = fields.Boolean(metadata={"description": "only active (true) or inactive (false) agencies"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class Agency(Schema):
    id = fields.String()
    name = fields.String()
    short_name = fields.String()
    kind = fields.String()
    role = fields.String()
    parent_id = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    deactivated_at = fields.AwareDateTime(allow_none=True)


class AgencyPage(Schema):
    items = fields.List(fields.Nested(Agency))
    total = fields.Integer(metadata={"description": "how many agencies match, over all pages"})
    limit = fields.Integer()
    offset = fields.Integer()


class AgencyDetail(Agency):
    parent = fields.Nested(AgencyName, allow_none=True, metadata={"description": "the parent agency, named"})
    officers = fields.List(fields.Nested(Officer))
    channels = fields.Function(lambda agency: {c.platform: c.url for c in agency.channels},
                               metadata={"description": "platform -> canonical URL"})
    contributors = fields.List(fields.Nested(Contributor))
    sub_units = fields.List(fields.Nested(Agency), metadata={"description": "the direct sub-units"})


class Poster(Schema):
    """One of an agency's QR posters (rendered by the gateway)."""
    door = fields.String(metadata={"description": "qr (the office wall) or ptsp (the one-stop service desk)"})
    form_url = fields.String(metadata={"description": "what the QR code opens: the complaint form, preset"})
    download = fields.String(metadata={"description": "the A4 SVG poster"})
    filename = fields.String()


class KeyInput(Schema):
    label = Name(load_default="", min=0, max=KEY_LABEL_LENGTH)


class ApiKey(Schema):
    id = fields.String()
    agency_id = fields.String()
    prefix = fields.String(metadata={"description": "the first characters of the key, to recognise it"})
    label = fields.String()
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedKey(ApiKey):
    api_key = fields.String(metadata={"description": "the secret; shown once, never again"})


class Caller(Schema):
    """Who an API key belongs to, as the gateway needs it."""
    key_id = fields.String()
    agency_id = fields.String()
    role = fields.String()
    short_name = fields.String()
    name = fields.String()
    kind = fields.String()


PASSWORD_MIN = 10
PASSWORD_MAX = 200
# Why the directory refuses a new password of the right length (domain.passwords), as it says so.
PASSWORD_COMMON = "on a list of common or leaked passwords"
PASSWORD_EMAIL_NAME = "contains the name of the account's email address"
PASSWORD_FORUM_NAME = "contains the forum's name"
PASSWORD_REPETITIVE = "repeats a few characters"
_password = validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                            error=f"a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters")
_totp_code = validate.Regexp(r"^[0-9]{6}\Z", error="the 6 digits your authenticator app shows")


class AccountInput(Schema):
    """An invitation: the person, their role in the agency and the console's language for them."""
    name = Name(required=True, min=2, max=NAME_LENGTH)
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_LENGTH))
    phone = Phone(load_default=None, allow_none=True)
    account_role = fields.String(load_default="officer", validate=validate.OneOf(ACCOUNT_ROLES),
                                 metadata={"description": "admin: manages the agency's accounts; officer: does the work"})
    language = fields.String(load_default="id", validate=validate.OneOf(ACCOUNT_LANGUAGES))


class PasswordInput(Schema):
    password = fields.String(required=True, validate=_password)


class SignInInput(Schema):
    # Any text: a wrong address is answered like a wrong password, never "no such email".
    email = fields.String(required=True, validate=validate.Length(min=1, max=EMAIL_LENGTH))
    password = fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))
    totp_code = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=10))


class Proof(Schema):
    """What a change of one's own password, second factor or email asks: the current password, and
    the current code of the authenticator app when the account has one."""
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))
    current_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))


class PasswordChange(Proof):
    new_password = fields.String(required=True, validate=_password)


class EmailChange(Proof):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_LENGTH))


class TotpCode(Schema):
    code = fields.String(required=True, validate=_totp_code)


class Account(Schema):
    id = fields.String()
    agency_id = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    account_role = fields.String()
    language = fields.String()
    status = fields.Function(lambda account: account_status(account),
                             metadata={"description": "invited, active or deactivated"})
    totp_enabled = fields.Function(lambda account: account.totp_secret is not None)
    created_at = fields.AwareDateTime()
    activated_at = fields.AwareDateTime(allow_none=True)
    deactivated_at = fields.AwareDateTime(allow_none=True)


def account_status(account):
    if not account.active:
        return "deactivated"
    return "active" if account.password_hash else "invited"


class InvitedAccount(Schema):
    account = fields.Nested(Account)
    invite_token = fields.String(allow_none=True,
                                 metadata={"description": "the one-time token of the link; shown once"})
    invite_link = fields.String(allow_none=True, metadata={
        "description": "the console page where the person sets a password; shown once (null on a repeat)"})
    invite_expires_at = fields.AwareDateTime(allow_none=True)


class InviteView(Schema):
    """What the invitation page shows before the password is set."""
    account_id = fields.String()
    name = fields.String()
    email = fields.String()
    agency_name = fields.String()
    expires_at = fields.AwareDateTime()


class SessionActor(Schema):
    """A signed-in person as the gateway needs it: the actor every RPC receives, and the session's deadlines."""
    session_id = fields.String()
    agency_id = fields.String()
    role = fields.String()
    key_id = fields.Constant(None)
    account_id = fields.String()
    account_name = fields.String()
    account_role = fields.String()
    agency_name = fields.String()
    agency_short_name = fields.String()
    language = fields.String()
    expires_at = fields.AwareDateTime(metadata={"description": "the earlier of the absolute and the idle deadline"})


class SignedIn(Schema):
    """The answer to a sign-in: a token and who it is, or nothing (``token`` null) and whether a
    TOTP code is what is missing. A refusal never says whether the email exists."""
    token = fields.String(allow_none=True)
    session = fields.Nested(SessionActor, allow_none=True)
    totp_required = fields.Boolean()


class SecondFactorChange(Schema):
    """A second factor confirmed, replaced or removed: the account, and which it was."""
    account = fields.Nested(Account)
    change = fields.String(metadata={"description": "added, replaced or removed"})


class TotpEnrolment(Schema):
    secret = fields.String()
    uri = fields.String(metadata={"description": "otpauth:// URI for an authenticator app"})


class AccountContact(Schema):
    account_id = fields.String(attribute="id")
    agency_id = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    language = fields.String()
    account_role = fields.String()


# The member list's columns (``POST /api/v1/agencies/import``): the field each one fills and its header,
# in Indonesian as the template writes it. A header is also recognised by the field's own name, and
# regardless of case and spacing.
IMPORT_COLUMNS = (
    ("name", "Nama instansi"), ("short_name", "Singkatan"), ("kind", "Jenis"), ("parent", "Induk (singkatan)"),
    ("region_code", "Kode wilayah"), ("website", "Situs web"), ("instagram", "Instagram"), ("x", "X (Twitter)"),
    ("facebook", "Facebook"), ("youtube", "YouTube"), ("tiktok", "TikTok"), ("whatsapp", "WhatsApp"),
    ("officer_name", "Nama petugas humas"), ("officer_phone", "Telepon petugas humas"),
    ("officer_email", "Email petugas humas"),
)
IMPORT_REQUIRED = ("name", "short_name", "kind", "region_code")
# A row the template shows as an example of each column.
IMPORT_EXAMPLE = {
    "name": "Kepolisian Sektor Soreang", "short_name": "POLSEK-SOREANG", "kind": "polri",
    "parent": "POLRES-PAREPARE", "region_code": "73.72.03", "website": "", "instagram": "@polseksoreang",
    "x": "", "facebook": "", "youtube": "", "tiktok": "", "whatsapp": "0812-4300-2200",
    "officer_name": "Iptu Hendra", "officer_phone": "0812-4300-2201", "officer_email": "humas@polseksoreang.go.id",
}
IMPORT_MAX_ROWS = 10_000
IMPORT_CELL_LENGTH = 500


class ImportTable(Schema):
    """A member list as read from its file: the header row and the rows after it, cells as text."""
    columns = fields.List(fields.String(validate=validate.Length(max=IMPORT_CELL_LENGTH)), required=True,
                          validate=validate.Length(min=1, max=100))
    rows = fields.List(fields.List(fields.String(validate=validate.Length(max=IMPORT_CELL_LENGTH)),
                                   validate=validate.Length(max=100)),
                       required=True, validate=validate.Length(max=IMPORT_MAX_ROWS,
                                                               error=f"at most {IMPORT_MAX_ROWS} rows"))


class ImportQuery(Schema):
    dry_run = fields.Boolean(load_default=True, metadata={
        "description": "true (the default): only say what would happen; false: apply the rows that pass"})


class ImportedRow(Schema):
    line = fields.Integer(metadata={"description": "the row's number in the spreadsheet (the header is 1)"})
    short_name = fields.String()
    name = fields.String()
    parent = fields.String(allow_none=True, metadata={"description": "the parent's short name, as written"})
    action = fields.String(metadata={"description": "create, change, unchanged or refused"})
    changed = fields.List(fields.String(), metadata={"description": "the columns a change changes"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "column -> why the row is refused"})
    agency_id = fields.String(allow_none=True, metadata={"description": "the agency (once applied or existing)"})
    invite = fields.String(allow_none=True, metadata={
        "description": "the officer's email to be invited (preview) or invited (applied), if any"})


class ImportInvitation(Schema):
    """An officer invited by the import; the one-time token only in the answer that invited them."""
    account = fields.Nested(Account)
    agency_name = fields.String()
    invite_token = fields.String(allow_none=True)
    invite_link = fields.String(allow_none=True)
    invite_expires_at = fields.AwareDateTime(allow_none=True)
    mailed = fields.Boolean(allow_none=True, metadata={
        "description": "true: mailed; false: mail is off; null: not mailed, pass the link on"})


class ImportPlan(Schema):
    applied = fields.Boolean(metadata={"description": "false for a preview (nothing written)"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "rows per action: create, change, unchanged, refused"})
    rows = fields.List(fields.Nested(ImportedRow), metadata={"description": "every row, in the file's order"})
    invitations = fields.List(fields.Nested(ImportInvitation))
