"""`bakohumas demo` against a running system of its own (it bootstraps the forum's coordinator), with two
instances of every service so that the directory's cached details are seen to follow changes made in
the other instance."""
import json
import time
from urllib.parse import urlsplit

import pytest
import requests

from bakohumas.demo import FORUM, INFORMATION_REQUESTS
from bakohumas.harness import Api, LocalStack, console_sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def empty_stack():
    running = LocalStack(instances=2).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def demo_forum(empty_stack):
    return {a["short_name"]: a for a in json.loads(empty_stack.bakohumas("demo", "--json").stdout)["agencies"]}


def test_the_demo_loads_the_parepare_forum_and_can_be_run_again(empty_stack, demo_forum):
    agencies = demo_forum
    assert len(agencies) == len(FORUM) + 1
    coordinator = Api(empty_stack.url, agencies["HUMAS-PAREPARE"]["api_key"])
    assert coordinator.get("/api/v1/me").json()["role"] == "coordinator"
    assert coordinator.get(f"/api/v1/agencies/{agencies['HUMAS-PAREPARE']['agency_id']}").json()["officers"]

    kemenag = coordinator.get(f"/api/v1/agencies/{agencies['KEMENAG-PAREPARE']['agency_id']}").json()
    assert {"KUA-SOREANG", "MAN-PAREPARE"} <= {u["short_name"] for u in kemenag["sub_units"]}
    polsek = Api(empty_stack.url, agencies["POLSEK-SOREANG"]["api_key"])
    me = polsek.get("/api/v1/me").json()
    assert me["short_name"] == "POLSEK-SOREANG" and me["role"] == "member"
    polres = polsek.get(f"/api/v1/agencies/{agencies['POLRES-PAREPARE']['agency_id']}").json()
    assert me["agency_id"] in {u["id"] for u in polres["sub_units"]}
    kinds = {a["kind"] for a in agencies.values()}
    assert {"polri", "tni", "opd", "kementerian", "kejaksaan", "imigrasi", "bumn", "bumd"} <= kinds

    # Every agency has its first admin, with a one-time console link to set a password.
    assert all(a["admin"]["console_link"].startswith(f"{empty_stack.url}/console/undangan/") for a in agencies.values())
    for short_name in ("HUMAS-PAREPARE", "POLRES-PAREPARE"):
        admin = agencies[short_name]["admin"]
        path = urlsplit(admin["console_link"]).path
        assert requests.post(empty_stack.url + path, data={"password": "demo-parepare-1", "password_again":
                             "demo-parepare-1"}, allow_redirects=False, timeout=30).status_code == 303
        signed_in = console_sign_in(empty_stack.url, admin["email"], "demo-parepare-1")
        assert signed_in.status_code == 303 and "bakohumas_session" in signed_in.cookies

    refused = empty_stack.bakohumas("demo", check=False)
    assert refused.returncode == 1 and "--key" in refused.stderr
    again = json.loads(empty_stack.bakohumas(
        "demo", "--json", "--key", agencies["HUMAS-PAREPARE"]["api_key"]).stdout)
    assert again["agencies"] == [] and len(again["already_present"]) == len(FORUM)
    assert again["information_requests"] == []  # filed once, with the agencies made


def test_the_demo_files_information_requests_for_the_ppid_pages(empty_stack, demo_forum):
    coordinator = Api(empty_stack.url, demo_forum["HUMAS-PAREPARE"]["api_key"])
    listed = coordinator.get("/api/v1/information/requests", params={"limit": 100}).json()["requests"]
    assert len(listed) == len(INFORMATION_REQUESTS)
    assert {r["status"] for r in listed} == {"registered", "extended", "decided"}
    assert [r["decision"] for r in listed if r["status"] == "decided"] == ["granted"]


def test_every_directory_instance_answers_the_changed_agency(empty_stack, demo_forum):
    coordinator = Api(empty_stack.url, demo_forum["HUMAS-PAREPARE"]["api_key"])
    path = f"/api/v1/agencies/{demo_forum['DINKES-PAREPARE']['agency_id']}"
    for _ in range(6):  # both instances have read (and cached) it
        assert coordinator.get(path).json()["region_code"] == "73.72"
    assert coordinator.patch(path, json={"region_code": "73.72.02"}).status_code == 200

    def seen():
        return {coordinator.get(path).json()["region_code"] for _ in range(6)}
    deadline = time.monotonic() + 15  # the other instance hears of the change through the bus
    while seen() != {"73.72.02"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert seen() == {"73.72.02"}
