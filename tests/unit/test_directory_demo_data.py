"""The demo forum's data and its refusal to bootstrap for a gateway that is not there."""
import pytest

from bakohumas import demo
from bakohumas.harness import free_port
from services.directory import schemas


def test_every_demo_agency_is_valid_and_comes_after_its_parent():
    seen = {demo.COORDINATOR["short_name"]}
    schemas.AgencyInput().load(demo.COORDINATOR)
    schemas.AgencyChanges().load(demo.COORDINATOR_CONTACTS)
    for entry in demo.FORUM:
        schemas.AgencyInput().load({k: v for k, v in entry.items() if k != "parent"})
        assert entry.get("parent") is None or entry["parent"] in seen, entry["short_name"]
        assert entry["short_name"] not in seen
        seen.add(entry["short_name"])


def test_every_demo_information_request_is_valid_and_goes_to_a_demo_agency():
    from services.information import schemas as information
    agencies = {entry["short_name"] for entry in demo.FORUM}
    for entry in demo.INFORMATION_REQUESTS:
        assert entry["agency"] in agencies
        information.RequestInput().load({**{k: v for k, v in entry.items() if k not in ("agency", "then")},
                                         "agency_id": "a1"})
        if entry.get("then"):
            step, body = entry["then"]
            {"decision": information.DecisionInput, "extend": information.ExtensionInput}[step]().load(body)


def test_no_coordinator_is_made_for_a_gateway_that_does_not_answer():
    def bootstrap(_data):
        raise AssertionError("bootstrapped although the gateway is away")
    with pytest.raises(demo.DemoFailed, match="did not answer"):
        demo.load(f"http://127.0.0.1:{free_port()}", bootstrap=bootstrap)
