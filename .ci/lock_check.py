"""Check that requirements.lock (what the image installs) is in step with pyproject.toml.

Offline and quick, so CI says plainly what is wrong before a container build fails on it:
every runtime requirement (plus the postgres extra) must be pinned at a version its range
allows, every pin must carry hashes, and nothing may be pinned as a direct requirement that
pyproject.toml no longer asks for. What a pin pulls in is checked by `pip check` in the image
build, which needs the packages' own metadata.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REGENERATE = (
    "uv pip compile pyproject.toml --extra postgres --universal --python-version 3.11 "
    "--generate-hashes -o requirements.lock"
)
EXTRAS = ("postgres",)
# uv marks the requirements that come from the project itself like this.
DIRECT = re.compile(r"^notifier \(pyproject\.toml\)")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass
class Pin:
    version: Version
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = PIN.match(raw)
        if match:
            current = Pin(Version(match.group(2)))
            pins[canonicalize_name(match.group(1))] = current
        elif current is not None and line.startswith("--hash="):
            current.hashes += 1
        elif current is not None and line.startswith("# via"):
            rest = line.removeprefix("# via").strip()
            if rest:
                current.via.append(rest)
        elif current is not None and line.startswith("#   "):
            current.via.append(line.removeprefix("#").strip())
    return pins


def requirements(pyproject: Path) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in EXTRAS:
        lines += project["optional-dependencies"][extra]
    # The image: Linux, Python 3.11.
    env = {key: str(value) for key, value in default_environment().items()}
    env |= {
        "python_version": "3.11",
        "python_full_version": "3.11.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
    }
    reqs = [Requirement(line) for line in lines]
    return [req for req in reqs if req.marker is None or req.marker.evaluate(env)]


def problems(pyproject: Path, lock: Path) -> list[str]:
    if not lock.exists():
        return [f"{lock.name} is missing"]
    pins = read_lock(lock)
    found = []
    wanted: set[str] = set()
    for req in requirements(pyproject):
        name = canonicalize_name(req.name)
        wanted.add(name)
        pin = pins.get(name)
        if pin is None:
            found.append(f"{req.name}: in pyproject.toml ({req}) but not in {lock.name}")
        elif not req.specifier.contains(pin.version, prereleases=True):
            found.append(f"{req.name}: locked at {pin.version}, pyproject.toml wants {req}")
    for locked, pin in sorted(pins.items()):
        if pin.hashes == 0:
            found.append(f"{locked}: pinned without --hash (pip --require-hashes would refuse it)")
        if locked not in wanted and any(DIRECT.match(via) for via in pin.via):
            found.append(
                f"{locked}: locked as a requirement of the project, which no longer has it"
            )
    return found


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    found = problems(root / "pyproject.toml", root / "requirements.lock")
    if found:
        print("requirements.lock is out of step with pyproject.toml:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print(f"Regenerate it (pip install uv first): {REGENERATE}", file=sys.stderr)
        return 1
    pins = len(read_lock(root / "requirements.lock"))
    print(f"lock: requirements.lock is in step with pyproject.toml ({pins} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
