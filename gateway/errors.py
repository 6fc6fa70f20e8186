"""One JSON error shape for every non-2xx answer: ``{"error": {"code", "message", "fields"}}``."""
import json
import logging

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from shared.errors import DomainError, TooBusy

log = logging.getLogger(__name__)


class HttpError(Exception):
    """An answer the gateway gives by itself (bad transport, no key, service away)."""

    def __init__(self, status, code, message, fields=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}


def service_unavailable(services):
    names = ", ".join(sorted(services))
    return HttpError(503, "service_unavailable", f"service not available: {names}",
                     {"services": sorted(services)}, {"Retry-After": "5"})


def retry_after(exc):
    """The Retry-After header of a refusal that passes with time (too much CPU work at once), else None."""
    return {"Retry-After": str(TooBusy.RETRY_AFTER)} if isinstance(exc, TooBusy) else None


def json_response(status, body, headers=None):
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                        mimetype="application/json")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(status, code, message, fields=None, headers=None):
    return json_response(status, {"error": {"code": code, "message": message, "fields": fields or {}}},
                         headers)


_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 408: "request_timeout", 409: "conflict", 413: "body_too_large",
               415: "unsupported_media_type", 429: "too_many_requests"}


def response_for(exc):
    """Turn any exception into the JSON error shape; an unexpected one is logged, never shown."""
    if isinstance(exc, HttpError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)
    if isinstance(exc, DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, retry_after(exc))
    if isinstance(exc, HTTPException) and exc.code and exc.code < 500:
        headers = {}
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(exc.code, _HTTP_CODES.get(exc.code, "bad_request"),
                              exc.description or exc.name, headers=headers)
    log.error("unexpected error in the gateway", exc_info=(type(exc), exc, exc.__traceback__))
    return error_response(500, "internal_error", "something went wrong on our side; it has been logged")
