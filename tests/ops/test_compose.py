"""docker-compose.yml and .env.example (Docker itself may be absent where the tests run: parsed as YAML)."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def readme_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_env_example_documents_every_variable_of_the_readme_table():
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    table = readme_variables()
    assert {"SECRET_KEY", "PROXY_COUNT", "MANDATORY_REPORT_EMAILS", "DISBURSEMENT_DAY", "BACKUP_KEEP"} <= table
    assert table - documented == set()
    assert {"SECRET_KEY", "POSTGRES_PASSWORD"} <= documented


def test_every_app_service_reads_the_env_file(compose):
    for name in ("migrate", "web", "worker", "beat"):
        assert compose["services"][name]["env_file"] == [{"path": ".env", "required": False}], name


def test_secrets_are_required_with_a_message(compose):
    for name in ("web", "worker", "beat", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?SECRET_KEY is required")
        assert "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required" in environment["DATABASE_URL"]
    postgres = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert postgres.startswith("${POSTGRES_PASSWORD:?")
    assert ":-welfare}" not in (ROOT / "docker-compose.yml").read_text()


def test_beat_is_a_singleton(compose):
    beat = compose["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1
    assert beat["container_name"]  # a fixed name: `--scale beat=2` fails


def test_web_and_worker_have_health_checks(compose):
    assert "/healthz/" in "".join(compose["services"]["web"]["healthcheck"]["test"])
    worker = compose["services"]["worker"]["healthcheck"]["test"]
    assert worker[0] == "CMD-SHELL"
    assert "inspect ping --destination celery@$$HOSTNAME" in worker[1]


def test_backups_have_a_volume(compose):
    assert "backups:/backups" in compose["services"]["worker"]["volumes"]
    assert compose["services"]["worker"]["environment"]["BACKUP_DIR"] == "/backups"
    assert "backups" in compose["volumes"]
