"""The gateway names itself with PUBLIC_URL, else with the address it listens on."""
from types import SimpleNamespace

import pytest

from gateway.http import PublicUrl


@pytest.mark.parametrize("config, base", [
    ({"PUBLIC_URL": "https://hub.example.go.id/", "WEB_SERVER_ADDRESS": "0.0.0.0:8000"},
     "https://hub.example.go.id"),
    ({"PUBLIC_URL": "", "WEB_SERVER_ADDRESS": "127.0.0.1:8103"}, "http://127.0.0.1:8103"),
    ({"PUBLIC_URL": None, "WEB_SERVER_ADDRESS": "127.0.0.1:8103"}, "http://127.0.0.1:8103"),
])
def test_public_base_url(config, base):
    provider = PublicUrl()
    provider.container = SimpleNamespace(config=config)
    provider.setup()
    assert provider.get_dependency(None) == base
