"""Who may call what: every operation of the OpenAPI description, tried with no key, malformed
keys, a revoked key, another member's key, the owner's key and the coordinator's key.

The cases are generated from the description (the same one /openapi.json serves, checked
below), so a new endpoint is in the matrix the moment it exists; it fails until its path
parameters have a factory and its body an entry in ``authorization_matrix_support``.
The general rule: a missing, malformed or revoked key gets 401; a member's key on a
coordinator's operation 403; another member's key on A's resource 403; A's own key and the
coordinator's key succeed (2xx), as each factory makes a resource A may act on, in the state
the operation acts on. Where the domain answers otherwise, the exception is listed here with
its reason.
"""
import pytest
import requests

from bakohumas.harness import LocalStack
from gateway.http import ROUTES
from gateway.openapi import build_spec
from gateway.service import GatewayService  # noqa: F401  (importing it declares every route)
from tests.e2e.authorization_matrix_support import BODIES, FACTORIES, QUERIES, Form, Upload, World

pytestmark = pytest.mark.e2e

WRITES = ("POST", "PUT", "PATCH", "DELETE")
SPEC = build_spec(ROUTES)
OPERATIONS = sorted((method.upper(), path, operation)
                    for path, methods in SPEC["paths"].items() for method, operation in methods.items())

# Refused at the gateway, before any service is asked.
BAD_CREDENTIALS = {
    "no key": None,
    "malformed: Bearer !!!": "Bearer !!!",
    "malformed: Basic x": "Basic x",
    "malformed: empty bearer": "Bearer ",
    "revoked key": "revoked",
}

# A stranger to A's resource who writes to it gets 404, not 403, where the resource itself is
# private: answering 403 would confirm that it exists.
HIDDEN_FROM_STRANGERS = {
    "POST /api/v1/complaints/{complaint_id}/status": "a complaint is seen only by the agencies handling it",
    "POST /api/v1/complaints/{complaint_id}/notes": "a complaint is seen only by the agencies handling it",
    "POST /api/v1/complaints/{complaint_id}/forward": "a complaint is seen only by the agencies handling it",
    "POST /api/v1/complaints/{complaint_id}/forward/accept": "a complaint is seen only by the agencies handling it",
    "POST /api/v1/complaints/{complaint_id}/forward/refuse": "a complaint is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/extend": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/decision": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/forward": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/forward/accept": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/forward/refuse": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/objection/answer": "a request for information is seen only by the agencies handling it",
    "POST /api/v1/information/requests/{request_id}/commission": "a request for information is seen only by the agencies handling it",
    "PATCH /api/v1/content/{item_id}": "a draft is seen only by its posting and co-issuing agencies",
    "POST /api/v1/content/{item_id}/publish": "a draft is seen only by its posting and co-issuing agencies",
    "POST /api/v1/content/{item_id}/approve": "a draft is seen only by its posting and co-issuing agencies",
    "POST /api/v1/calendar/items/{item_id}/withdraw": "a proposal is seen only by the agencies taking part",
    "POST /api/v1/subscriptions/{subscription_id}/rotate-secret": "a subscription is seen only by its owner",
    "DELETE /api/v1/subscriptions/{subscription_id}": "a subscription is seen only by its owner",
    "POST /api/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay":
        "a subscription is seen only by its owner",
}

# What a stranger reads of A's resource: "forum" (every member reads it) or why it is private
# (answered 403, or 404 where even its existence is private).
STRANGER_READS = {
    "GET /api/v1/agencies/{agency_id}": "forum",
    "GET /api/v1/agencies/{agency_id}/keys": "an agency's keys are its own (403)",
    "GET /api/v1/agencies/{agency_id}/accounts": "an agency's people are its own and the coordinator's (403)",
    "GET /api/v1/agencies/{agency_id}/posters": "an agency prints only its own posters (403)",
    "GET /api/v1/agencies/{agency_id}/posters/{door}.svg": "an agency prints only its own posters (403)",
    "GET /api/v1/calendar/items/{item_id}": "forum",
    "GET /api/v1/calendar/items/{item_id}/history": "forum",
    "GET /api/v1/content/{item_id}": "a draft is seen only by its posting and co-issuing agencies (404)",
    "GET /api/v1/complaints/{complaint_id}": "a complaint is seen only by the agencies handling it (404)",
    "GET /api/v1/information/requests/{request_id}": "a request for information is seen only by the agencies "
                                                     "handling it (404)",
    "GET /api/v1/complaints/{complaint_id}/attachments/{attachment_id}":
        "a complaint's files are seen only by those who see the complaint (404)",
    "GET /api/v1/subscriptions/{subscription_id}/deliveries": "a subscription is seen only by its owner (404)",
    "GET /api/v1/amplification-requests/{request_id}": "only the author and the coordinator see who re-shared (403)",
}

# A member write without a path parameter acts for the caller; the stranger B tries it on A's
# behalf with these fields.
ON_BEHALF_OF_A = {
    "POST /api/v1/content": lambda world: {"agency_id": world.a.agency_id},
    "POST /api/v1/calendar/items": lambda world: {"lead_agency_id": world.a.agency_id},
    "POST /api/v1/subscriptions": lambda world: {"owner_agency_id": world.a.agency_id},
    "POST /api/v1/information/dip": lambda world: {"agency_id": world.a.agency_id},
}

# What only the agency itself may do: the coordinator's key is refused (403) too.
AGENCY_ONLY = {
    "POST /api/v1/calendar/items/{item_id}/withdraw":
        "a proposal is withdrawn by its lead agency; the coordinator declines instead",
    "POST /api/v1/calendar/items/{item_id}/participation": "a supporting agency answers for its own part",
    "POST /api/v1/content/{item_id}/approve": "an approval of a joint release is the co-issuer's own word",
    "POST /api/v1/complaints/{complaint_id}/forward/accept":
        "only the proposed agency answers a forward; the coordinator decides with /forward/decide",
    "POST /api/v1/complaints/{complaint_id}/forward/refuse":
        "only the proposed agency answers a forward; the coordinator decides with /forward/decide",
    "POST /api/v1/amplification-requests/{request_id}/responses":
        "only an asked agency answers, with the URL of its own re-post",
    "POST /api/v1/information/requests/{request_id}/forward/accept":
        "only the agency a request is proposed to takes it (its own clock starts)",
    "POST /api/v1/information/requests/{request_id}/forward/refuse":
        "only the agency a request is proposed to refuses it",
}


def name(method, path):
    return f"{method} {path}"


def callers(auth):
    if auth == "public":
        return ["no key"]
    if auth == "optional":
        return [*BAD_CREDENTIALS, "own key"]
    if auth == "coordinator":
        return [*BAD_CREDENTIALS, "own key", "coordinator"]
    return [*BAD_CREDENTIALS, "another member", "own key", "coordinator"]


CASES = [(method, path, operation, caller)
         for method, path, operation in OPERATIONS for caller in callers(operation["x-bakohumas-auth"])]


@pytest.fixture(scope="module")
def world():
    stack = LocalStack(extra_env={
        "COMPLAINTS_INTAKE_BURST": "100000", "COMPLAINTS_INTAKE_PER_MINUTE": "100000",
        "INFORMATION_INTAKE_BURST": "100000", "INFORMATION_INTAKE_PER_MINUTE": "100000",
        # Subscriptions point at a closed loopback port: one refused attempt fails a delivery.
        "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_MAX_ATTEMPTS": "1"}).start()
    try:
        yield World(stack)
    finally:
        stack.stop()


def path_params(world, method, path, operation):
    params = {}
    for parameter in operation["parameters"]:
        if parameter["in"] != "path":
            continue
        factory = FACTORIES.get(parameter["name"])
        if factory is None:
            pytest.fail(f"no factory for the path parameter {parameter['name']!r} of {name(method, path)}: "
                        "add one to authorization_matrix_support.FACTORIES")
        params[parameter["name"]] = factory(world, (method, path), params)
    return params


def body_of(world, method, path, operation, params):
    if method not in WRITES:
        return None
    if name(method, path) not in BODIES:
        pytest.fail(f"no body for {name(method, path)}: add a minimal valid one (or None) to "
                    "authorization_matrix_support.BODIES")
    body = BODIES[name(method, path)]
    assert (body is None) == ("requestBody" not in operation), f"{name(method, path)}: body and description disagree"
    return body(world, params) if callable(body) else body


def query_of(world, method, path, operation):
    required = [p["name"] for p in operation["parameters"] if p["in"] == "query" and p.get("required")]
    if not required:
        return None
    if name(method, path) not in QUERIES:
        pytest.fail(f"{name(method, path)} requires {required}: add them to authorization_matrix_support.QUERIES")
    return QUERIES[name(method, path)](world)


def authorization(world, caller):
    if caller in BAD_CREDENTIALS:
        value = BAD_CREDENTIALS[caller]
        if value == "revoked":
            return f"Bearer {world.keys['revoked']}"
        return value
    return f"Bearer {world.keys[{'another member': 'B', 'own key': 'A', 'coordinator': 'coordinator'}[caller]]}"


def send(world, method, path, operation, caller):
    reaches_the_service = caller == "coordinator" or (
        caller in ("another member", "own key") and operation["x-bakohumas-auth"] != "coordinator")
    if reaches_the_service and method in WRITES:
        params = path_params(world, method, path, operation)  # a fresh resource: the call may change it
    else:
        key = name(method, path)
        if key not in world.shared:
            world.shared[key] = path_params(world, method, path, operation)
        params = world.shared[key]
    body = body_of(world, method, path, operation, params)
    if caller == "another member" and method in WRITES and not params and name(method, path) in ON_BEHALF_OF_A:
        body = {**body, **ON_BEHALF_OF_A[name(method, path)](world)}
    headers = {}
    auth = authorization(world, caller)
    if auth is not None:
        headers["Authorization"] = auth
    url = world.url + path.format(**params)
    kwargs = {"params": query_of(world, method, path, operation), "headers": headers, "timeout": 15}
    if isinstance(body, Form):
        kwargs["data"] = dict(body)
    elif isinstance(body, Upload):
        kwargs["data"] = bytes(body)
        headers["Content-Type"] = Upload.content_type
    elif body is not None:
        kwargs["json"] = body
    return requests.request(method, url, **kwargs)


def test_the_matrix_is_the_served_description(world):
    served = requests.get(world.url + "/openapi.json", timeout=10).json()
    listed = {(m.upper(), p, o["x-bakohumas-auth"]) for p, ms in served["paths"].items() for m, o in ms.items()}
    assert listed == {(m, p, o["x-bakohumas-auth"]) for m, p, o in OPERATIONS}
    for path, methods in served["paths"].items():
        for method, operation in methods.items():
            expected = {"public": [], "optional": [{}, {"bearerAuth": []}]}.get(
                operation["x-bakohumas-auth"], [{"bearerAuth": []}])
            assert operation["security"] == expected, name(method.upper(), path)


def test_every_exception_names_an_operation():
    known = {name(m, p) for m, p, _ in OPERATIONS}
    for table in (HIDDEN_FROM_STRANGERS, STRANGER_READS, ON_BEHALF_OF_A, AGENCY_ONLY, BODIES, QUERIES):
        assert set(table) <= known, set(table) - known


@pytest.mark.parametrize("method, path, operation, caller", CASES,
                         ids=[f"{m} {p} [{c}]" for m, p, _, c in CASES])
def test_who_may_call(world, method, path, operation, caller):
    auth, operation_name = operation["x-bakohumas-auth"], name(method, path)
    response = send(world, method, path, operation, caller)
    status, seen = response.status_code, f"{operation_name} as {caller}: {response.status_code} {response.text[:300]}"
    assert status < 500, seen
    has_params = any(p["in"] == "path" for p in operation["parameters"])
    if auth == "public":
        assert status not in (401, 403), seen
    elif caller == "no key" and auth == "optional":
        assert status != 401, seen
    elif caller in BAD_CREDENTIALS:
        assert status == 401, seen
        assert response.json()["error"]["code"] == "unauthenticated", seen
        assert response.headers.get("WWW-Authenticate") == "Bearer", seen
    elif auth == "coordinator" and caller == "own key":
        assert status == 403, seen
        assert response.json()["error"]["code"] == "forbidden", seen
    elif caller == "coordinator" and operation_name in AGENCY_ONLY:
        assert status == 403, f"{seen}\nexpected 403: {AGENCY_ONLY[operation_name]}"
    elif caller == "another member" and method == "GET" and has_params:
        rule = STRANGER_READS.get(operation_name)
        if rule is None:
            pytest.fail(f"say whether a stranger reads {operation_name}: add it to STRANGER_READS")
        if rule == "forum":
            assert status == 200, seen
        else:
            assert status == (404 if "(404)" in rule else 403), f"{seen}\nexpected: {rule}"
    elif caller == "another member" and method in WRITES and (has_params or operation_name in ON_BEHALF_OF_A):
        expected = 404 if operation_name in HIDDEN_FROM_STRANGERS else 403
        assert status == expected, f"{seen}\n{HIDDEN_FROM_STRANGERS.get(operation_name, '')}"
        assert response.json()["error"]["code"] == ("not_found" if expected == 404 else "forbidden"), seen
    else:  # the owner, the coordinator, or a member acting for itself: the call succeeds
        assert 200 <= status < 300, seen


def test_a_strangers_lists_hold_none_of_the_owners_private_resources(world):
    """Lists answer 200 to everyone; what is private must be filtered out of them, not only refused."""
    a = world.a.agency_id
    private = {
        f"/api/v1/content?state=draft&agency_id={a}": world.content(world.a),
        f"/api/v1/calendar/items?state=proposed&agency_id={a}": world.calendar_item(world.a, state="proposed"),
        "/api/v1/complaints": world.complaint_of(world.a),
        "/api/v1/subscriptions": world.subscription(world.a),
        "/api/v1/information/requests": world.information_request(world.a)[0],
    }
    for path, resource_id in private.items():
        def ids(client):
            answer = world.ok(client.get(path))
            listed = answer if isinstance(answer, list) else next(iter(answer.values()))
            return {entry["id"] for entry in listed}
        assert resource_id in ids(world.a), path
        assert resource_id not in ids(world.b), path
