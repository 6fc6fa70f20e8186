"""Choosing agencies in a form, at any size of forum: a picker shows what is chosen and finds the
others by the beginnings of their words, as one types (htmx on the console, ``lapor.js`` on the
public form, both asking ``/pilih/instansi``) or, without JavaScript, when the form is sent with its
"Find" button (``FIND_BUTTON``): the page then comes back with what was found and everything typed.
``templates/_picker.html`` draws it."""
from gateway.pages.web import PAGES, page
from shared.errors import NotFound

# How many agencies one search shows; when more match, the picker says how many, to type more.
FOUND_AT_ONCE = 10
FIND_BUTTON = "cari"
TYPED_MOST = 100
EMPTY = {"typed": "", "chosen": [], "found": None}


def typed_for(args, name):
    """What was typed in the picker of the field ``name``."""
    return (args.get(f"{name}-cari") or "").strip()[:TYPED_MOST]


def finding(form):
    """The field whose "Find" button sent the form (the page comes back, nothing done), or None."""
    return form.get(FIND_BUTTON) or None


def without_searches(values):
    """A form's values without what was typed in its pickers' searches (no service takes those)."""
    return {name: value for name, value in values.items() if name != FIND_BUTTON and not name.endswith("-cari")}


def start_finding(rpc, typed, region=False):
    """Start a search for the active agencies ``typed`` names (None when nothing was typed); returns
    a function that waits for ``{"items", "total"}``. With ``region``, the regions they serve."""
    if not typed:
        return lambda: None
    found = rpc.start("directory", "list_agencies", {"active": True, "q": typed, "limit": FOUND_AT_ONCE,
                                                     "offset": 0})

    def result():
        answer = found()
        return regions_of(answer) if region else answer

    return result


def regions_of(found):
    """The regions the found agencies serve, each named by the agencies found in it."""
    serving = {}
    for agency in found["items"]:
        if agency.get("region_code"):
            serving.setdefault(agency["region_code"], []).append(agency["name"])
    return {"items": [{"code": code, "agencies": names} for code, names in sorted(serving.items())],
            "total": found["total"], "shown": len(found["items"])}


def picker(rpc, args, name, chosen=(), region=False):
    """What the picker of the field ``name`` shows: ``{"typed", "chosen", "found"}``. ``chosen``: the
    ids chosen (their agencies are read to name them); ``found``: a search's answer, or None."""
    typed = typed_for(args, name)
    search = start_finding(rpc, typed, region)
    reads = [rpc.start("directory", "get_agency", agency_id) for agency_id in chosen if agency_id]
    return {"typed": typed, "chosen": [agency for agency in map(known, reads) if agency], "found": search()}


def form_pickers(rpc, sent, values, fields):
    """The pickers of a page with several forms, keyed ``form-field`` for each ``(form, field)`` of
    ``fields``: the form ``sent`` shows what was chosen and found in it, the others start empty."""
    return {f"{form}-{name}": picker(rpc, values, name, [values.get(name)]) if form == sent else EMPTY
            for form, name in fields}


def known(read):
    """An agency read, or None when there is no such agency (an address typed by hand)."""
    try:
        return read()
    except NotFound:
        return None


class AgencyPickers:
    """Needs ``self.rpc``. The answers a picker asks for as one types: choices, not a page."""

    @page("/pilih/instansi")
    def agency_choices(self, request, language):
        name = request.args.get("untuk", "instansi")
        typed = typed_for(request.args, name) or request.args.get("q", "").strip()[:TYPED_MOST]
        region = request.args.get("jenis") == "wilayah"
        found = start_finding(self.rpc, typed, region)()
        return PAGES.render(language, "_picker_found.html", name=name, found=found, typed=typed,
                            kind=request.args.get("jenis", "radio"), key=request.args.get("kunci") or name)
