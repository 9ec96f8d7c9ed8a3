"""The sha256 of pyproject.toml's dependency lists, recorded in each lock file's first line.

    python requirements/pyproject_digest.py stamp requirements/runtime.txt ...   (bin/lock runs it)
    python requirements/pyproject_digest.py check requirements/runtime.txt ...   (bin/setup runs it)

`check` exits 1 with one sentence when a lock was made from other dependency lists than
pyproject.toml's, so a dependency changed without `bin/lock` stops bin/setup (and with it bin/test and CI).
Standard library only: it runs before the virtualenv has anything installed.
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "# pyproject-dependencies-sha256: "


def digest(pyproject: Path = ROOT / "pyproject.toml") -> str:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lists = {
        "requires-python": project.get("requires-python", ""),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {k: sorted(v) for k, v in sorted(project.get("optional-dependencies", {}).items())},
    }
    return hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()


def recorded(lock: Path) -> str | None:
    with lock.open(encoding="utf-8") as file:
        first = file.readline().rstrip("\n")
    return first.removeprefix(PREFIX) if first.startswith(PREFIX) else None


def stamp(lock: Path, pyproject: Path) -> None:
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and lines[0].startswith(PREFIX):
        lines = lines[1:]
    lock.write_text(f"{PREFIX}{digest(pyproject)}\n" + "".join(lines), encoding="utf-8")


def check(lock: Path, pyproject: Path) -> str | None:
    """None when `lock` was made from pyproject's current dependency lists, else why not."""
    if not lock.exists():
        return f"{lock.name} is missing: run bin/lock"
    if recorded(lock) != digest(pyproject):
        return f"{lock.name} does not match the dependencies in pyproject.toml: run bin/lock and commit the result"
    return None


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("stamp", "check"):
        print("usage: pyproject_digest.py stamp|check LOCK...", file=sys.stderr)
        return 2
    pyproject = ROOT / "pyproject.toml"
    problems = []
    for name in argv[1:]:
        if argv[0] == "stamp":
            stamp(Path(name), pyproject)
        elif problem := check(Path(name), pyproject):
            problems.append(problem)
    for problem in problems:
        print(f"lock: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
