"""A forum moves in: its member list (one row per unit, read from the coordinator's spreadsheet) is
read into registrations, checked, ordered parents first and planned (create, change, unchanged or
refused, each refusal naming its column); applying it writes the passing rows in one unit of work.

Rows are matched to agencies by short name, so importing the same list twice changes nothing and an
edited list updates. An empty cell changes nothing on an agency that exists (the import fills in,
the console takes away); the officer of a row is matched by name among the agency's officers.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from services.directory import schemas
from services.directory.domain.accounts import new_account
from services.directory.domain.agencies import add_agency, update_agency
from services.directory.domain.details import OFFICER_FIELDS, channels_of, officers_of
from services.directory.models import Account, Agency
from shared.contracts.directory import CHANNEL_PLATFORMS
from shared.errors import ValidationFailed
from shared.rules import load, require_coordinator
from shared.schemas import name_key

HEADER = dict(schemas.IMPORT_COLUMNS)
FIELD_OF_HEADER = {**{name_key(header): name for name, header in schemas.IMPORT_COLUMNS},
                   **{name_key(name): name for name, _header in schemas.IMPORT_COLUMNS}}
OFFICER_COLUMNS = {"name": "officer_name", "phone": "officer_phone", "email": "officer_email"}
# The officer a member list names is its unit's head of humas, and the unit's first console admin.
IMPORTED_OFFICER_POSITION = "kepala_humas"
INVITED_ROLE = "admin"
FIRST_LINE = 2  # the header is the spreadsheet's row 1
MAX_OFFICERS = 30
LOOKUP_CHUNK = 500
ACTIONS = ("create", "change", "unchanged", "refused")


@dataclass
class ImportedRow:
    """One row of the list and what it does; ``errors`` maps a column's header to why it is refused."""
    line: int
    short_name: str
    name: str
    parent: str | None
    key: str
    parent_key: str | None
    data: dict
    action: str = "create"
    changed: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    agency_id: str | None = None
    invite: str | None = None
    changes: dict = field(default_factory=dict)
    depth: int = 0

    def refuse(self, name, message):
        self.action = "refused"
        self.errors.setdefault(HEADER[name], []).append(message)


@dataclass
class ImportPlan:
    applied: bool
    rows: list
    invitations: list

    @property
    def counts(self):
        return {action: sum(row.action == action for row in self.rows) for action in ACTIONS}


@dataclass
class ImportInvitation:
    account: Account
    agency_name: str
    invite_token: str
    invite_expires_at: object


def plan_import(session, actor, table):
    """What importing ``table`` (``schemas.ImportTable``) would do, row by row; nothing is written."""
    require_coordinator(actor)
    return ImportPlan(False, planned_rows(session, table), [])


def import_members(uow, actor, table, now):
    """Apply the rows of ``table`` that pass, parents first, in this one unit of work (so a failure
    midway applies none); officers with an email and no account yet are invited, once."""
    require_coordinator(actor)
    rows = planned_rows(uow.session, table)
    agency_ids = {row.key: row.agency_id for row in rows if row.agency_id and row.action != "refused"}
    invitations = []
    for row in sorted((row for row in rows if row.action != "refused"), key=lambda row: row.depth):
        parent_id = agency_ids.get(row.parent_key) or parent_agency_id(uow.session, row.parent_key)
        if row.action == "create":
            agency = add_agency(uow, {**row.data, "parent_id": parent_id}, now)
        elif row.action == "change":
            changes = {**row.changes, **({"parent_id": parent_id} if "parent" in row.changed else {})}
            agency = update_agency(uow, actor, row.agency_id, changes, now)
        else:
            agency = uow.session.get(Agency, row.agency_id)
        row.agency_id = agency_ids[row.key] = agency.id
        if row.invite:
            officer = row.data["officers"][0]
            invited = new_account(uow, agency, load(schemas.AccountInput, {
                "name": officer["name"], "email": officer["email"], "phone": officer.get("phone"),
                "account_role": INVITED_ROLE}), actor.get("account_id"), now)
            invitations.append(ImportInvitation(invited.account, agency.name, invited.invite_token,
                                                invited.invite_expires_at))
    return ImportPlan(True, rows, invitations)


def parent_agency_id(session, parent_key):
    if not parent_key:
        return None
    return session.scalar(select(Agency.id).where(Agency.short_name_key == parent_key))


# ------------------------------------------------ reading the rows


def fields_of_header(columns):
    """The field each column fills, by its index; the header must name the required columns and
    nothing the template does not know."""
    at, unknown, twice = {}, [], []
    for index, header in enumerate(columns):
        if not name_key(header):
            continue
        name = FIELD_OF_HEADER.get(name_key(header))
        if name is None:
            unknown.append(header.strip())
        elif name in at.values():
            twice.append(header.strip())
        else:
            at[index] = name
    problems = [f"missing column: {HEADER[name]}" for name in schemas.IMPORT_REQUIRED if name not in at.values()]
    problems += [f"unknown column: {header}" for header in unknown]
    problems += [f"column given twice: {header}" for header in twice]
    if problems:
        raise ValidationFailed("the header row does not match the template",
                               {"columns": problems + ["the columns are: " + ", ".join(HEADER.values())]})
    return at


def read_row(line, cells):
    """A row's registration (``schemas.AgencyInput``'s shape, without the parent) and its refusals."""
    officer = {name: cells.get(column) or None for name, column in OFFICER_COLUMNS.items()}
    data = {"name": cells.get("name", ""), "short_name": cells.get("short_name", ""),
            "kind": cells.get("kind", "").lower(), "region_code": cells.get("region_code") or None,
            "channels": {platform: cells[platform] for platform in CHANNEL_PLATFORMS if cells.get(platform)},
            "officers": [{**officer, "position": IMPORTED_OFFICER_POSITION}] if any(officer.values()) else []}
    parent = cells.get("parent") or None
    row = ImportedRow(line, data["short_name"], data["name"], parent, name_key(data["short_name"]),
                      name_key(parent) if parent else None, data)
    for name in schemas.IMPORT_REQUIRED:
        if not cells.get(name):
            row.refuse(name, "missing: every row needs it")
    if any(officer.values()) and not officer["name"]:
        row.refuse("officer_name", "missing: the officer's phone or email needs a name")
    try:
        row.data = load(schemas.AgencyInput, data)
    except ValidationFailed as exc:
        for name, message in column_messages(exc.fields):
            if HEADER[name] not in row.errors:
                row.refuse(name, message)
    return row


def column_messages(fields):
    """``(column, message)`` for each of AgencyInput's messages, named by the import's columns."""
    for name, messages in fields.items():
        if name == "channels":
            for platform, said in messages.items():
                yield from ((platform, message) for message in flat(said))
        elif name == "officers":
            for said in messages.values():
                for part, inner in said.items():
                    column = OFFICER_COLUMNS.get(part, "officer_name")
                    yield from ((column, message) for message in flat(inner))
        elif name in HEADER:
            yield from ((name, message) for message in flat(messages))


def flat(messages):
    if isinstance(messages, dict):
        return [message for inner in messages.values() for message in flat(inner)]
    if isinstance(messages, list):
        return [message for inner in messages for message in flat(inner)]
    return [str(messages)]


# ------------------------------------------------ the plan


def planned_rows(session, table):
    data = load(schemas.ImportTable, table)
    at = fields_of_header(data["columns"])
    rows = []
    for number, cells in enumerate(data["rows"]):
        values = {name: (cells[index] if index < len(cells) else "").strip() for index, name in at.items()}
        if any(values.values()):
            rows.append(read_row(FIRST_LINE + number, values))
    refuse_duplicates(rows)
    agencies = every_agency(session)
    order_parents_first(rows, agencies)
    existing = agencies_named(session, [row.key for row in rows if row.key in agencies])
    by_key = {row.key: row for row in rows if row.key}
    for row in sorted(rows, key=lambda row: row.depth):
        plan_row(row, existing.get(row.key), agencies, by_key)
    plan_invitations(session, rows)
    return rows


def refuse_duplicates(rows):
    lines = {}
    for row in rows:
        if row.key:
            lines.setdefault(row.key, []).append(row.line)
    for row in rows:
        others = [str(line) for line in lines.get(row.key, []) if line != row.line]
        if others:
            row.refuse("short_name", f"the same short name is in row {', '.join(others)}")


@dataclass
class KnownAgency:
    id: str
    parent_id: str | None
    active: bool


def every_agency(session):
    """The forum's agencies by short name key (a few columns each: 3,000 agencies are a small read)."""
    return {key: KnownAgency(agency_id, parent_id, active) for agency_id, key, parent_id, active in session.execute(
        select(Agency.id, Agency.short_name_key, Agency.parent_id, Agency.active))}


def agencies_named(session, keys):
    found = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        found.update((agency.short_name_key, agency) for agency in session.scalars(
            select(Agency).where(Agency.short_name_key.in_(keys[start:start + LOOKUP_CHUNK]))))
    return found


def order_parents_first(rows, agencies):
    """Each row's depth in the forum as it would be (parents first whatever the row order); a row on
    a cycle of parents is refused, and so is a row whose parent is unknown or inactive."""
    by_key = {row.key: row for row in rows if row.key}
    key_of_id = {known.id: key for key, known in agencies.items()}

    def parent_of(key):
        row = by_key.get(key)
        if row is not None and row.parent_key:
            return row.parent_key
        known = agencies.get(key)
        return key_of_id.get(known.parent_id) if known and known.parent_id else None

    for row in rows:
        if row.parent_key and row.parent_key not in by_key:
            parent = agencies.get(row.parent_key)
            if parent is None:
                row.refuse("parent", f"no agency and no row has the short name {row.parent}")
            elif not parent.active:
                row.refuse("parent", f"{row.parent} is deactivated")
    depth = {}
    for row in rows:
        path, seen, node = [], set(), row.key
        while node and node not in depth and node not in seen:
            path.append(node)
            seen.add(node)
            node = parent_of(node)
        if node in seen:  # a cycle: the rows on it have no depth
            cycle = path[path.index(node):]
            for key in cycle:
                depth[key] = None
                if key in by_key:
                    by_key[key].refuse("parent", "these parents make a cycle: " + " → ".join(
                        by_key[k].short_name if k in by_key else k for k in cycle))
            path = path[:path.index(node)]
        below = -1 if not node else depth[node]
        for key in reversed(path):
            below = None if below is None else below + 1
            depth[key] = below
            if below is None and key in by_key and by_key[key].action != "refused":
                by_key[key].refuse("parent", "a parent above it is on a cycle of parents")
        row.depth = depth.get(row.key) or 0


def plan_row(row, agency, agencies, by_key):
    """Decide a row in depth order (its parent row decided before it)."""
    parent_row = by_key.get(row.parent_key)
    if row.action != "refused" and parent_row is not None and parent_row.action == "refused":
        row.refuse("parent", f"its parent's row ({parent_row.line}) is refused")
    if row.action == "refused":
        return
    if agency is None:
        return
    row.agency_id = agency.id
    if not agency.active:
        row.refuse("short_name", "belongs to a deactivated agency: reactivate it in the Direktori first")
        return
    changes, changed = changes_of(row, agency, agencies)
    if len(changes.get("officers", ())) > MAX_OFFICERS:
        row.refuse("officer_name", f"the agency already lists {MAX_OFFICERS} officers")
        return
    row.changes, row.changed = changes, changed
    row.action = "change" if changed else "unchanged"


def changes_of(row, agency, agencies):
    """What the row changes on an existing agency, and the columns it changes."""
    values, changes, changed = row.data, {}, []
    for name in ("name", "kind", "region_code"):
        if values[name] is not None and values[name] != getattr(agency, name):
            changes[name] = values[name]
            changed.append(name)
    if row.parent_key:
        parent = agencies.get(row.parent_key)
        if parent is None or parent.id != agency.parent_id:
            changed.append("parent")
    channels = channels_of(agency)
    merged = {**channels, **values["channels"]}
    if merged != channels:
        changes["channels"] = merged
        changed += sorted(platform for platform in merged if merged[platform] != channels.get(platform))
    officers = officers_of(agency)
    kept, officer_columns = with_officer(officers, values["officers"])
    if kept != officers:
        changes["officers"] = kept
        changed += officer_columns
    return changes, changed


def with_officer(officers, named):
    """The agency's officers with the row's one (updated where its name is listed, else put first),
    and the columns that changed them."""
    if not named:
        return officers, []
    officer = named[0]
    for index, listed in enumerate(officers):
        if name_key(listed["name"]) == name_key(officer["name"]):
            given = {name: officer[name] for name in ("phone", "email") if officer.get(name)}
            updated = {**listed, **given}
            changed = [OFFICER_COLUMNS[name] for name in given if given[name] != listed.get(name)]
            return [*officers[:index], updated, *officers[index + 1:]], changed
    added = {name: officer.get(name) for name in OFFICER_FIELDS}
    return [added, *officers], [OFFICER_COLUMNS[name] for name in OFFICER_COLUMNS if officer.get(name)]


def plan_invitations(session, rows):
    """A passing row's officer with an email is invited if no account has that email (nor an
    earlier row of the list): once, whatever is imported again."""
    wanted = {}
    for row in rows:
        email = row.action != "refused" and row.data["officers"] and row.data["officers"][0].get("email")
        if email and name_key(email) not in wanted:
            wanted[name_key(email)] = row
    keys = list(wanted)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        for taken in session.scalars(select(Account.email_key).where(
                Account.email_key.in_(keys[start:start + LOOKUP_CHUNK]))):
            wanted.pop(taken, None)
    for row in wanted.values():
        row.invite = row.data["officers"][0]["email"]
