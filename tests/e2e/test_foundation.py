"""The whole system started the README's way, seen over HTTP as a user sees it."""
import signal
import time

import pytest
import requests

import bakohumas
from bakohumas.harness import LocalStack, stopped_within
from services import SERVICE_NAMES

pytestmark = pytest.mark.e2e


def assert_error_shape(response, status, code=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


def test_health_answers_from_every_service(stack):
    response = requests.get(stack.url + "/health", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == bakohumas.__version__ != "0+unknown"
    assert set(body["services"]) == set(SERVICE_NAMES)
    assert all(s["status"] == "ok" for s in body["services"].values())
    assert body["notifications"] == {"mail": "off", "whatsapp": "off"}  # nothing configured


def test_openapi_describes_every_route(stack):
    spec = requests.get(stack.url + "/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    assert "/health" in spec["paths"]
    assert "/api/v1/agencies" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    post = spec["paths"]["/api/v1/agencies"]["post"]
    assert "requestBody" in post and "400" in post["responses"]


def test_unknown_path_and_method_answer_json(stack):
    assert_error_shape(requests.get(stack.url + "/no/such/thing", timeout=10), 404, "not_found")
    response = requests.delete(stack.url + "/health", timeout=10)
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_missing_and_bad_keys_are_401(stack):
    assert_error_shape(requests.get(stack.url + "/api/v1/me", timeout=10), 401, "unauthenticated")
    bad = requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Bearer " + "x" * 40},
                       timeout=10)
    assert_error_shape(bad, 401, "unauthenticated")
    malformed = requests.get(stack.url + "/api/v1/me", headers={"Authorization": "Basic abc"}, timeout=10)
    assert_error_shape(malformed, 401)


def test_bad_bodies_get_4xx_never_500(stack, coordinator):
    url = "/api/v1/agencies"
    wrong_type = coordinator.post(url, data="name=x", headers={"Content-Type": "text/plain"})
    assert_error_shape(wrong_type, 415, "unsupported_media_type")
    malformed = coordinator.post(url, data="{not json", headers={"Content-Type": "application/json"})
    assert_error_shape(malformed, 400, "malformed_json")
    too_large = coordinator.post(url, data="[" + "1," * 200_000 + "1]",
                                 headers={"Content-Type": "application/json"})
    assert_error_shape(too_large, 413, "body_too_large")
    deep = coordinator.post(url, data="[" * 5000 + "]" * 5000, headers={"Content-Type": "application/json"})
    assert_error_shape(deep, 400, "malformed_json")
    not_object = coordinator.post(url, json=[1, 2])
    assert_error_shape(not_object, 400, "validation_failed")
    invalid = coordinator.post(url, json={"name": "", "kind": "army"})
    error = assert_error_shape(invalid, 400, "validation_failed")
    assert {"name", "short_name", "kind"} <= set(error["fields"])


def test_a_stopped_service_turns_into_503_not_a_hang():
    stack = LocalStack().start()
    try:
        made = stack.bootstrap()
        headers = {"Authorization": f"Bearer {made['api_key']}"}
        assert requests.get(stack.url + "/api/v1/me", headers=headers, timeout=10).status_code == 200
        stack.kill("calendar", signal.SIGSTOP)  # alive but not answering: the worst case for a caller
        stack.kill("directory", signal.SIGKILL)
        started = time.monotonic()
        health = requests.get(stack.url + "/health", timeout=30)
        assert time.monotonic() - started < 10
        error = assert_error_shape(health, 503, "service_unavailable")
        assert error["fields"]["services"] == ["calendar", "directory"]
        agency = requests.get(stack.url + "/api/v1/agencies/" + made["agency_id"], headers=headers,
                              timeout=30)
        assert_error_shape(agency, 503, "service_unavailable")
        assert "Retry-After" in agency.headers

        stack.kill("calendar", signal.SIGCONT)
        stack.start_process("directory")
        deadline = time.monotonic() + 60
        while requests.get(stack.url + "/health", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "the stack did not recover after the restart"
            time.sleep(0.5)
        assert requests.get(stack.url + "/api/v1/me", headers=headers, timeout=10).status_code == 200
    finally:
        stack.stop()


def test_a_stack_that_does_not_come_up_in_time_is_stopped_not_left_running():
    """A test whose stack never became healthy must not leave it running for the rest of the suite."""
    stack = LocalStack()
    try:
        with pytest.raises(RuntimeError):
            stack.start(timeout=1)
        assert stopped_within(stack, 60) is not None, f"left running: {stack.leftovers()}"
    finally:
        stack.stop()


def test_make_run_prints_the_url_and_ctrl_c_stops_everything(tmp_path):
    """The README's run command exactly as a user types it, stopped as a terminal's Ctrl-C would."""
    import os
    import subprocess
    from pathlib import Path

    from bakohumas.harness import ROOT, Vhost, free_port

    vhost = Vhost().create()
    port = free_port()
    env = {**os.environ, "AMQP_URI": vhost.amqp_uri, "DATA_DIR": str(tmp_path), "GATEWAY_PORT": str(port)}
    make = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        lines = []
        for line in make.stdout:
            lines.append(line)
            if "Bakohumas Hub is running at" in line:
                break
        assert f"http://127.0.0.1:{port}" in lines[-1], "".join(lines)
        assert f"public pages: http://127.0.0.1:{port}/" in lines[-1]
        assert f"console: http://127.0.0.1:{port}/console/" in lines[-1]
        home = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert home.status_code == 200 and home.headers["Content-Type"].startswith("text/html")
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
        pids = [int(p.read_text()) for p in (Path(tmp_path) / "run").glob("*.pid")]
        assert len(pids) == len(SERVICE_NAMES) + 1  # every service and the gateway

        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        rest = make.communicate(timeout=60)[0]
        assert "stopped" in rest
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert {p.name for p in Path(tmp_path).glob("*.db")} == {f"{name}.db" for name in SERVICE_NAMES}
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        vhost.delete()


@pytest.mark.parametrize("raw", [
    b'{"name": "A\\u0000B", "short_name": "NUL-1", "kind": "opd"}',
    b'{"name": "A\\ud800B", "short_name": "SURR-1", "kind": "opd"}',
    b'{"name": "A\xff\xfeB", "short_name": "BYTES-1", "kind": "opd"}',
])
def test_text_that_cannot_be_stored_is_refused_with_400(coordinator, raw):
    response = coordinator.post("/api/v1/agencies", data=raw, headers={"Content-Type": "application/json"})
    assert_error_shape(response, 400, "malformed_json")


def test_unicode_names_are_kept_as_sent(coordinator):
    name = "Dinas Komunikasi & Informatika — Kota Parepare ✓ 𝔸 ٱلعربية"
    created = coordinator.post("/api/v1/agencies", json={"name": name, "short_name": "UNI-1", "kind": "opd"})
    assert created.status_code == 201, created.text
    assert coordinator.get(f"/api/v1/agencies/{created.json()['id']}").json()["name"] == name


def test_crlf_in_a_path_cannot_inject_a_header(coordinator):
    response = coordinator.get("/api/v1/agencies/%0d%0aSet-Cookie:%20stolen=1")
    assert "Set-Cookie" not in response.headers
    assert_error_shape(response, 404)
