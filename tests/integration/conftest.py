"""Integration fixtures: services in nameko containers on the real RabbitMQ, in a throwaway vhost
(nameko's ``rabbit_config``), each with its own migrated database in ``tmp_path``."""
import pytest


@pytest.fixture
def config(rabbit_config, tmp_path):
    """A service config on a throwaway vhost whose services keep their databases in ``tmp_path``
    (where ``service_db(name)`` puts them)."""
    return {**rabbit_config, "DATA_DIR": str(tmp_path)}

