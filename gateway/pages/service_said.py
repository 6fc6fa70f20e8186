"""What the services say of a bad field (their messages are English, from marshmallow or their own
rules), in the reader's language: the console's forms show them through the ``said`` filter. A
message the catalog knows is translated, one of marshmallow's with a number is translated with it,
and any other is, in Indonesian, a plain "not right yet" beside the field it names."""
import re

from gateway.pages.marks import N_


class ServiceMessage(str):
    """A service's own words about a field (``errors_of``), to be said in the reader's language."""


# The services' messages the catalogs translate, as the services write them.
KNOWN = frozenset((
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("required"),
    N_("must not be empty"),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid list."),
    N_("Unknown field."),
    N_("Invalid value."),
    N_("not an ISO 8601 date"),
    N_("give a time zone, e.g. Z or +07:00"),
    N_("HH:MM"),
    N_("must be after the start"),
    N_("must be after the start (zero duration)"),
    N_("an item lasts at most 7 days"),
    N_("required to reschedule"),
    N_("press releases only"),
    N_("must be in the future"),
    N_("each agency once"),
    N_("fixed once published"),
    N_("must be after from"),
    N_("at most 62 days after from"),
    N_("search at most 92 days at once"),
    N_("must be after day_start"),
    N_("give agencies, officials or a venue"),
    N_("unknown agency"),
    N_("unknown or inactive agency"),
    N_("inactive agency"),
    N_("the lead agency is listed as supporting"),
    N_("a clarification carries the claim it answers"),
    N_("must be an http(s) URL"),
    N_("must not carry credentials"),
    N_("required to refuse"),
    N_("required to supplement"),
    N_("required for a complaint in triage"),
    N_("not in the coordinator's list"),
    N_("only with assigned"),
    N_("same agency"),
    N_("forward pending"),
    N_("the complaint is about this agency or a unit above it"),
    N_("add a text or a file"),
    N_("give a phone number or an email address"),
    N_("give a phone or an email so that this person can be reached"),
    N_("a Kemendagri region code such as 73.72"),
    N_("a region code such as 73.72"),
    N_("lowercase letters, digits and _ (2-40 characters)"),
    N_("letters, digits, space, dot, slash, dash, underscore"),
    N_("already used by another agency"),
    N_("already used"),
    N_("send at least one field to change"),
    N_("the port must be a number from 1 to 65535"),
    N_("withdrawn"),
    N_("too late to extend"),
    N_("already extended"),
    N_("missing: every row needs it"),
    N_("missing: the officer's phone or email needs a name"),
    N_("no active agency has this short name"),
    N_("a parent above it is on a cycle of parents"),
    N_("belongs to a deactivated agency: reactivate it in the Direktori first"),
    N_("an Indonesian phone number such as 0812-3456-7890, +62 812 3456 7890 or 0421 21234"),
    N_("a web address such as https://pareparekota.go.id"),
    N_("a public web address such as https://pareparekota.go.id"),
    N_("a WhatsApp number (08xx, +62...) or a wa.me / whatsapp.com link"),
    N_("the file is empty"),
    N_("the file has no header row"),
    N_("not a text file: save the sheet as XLSX or as CSV (UTF-8)"),
    N_("an XLSX or CSV file"),
    N_("Choose the member list's file (XLSX or CSV with the template's columns) and preview it"),
))
# marshmallow's and the services' messages with a number or a name in them.
PATTERNS = (
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."), N_("At least %(min)s characters.")),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."), N_("At most %(max)s characters.")),
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
     N_("From %(min)s to %(max)s characters.")),
    (re.compile(r"Must be one of: .*\."), N_("Choose one of the options given.")),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\."),
     N_("From %(min)s to %(max)s.")),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+)\."), N_("At least %(min)s.")),
    (re.compile(r"Must be less than or equal to (?P<max>\S+)\."), N_("At most %(max)s.")),
    (re.compile(r"must be between (?P<min>\S+) and (?P<max>\S+)"), N_("From %(min)s to %(max)s.")),
    (re.compile(r"(?P<name>.+) is unknown"), N_("Unknown: %(name)s.")),
    (re.compile(r"not allowed while (?P<state>\S+)"), N_("Not allowed in the current state.")),
    (re.compile(r"\S+ -> \S+ is not allowed"), N_("Not allowed in the current state.")),
    (re.compile(r"current version is \d+"), N_("Someone changed it meanwhile: open it again.")),
    (re.compile(r"is \S+; only drafts and embargoed items are edited"),
     N_("Only drafts and embargoed items are edited.")),
    (re.compile(r"required when \S+"), N_("Give the reason.")),
    (re.compile(r"the same short name is in row (?P<rows>[\d, ]+)"), N_("The same short name is in row %(rows)s.")),
    (re.compile(r"its parent's row \((?P<line>\d+)\) is refused"), N_("Its parent's row (%(line)s) is refused.")),
    (re.compile(r"no agency and no row has the short name (?P<name>.+)"),
     N_("No agency and no row has the short name %(name)s.")),
    (re.compile(r"(?P<name>.+) is deactivated"), N_("%(name)s is deactivated.")),
    (re.compile(r"these parents make a cycle: (?P<cycle>.+)"), N_("These parents make a cycle: %(cycle)s.")),
    (re.compile(r"the agency already lists (?P<count>\d+) officers"), N_("The agency already lists %(count)s officers.")),
    (re.compile(r"a (?P<platform>\S+) handle such as .*"),
     N_("A %(platform)s account name such as @humas_parepare, or its address.")),
    (re.compile(r"a (?P<platform>\S+) address on .*"), N_("An address on %(platform)s.")),
    (re.compile(r"missing column: (?P<name>.+)"), N_("Missing column: %(name)s.")),
    (re.compile(r"unknown column: (?P<name>.+)"), N_("Unknown column: %(name)s.")),
    (re.compile(r"column given twice: (?P<name>.+)"), N_("Column given twice: %(name)s.")),
    (re.compile(r"the columns are: (?P<names>.+)"), N_("The template's columns are: %(names)s.")),
    (re.compile(r"not a readable (?P<kind>XLSX|CSV) .*"), N_("This %(kind)s file cannot be read.")),
    (re.compile(r"at most (?P<max>\d+) rows"), N_("At most %(max)s rows.")),
    (re.compile(r"the body may be at most (?P<max>\d+) bytes"), N_("The file may be at most %(max)s bytes.")),
)
NOT_RIGHT_YET = N_("This is not right yet: check it and try again.")


def said(message, translations, language):
    """``message`` as the reader should read it; only a ``ServiceMessage`` is translated (the pages'
    own messages are already in the reader's language)."""
    if not isinstance(message, ServiceMessage) or language == "en":
        return message
    if message in KNOWN:
        return translations.gettext(message)
    for pattern, template in PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return translations.gettext(template) % found.groupdict()
    return translations.gettext(NOT_RIGHT_YET)
