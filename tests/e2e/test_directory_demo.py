"""`bakohumas demo` against a running system of its own (it bootstraps the forum's coordinator)."""
import json

import pytest

from bakohumas.demo import FORUM
from bakohumas.harness import Api, LocalStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def empty_stack():
    running = LocalStack().start()
    try:
        yield running
    finally:
        running.stop()


def test_the_demo_loads_the_parepare_forum_and_can_be_run_again(empty_stack):
    loaded = json.loads(empty_stack.bakohumas("demo", "--json").stdout)
    agencies = {a["short_name"]: a for a in loaded["agencies"]}
    assert len(agencies) == len(FORUM) + 1 and loaded["already_present"] == []
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

    refused = empty_stack.bakohumas("demo", check=False)
    assert refused.returncode == 1 and "--key" in refused.stderr
    again = json.loads(empty_stack.bakohumas(
        "demo", "--json", "--key", agencies["HUMAS-PAREPARE"]["api_key"]).stdout)
    assert again["agencies"] == [] and len(again["already_present"]) == len(FORUM)
