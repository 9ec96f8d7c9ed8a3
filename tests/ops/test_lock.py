"""The lock files (bin/lock) match pyproject.toml: bin/setup refuses them otherwise, and so CI fails."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = [ROOT / "requirements" / "runtime.txt", ROOT / "requirements" / "test.txt"]
SCRIPT = ROOT / "requirements" / "pyproject_digest.py"


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(root / "requirements" / "pyproject_digest.py"), "check", *map(str, LOCKS)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_committed_locks_match_pyproject():
    result = check(ROOT)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def copy(tmp_path) -> Path:
    (tmp_path / "requirements").mkdir()
    shutil.copy(SCRIPT, tmp_path / "requirements")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_a_dependency_changed_without_bin_lock_is_refused(copy):
    pyproject = copy / "pyproject.toml"
    assert check(copy).returncode == 0
    pyproject.write_text(pyproject.read_text().replace('"openpyxl==3.1.5"', '"openpyxl==3.1.4"'))
    result = check(copy)
    assert result.returncode == 1
    assert "runtime.txt does not match the dependencies in pyproject.toml: run bin/lock" in result.stderr


def test_every_pin_of_pyproject_is_locked_at_its_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    test_lock = LOCKS[1].read_text()
    for pin in pins:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", pin).groups()
        normalised = re.sub(r"[-_.]+", "-", name).lower()
        assert re.search(rf"^{re.escape(normalised)}=={re.escape(version)} \\$", test_lock, re.M), pin
    for line in test_lock.splitlines():
        if re.match(r"^[a-z0-9]", line):
            assert "==" in line and line.endswith("\\"), line  # pinned, hashes follow
