"""The OpenAPI 3 description, built from the routes and their marshmallow schemas."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

ERROR_STATUSES = {
    400: "invalid input; `fields` names each bad field",
    401: "no key, or a key that is unknown or revoked",
    403: "the key may not do this",
    404: "not found",
    408: "the body did not arrive within HTTP_SOCKET_TIMEOUT",
    409: "conflicts with the current state",
    413: "body too large",
    415: "body is not JSON",
    429: "too many requests from this address; see Retry-After",
    503: "a service did not answer in time",
}


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", required=True)


class Error(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def _error_statuses(spec):
    statuses = {400, 503}
    if spec.auth in ("member", "coordinator", "optional"):
        statuses |= {401}
    if spec.auth in ("member", "coordinator"):
        statuses |= {403}
    if spec.path_params:
        statuses |= {404}
    if spec.body is not None:
        statuses |= {408, 413, 415}
    if spec.method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses |= {409}
    return sorted(statuses | set(spec.errors))


def schema_name(schema):
    """Components are named after their service (``CalendarHistoryEntry``): services may reuse a class name."""
    cls = schema if isinstance(schema, type) else type(schema)
    parts = cls.__module__.split(".")
    prefix = parts[1].capitalize() if parts[0] == "services" else ""
    return cls.__name__ if cls.__name__.startswith(prefix) else prefix + cls.__name__


def build_spec(routes, title="Bakohumas Hub", version="1.0.0"):
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    api = APISpec(title=title, version=version, openapi_version="3.0.3", plugins=[plugin],
                  info={"description": "Coordination platform of a Bakohumas forum."})
    api.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.components.schema("Error", schema=Error)
    by_path = {}
    for spec in routes:
        by_path.setdefault(spec.openapi_path, {})[spec.method.lower()] = _operation(spec)
    for path in sorted(by_path):
        api.path(path=path, operations=by_path[path])
    return api.to_dict()


def _operation(spec):
    operation = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": f"{spec.method.lower()}_{spec.openapi_path.strip('/').replace('/', '_').replace('{', '').replace('}', '').replace('.', '_').replace('-', '_')}",
        "parameters": [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                       for name in spec.path_params],
        "responses": {},
        "x-bakohumas-auth": spec.auth,
    }
    if spec.auth in ("member", "coordinator"):
        operation["security"] = [{"bearerAuth": []}]
    elif spec.auth == "optional":
        operation["security"] = [{}, {"bearerAuth": []}]
    else:
        operation["security"] = []
    if spec.extra.get("idempotent", spec.method == "POST" and spec.status == 201):
        operation["parameters"].append({
            "in": "header", "name": "Idempotency-Key", "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
            "description": "a repeat with the same key returns the first answer and creates nothing new"})
    if spec.query is not None:
        operation["parameters"].append({"in": "query", "schema": spec.query})
    if spec.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": spec.body}}}
    success = {"description": "success"}
    if spec.response is not None:
        success["content"] = {spec.content_type: {"schema": spec.response}}
    operation["responses"][str(spec.status)] = success
    error_schema = spec.extra.get("error_schema", "Error")
    for status in _error_statuses(spec):
        operation["responses"][str(status)] = {
            "description": ERROR_STATUSES.get(status, "error"),
            "content": {"application/json": {"schema": error_schema}},
        }
    operation.update(spec.extra.get("openapi", {}))
    return operation
