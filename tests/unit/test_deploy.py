"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so they are checked
by reading them: every process is there, built from the project's image, wired to the broker and to
its own database by environment variables that the nameko config really reads."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("directory", "calendar", "distribution", "complaints", "gateway")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def config_variables():
    return set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "deploy" / "config.yaml").read_text()))


def test_broker_and_database_have_healthchecks(compose):
    services = compose["services"]
    assert "management" in services["rabbitmq"]["image"]
    assert services["rabbitmq"]["healthcheck"]["test"]
    assert services["postgres"]["image"].startswith("postgres")
    assert services["postgres"]["healthcheck"]["test"]


@pytest.mark.parametrize("name", PROCESSES)
def test_every_process_is_built_from_the_project_image_and_wired(compose, config_variables, name):
    service = compose["services"][name]
    build = service["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()
    assert service["command"][:3] == ["bakohumas", "serve", name]
    env = service["environment"]
    assert env["AMQP_URI"].startswith("pyamqp://") and "@rabbitmq:5672" in env["AMQP_URI"]
    assert set(env) <= config_variables | {"BAKOHUMAS_CONFIG"}, "a variable the config never reads"
    assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    if name != "gateway":
        assert service["command"][-1] == "--migrate"
        url = env[f"{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql://") and url.endswith(f"/bakohumas_{name}")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_gateway_listens_on_all_interfaces_inside_its_container(compose):
    gateway = compose["services"]["gateway"]
    assert gateway["environment"]["GATEWAY_HOST"] == "0.0.0.0"
    assert any(str(port).endswith(":8000") for port in gateway["ports"])
    assert set(gateway["depends_on"]) >= {"directory", "calendar", "distribution", "complaints"}


def test_each_service_database_is_created(compose):
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for name in PROCESSES[:-1]:
        assert f"CREATE DATABASE bakohumas_{name};" in init


def test_no_secret_is_committed():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in ("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "GATEWAY_SECRET"):
        assert re.search(r"\$\{" + secret + r":\?", text), f"{secret} must be required from the environment"
    assert "guest" not in text


def test_dockerfile_copies_what_exists():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+)$", dockerfile, re.M):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"


def kubernetes_documents():
    documents = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def test_kubernetes_runs_every_process_from_the_image_with_config_from_outside():
    deployments = {doc["metadata"]["name"]: doc for doc in kubernetes_documents() if doc["kind"] == "Deployment"}
    assert set(deployments) == set(PROCESSES)
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["bakohumas", "serve", name]
        assert deployment["spec"]["replicas"] >= 2, "the path to scale is more instances"
        sources = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert sources == {"bakohumas-config", "bakohumas-secrets"}
        required = {variable["name"]: variable["valueFrom"]["secretKeyRef"] for variable in container.get("env", [])}
        assert required == ({"GATEWAY_SECRET": {"name": "bakohumas-secrets", "key": "GATEWAY_SECRET"}}
                            if name == "gateway" else {}), "credentials come from the Secret only"


def test_kubernetes_migrates_once_with_a_job_and_uses_a_quorum_vhost():
    documents = kubernetes_documents()
    jobs = [doc for doc in documents if doc["kind"] == "Job"]
    assert jobs[0]["spec"]["template"]["spec"]["containers"][0]["command"] == ["bakohumas", "migrate"]
    vhost = next(doc for doc in documents if doc["kind"] == "Vhost")
    assert vhost["spec"]["defaultQueueType"] == "quorum"
    assert next(doc for doc in documents if doc["kind"] == "RabbitmqCluster")["spec"]["replicas"] == 3
