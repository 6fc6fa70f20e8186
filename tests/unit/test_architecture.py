"""The rules of docs/architecture.md that a machine can check, read from the source with ``ast``
(nothing checked here is imported): who imports whom, the domain's freedom from transport and
clock, the same files in every service, and domain modules of a readable size."""
import ast
from pathlib import Path

import pytest

from services import SERVICE_NAMES

ROOT = Path(__file__).resolve().parents[2]
SERVICE_FILES = ("service.py", "domain/__init__.py", "models.py", "schemas.py", "migrations")
DOMAIN_MODULE_MAX_LINES = 400


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """Every module ``path`` imports, by its full name; ``from package import name`` counts as
    importing ``package.name`` when that name is a module of the package, else ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                candidate = ROOT.joinpath(*source.split("."), alias.name)
                is_module = candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file()
                found.add(f"{source}.{alias.name}" if is_module else source)
    return found


def python_files(folder):
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def domain_modules(service):
    return sorted((ROOT / "services" / service / "domain").glob("*.py"))


def test_the_checks_read_real_imports():
    """The reader finds a module named in ``from`` and a submodule imported by name from its package."""
    found = imported_modules(ROOT / "services" / "directory" / "service.py")
    assert {"nameko.rpc", "services.directory.domain", "services.directory.schemas", "shared.db"} <= found


def test_the_gateway_imports_of_a_service_only_its_schemas():
    wrong = []
    for path in python_files("gateway"):
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] != "services" or len(parts) == 1:
                continue  # not a service, or the services package's own constants (SERVICE_NAMES)
            if len(parts) < 3 or parts[2] != "schemas":
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_service_imports_another(service):
    wrong = [f"{path.relative_to(ROOT)} imports {name}"
             for path in python_files(f"services/{service}") for name in imported_modules(path)
             if name.split(".")[0] == "services" and len(name.split(".")) > 1 and name.split(".")[1] != service]
    assert wrong == []


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_domain_knows_no_transport_and_no_clock(service):
    modules = domain_modules(service)
    assert modules, f"services/{service}/domain/ is not a package"
    wrong = []
    for path in modules:
        for name in imported_modules(path):
            if name.split(".")[0] == "nameko" or name == f"services.{service}.service":
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and "utcnow" in (getattr(node.func, "id", None),
                                                          getattr(node.func, "attr", None)):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} reads the clock (utcnow())")
    assert wrong == []


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_service_has_the_same_files(service):
    folder = ROOT / "services" / service
    assert [name for name in SERVICE_FILES if not (folder / name).exists()] == []
    assert not (folder / "domain.py").exists(), "the domain is a package (domain/), not one module"


def test_every_service_folder_is_a_named_service():
    folders = {p.name for p in (ROOT / "services").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    assert folders == set(SERVICE_NAMES)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_domain_module_is_over_400_lines(service):
    long = {str(path.relative_to(ROOT)): lines for path in domain_modules(service)
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > DOMAIN_MODULE_MAX_LINES}
    assert long == {}


WALL_CLOCK_READS = {("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("date", "today"),
                    ("time", "time")}
CLOCK_MODULE = ROOT / "tests" / "clock.py"


def wall_clock_reads(path):
    """``line: call`` of each read of the wall clock in ``path``: ``datetime.now()``, ``date.today()``,
    ``utcnow()`` (the standard library's or shared.db's), ``time.time()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "utcnow":
            found.append(f"{node.lineno}: utcnow()")
        elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
              and (func.value.id, func.attr) in WALL_CLOCK_READS):
            found.append(f"{node.lineno}: {func.value.id}.{func.attr}()")
    return found


def test_the_clock_check_finds_every_way_of_reading_the_clock(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import time\nfrom datetime import date, datetime, timezone\nfrom shared.db import utcnow\n"
                      "a = datetime.now(timezone.utc)\nb = date.today()\nc = utcnow()\nd = time.time()\n"
                      "e = datetime.utcnow()\nf = datetime(2026, 1, 1)\n", encoding="utf-8")
    assert wall_clock_reads(sample) == ["4: datetime.now()", "5: date.today()", "6: utcnow()", "7: time.time()",
                                        "8: datetime.utcnow()"]


def test_tests_read_the_wall_clock_only_through_tests_clock():
    """A test that read the date or hour passed or failed by when it ran (the digest test failed from
    23:00 to 24:00 UTC): rules are tested at ``PINNED_NOW``, a running stack through ``wall_now()``."""
    wrong = [f"{path.relative_to(ROOT)}:{read}" for path in sorted((ROOT / "tests").rglob("*.py"))
             if path != CLOCK_MODULE for read in wall_clock_reads(path)]
    assert wrong == []
