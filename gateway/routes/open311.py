"""Open311 GeoReport v2 (JSON only): the complaints as service requests, for civic-tech tools.

Filing goes through the same intake as ``POST /api/v1/complaints`` (``ComplaintsRoutes.file_complaint``,
composed beside this class in ``GatewayService``); reading asks the complaints service, which shows
only what the public may see.
"""
import functools

from gateway.errors import HttpError, json_response
from gateway.http import read_form, route, validate_with
from services.complaints import schemas
from shared.errors import DomainError

OPEN311_ERRORS = schemas.Open311Error(many=True)
OPEN311_FIELDS = ("service_code", "lat", "long", "address_string", "email", "first_name", "last_name",
                  "phone", "description", "media_url")


def open311_errors(handler):
    """Open311 answers errors as a list of ``{code, description}``."""
    @functools.wraps(handler)
    def answer(self, call, **path_args):
        try:
            return handler(self, call, **path_args)
        except (HttpError, DomainError) as exc:
            status = exc.status
            details = [f"{field}: {'; '.join(map(str, messages)) if isinstance(messages, list) else messages}"
                       for field, messages in (exc.fields or {}).items()]
            description = exc.message + (f" ({', '.join(details)})" if details else "")
            return json_response(status, [{"code": status, "description": description}],
                                 getattr(exc, "headers", None))
    return answer


class Open311Routes:
    """Composed with ``ComplaintsRoutes``, whose intake (``complaint_intake``, ``file_complaint``) it uses."""

    @route("GET", "/open311/v2/services.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: the service list (complaint categories)")
    @open311_errors
    def open311_services(self, call):
        return [{"service_code": c["code"], "service_name": c["name_id"], "description": c["name_en"],
                 "metadata": False, "type": "realtime", "keywords": c["code"].replace("_", ","),
                 "group": "dumas"}
                for c in self.rpc("complaints", "list_categories")]

    @route("GET", "/open311/v2/services/<service_code>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: one service's definition (no extra attributes)")
    @open311_errors
    def open311_service(self, call, service_code):
        codes = {c["code"] for c in self.rpc("complaints", "list_categories")}
        if service_code not in codes:
            raise HttpError(404, "not_found", f"no service {service_code}")
        return {"service_code": service_code, "attributes": []}

    @route("GET", "/open311/v2/requests.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: service requests (verified, non-confidential), with the spec's filters")
    @open311_errors
    def open311_list_requests(self, call):
        return self.rpc("complaints", "open311_requests", call.args)

    @route("POST", "/open311/v2/requests.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS, errors=(429,),
           idempotent=True,
           summary="Open311: file a complaint (form-encoded); answers a token to follow it",
           openapi={"requestBody": {"required": True, "content": {
               "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                   name: {"type": "string"} for name in OPEN311_FIELDS}, "required": ["service_code"]}}}}})
    @open311_errors
    def open311_create_request(self, call):
        self.complaint_intake.check_rate(call.request)
        body = open311_complaint(read_form(call.request))
        validate_with(schemas.ComplaintInput(), body, "body")
        accepted = self.file_complaint(call, body)
        return [{"token": accepted["tracking_number"], "service_notice": accepted["next_steps"]["en"],
                      "reporter_secret": accepted["reporter_secret"]}]

    @route("GET", "/open311/v2/requests/<request_id>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: one service request")
    @open311_errors
    def open311_get_request(self, call, request_id):
        return self.rpc("complaints", "open311_request", request_id)

    @route("GET", "/open311/v2/tokens/<token>.json", auth="public", tag="open311", error_schema=OPEN311_ERRORS,
           summary="Open311: the service_request_id of a token, as soon as the complaint is filed")
    @open311_errors
    def open311_token(self, call, token):
        return self.rpc("complaints", "open311_token", token)


def open311_complaint(form):
    """An Open311 POST as our intake body (the same validation applies)."""
    body = {"channel": "open311", "category": form.get("service_code", ""), "text": form.get("description", "")}
    location = {}
    for ours, theirs in (("latitude", "lat"), ("longitude", "long")):
        if form.get(theirs):
            location[ours] = form[theirs]
    if form.get("address_string"):
        location["address"] = form["address_string"]
    if location:
        body["location"] = location
    name = " ".join(part for part in (form.get("first_name"), form.get("last_name")) if part)
    reporter = {"name": name or None, "email": form.get("email") or None, "phone": form.get("phone") or None}
    if any(reporter.values()):
        body["reporter"] = reporter
    else:
        body["anonymous"] = True
    if form.get("media_url"):
        body["attachments"] = [form["media_url"]]
    return body
