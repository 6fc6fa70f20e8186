"""An expected answer (a domain error such as 404) is one short log line; a real failure keeps its traceback."""
import logging

import pytest
from nameko.containers import ServiceContainer
from nameko.testing.services import entrypoint_hook

from shared.errors import NotFound
from shared.service import service_rpc


class Registry:
    name = "registry"

    @service_rpc
    def find(self, agency_id):
        raise NotFound(f"no agency {agency_id}", {"agency_id": ["unknown agency"]})

    @service_rpc
    def crash(self):
        raise RuntimeError("the disk caught fire")


@pytest.fixture
def registry():
    return ServiceContainer(Registry, config={"AMQP_URI": "memory://"})


def test_a_domain_error_logs_one_short_line_without_traceback(registry, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NotFound):
        with entrypoint_hook(registry, "find") as find:
            find("7c1e-unknown")
    lines = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert len(lines) == 1, [record.getMessage() for record in lines]
    record = lines[0]
    assert record.levelno == logging.INFO
    assert record.exc_info is None and record.exc_text is None
    assert record.getMessage() == "registry.find answered not_found (404)"
    assert "Traceback" not in caplog.text


def test_an_unexpected_error_still_logs_its_traceback(registry, caplog):
    with pytest.raises(RuntimeError):
        with entrypoint_hook(registry, "crash") as crash:
            crash()
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "Traceback" in caplog.text and "the disk caught fire" in caplog.text
