"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine), so they are checked
by reading them: every process is there, built from the project's image, wired to the broker and to
its own database by environment variables that the nameko config really reads."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("directory", "calendar", "distribution", "complaints", "information", "notifications", "gateway")


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
    assert set(gateway["depends_on"]) >= {"directory", "calendar", "distribution", "complaints", "information"}


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


def kubernetes_workloads():
    """(kind, name, pod spec) of every Deployment and Job."""
    return [(doc["kind"], doc["metadata"]["name"], doc["spec"]["template"]["spec"])
            for doc in kubernetes_documents() if doc["kind"] in ("Deployment", "Job")]


def test_kubernetes_manifests_validate_against_the_1_37_schemas():
    import kubernetes_validate

    own = [doc for doc in kubernetes_documents() if not doc["apiVersion"].startswith("rabbitmq.com/")]
    assert len(own) >= 12
    for doc in own:
        kubernetes_validate.validate(doc, "1.37.0", strict=True)


def test_kubernetes_manifests_are_checked_for_real():
    import kubernetes_validate

    broken = next(doc for doc in kubernetes_documents() if doc["kind"] == "Deployment")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.37.0", strict=True)


@pytest.mark.parametrize("kind,name,pod", kubernetes_workloads(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_pod_runs_locked_down(kind, name, pod):
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    writable = {volume["name"] for volume in pod.get("volumes", []) if "emptyDir" in volume}
    for container in pod["containers"]:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]
        assert {mount["name"] for mount in container["volumeMounts"]} <= writable


def test_the_image_runs_as_the_user_the_pods_require():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    uids = {pod["securityContext"]["runAsUser"] for _kind, _name, pod in kubernetes_workloads()}
    assert len(uids) == 1
    assert re.search(rf"^USER {uids.pop()}$", dockerfile, re.M), "a numeric USER, or runAsNonRoot cannot check it"


def test_every_process_has_probes_on_what_it_really_does():
    config = next(doc for doc in kubernetes_documents() if doc["kind"] == "ConfigMap")["data"]
    heartbeat = config["HEARTBEAT_FILE"]
    grace = int(config["STOP_TIMEOUT"])
    for kind, name, pod in kubernetes_workloads():
        if kind == "Job":
            continue
        container = pod["containers"][0]
        assert heartbeat in " ".join(container["livenessProbe"]["exec"]["command"])
        assert any(heartbeat.startswith(mount["mountPath"] + "/") for mount in container["volumeMounts"])
        ready = container["readinessProbe"]
        if name == "gateway":
            assert ready["httpGet"] == {"path": "/health", "port": 8000}
        else:
            assert heartbeat in ready["exec"]["command"]
        assert pod["terminationGracePeriodSeconds"] > grace, "a stop finishes within STOP_TIMEOUT, before the kill"


def test_every_deployment_keeps_one_pod_through_a_disruption():
    documents = kubernetes_documents()
    budgets = {doc["metadata"]["name"]: doc["spec"] for doc in documents if doc["kind"] == "PodDisruptionBudget"}
    for doc in documents:
        if doc["kind"] == "Deployment":
            budget = budgets[doc["metadata"]["name"]]
            assert budget["selector"] == doc["spec"]["selector"]
            assert 1 <= budget["minAvailable"] < doc["spec"]["replicas"]


def systemd_unit():
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(ROOT / "deploy" / "systemd" / "bakohumas.service")
    return unit


def test_the_systemd_unit_stops_the_whole_stack_within_its_bound():
    service = systemd_unit()["Service"]
    config = yaml.safe_load((ROOT / "deploy" / "config.yaml").read_text().replace("${STOP_TIMEOUT:20}", "20"))
    assert service["ExecStart"].endswith("/bakohumas run")
    assert service["KillMode"] == "control-group"
    # bakohumas run waits STOP_TIMEOUT plus 5 s for its processes before it kills them.
    assert int(service["TimeoutStopSec"]) > int(config["STOP_TIMEOUT"]) + 5
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("", "root")
    assert service["EnvironmentFile"].startswith("/etc/")
    example = (ROOT / "deploy" / "systemd" / "bakohumas.env.example").read_text()
    configured = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert configured <= set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "deploy" / "config.yaml").read_text()))
    assert not re.search(r"^GATEWAY_SECRET=.", example, re.M), "no secret in the example"


def test_systemd_accepts_the_unit(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed here")
    text = (ROOT / "deploy" / "systemd" / "bakohumas.service").read_text()
    runnable = tmp_path / "bakohumas.service"  # the unit as installed, with an executable that exists here
    runnable.write_text(text.replace("/opt/bakohumas/.venv/bin/bakohumas", shutil.which("true")))
    checked = subprocess.run(["systemd-analyze", "verify", str(runnable)], capture_output=True, text=True)
    assert checked.returncode == 0 and "bakohumas.service" not in checked.stderr, checked.stderr
