"""Console forms: what was filled in, the fields a refusal names, and sending a form (on to the next
page, or the same page again with each bad field named and what was typed kept)."""
from werkzeug.utils import redirect

from gateway.pages.pickers import finding, without_searches
from gateway.pages.service_said import ServiceMessage
from shared.errors import DomainError


def form_values(request):
    """The form's fields that were filled in (an empty field is a field not given)."""
    return {name: value.strip() for name, value in request.form.items()
            if name not in ("csrf_token", "idempotency_key") and value.strip()}


def _flattened(fields, prefix=""):
    found = {}
    for name, messages in fields.items():
        if isinstance(messages, dict):
            found.update(_flattened(messages, f"{prefix}{name}-"))
        else:
            found[f"{prefix}{name}"] = ServiceMessage(messages[0] if isinstance(messages, list) and messages
                                                      else messages)
    return found


def field_errors(exc):
    """``{field id: message}`` of a refused request (nested fields as ``outer-0-inner``); a refusal
    that names no field is the form's own (``_form``)."""
    return _flattened(exc.fields or {}) or {"_form": ServiceMessage(exc.message)}


def refused(exc):
    """A request the service refused because of what was typed or of the complaint's state (the
    page is shown again, with the reason); anything else is the error page."""
    return isinstance(exc, DomainError) and exc.status in (400, 409)


def submitted(request, change, shown_again, done_url):
    """A form sent: ``change(values)`` with what was filled in, then on to ``done_url``; a refusal
    shows the page again (``shown_again(values, errors, status)``) with each bad field named and
    what was typed kept. A picker's "Find" button shows the page again with what it found, nothing done."""
    values = form_values(request)
    if finding(request.form):
        return shown_again(values, {}, 200)
    try:
        change(without_searches(values))
    except DomainError as exc:
        if not refused(exc):
            raise
        return shown_again(values, field_errors(exc), exc.status)
    return redirect(done_url, code=303)
