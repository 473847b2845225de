"""The layer rules, checked on the source: who may import what, and how big a module may grow.

- Only ``notifier.store`` speaks SQL: nothing else imports sqlalchemy or alembic (so no
  AsyncConnection can appear in a signature outside it).
- Pure stages import neither the store, the web app, the runtime nor the orchestrators.
- The web app and the CLI use the store through ``notifier.store`` only, never its modules.
- One place opens the database (``Store.open``, called by the runtime) and one builds the Jinja
  environment (``notifier.templates``).
- No module is longer than 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "notifier"
PURE = (
    "notifier.classify",
    "notifier.closing",
    "notifier.danish",
    "notifier.diff",
    "notifier.digest",
    "notifier.digest_groups",
    "notifier.extract",
    "notifier.feed_entries",
    "notifier.feed_files",
    "notifier.feeds",
    "notifier.headings",
    "notifier.ical",
    "notifier.judge",
    "notifier.keywords",
    "notifier.mail",
    "notifier.models",
    "notifier.plan",
    "notifier.point_checks",
    "notifier.point_text",
    "notifier.points",
    "notifier.prose",
    "notifier.render",
    "notifier.shared_renders",
    "notifier.smtp_data",
    "notifier.split",
    "notifier.subscriber_files",
    "notifier.toc",
    "notifier.topics",
    "notifier.untrusted",
    "notifier.urls",
)
IMPURE = (
    "notifier.store",
    "notifier.web",
    "notifier.cli",
    "notifier.runtime",
    "notifier.pipeline",
    "notifier.listing_walk",
    "notifier.service",
    "notifier.fetch",
    "notifier.deliver",
    "notifier.digest_runner",
    "notifier.subscriptions",
)
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_rules_see_the_whole_package() -> None:
    assert {"notifier.store.db", "notifier.web.app", "notifier.models.events"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_store_speaks_sql(module: str) -> None:
    if _within(module, ("notifier.store",)):
        return
    sql = {i for i in _imports(MODULES[module]) if _within(i, ("sqlalchemy", "alembic"))}
    assert not sql, f"{module} imports {sorted(sql)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _within(m, PURE)))
def test_pure_stages_import_no_io_layer(module: str) -> None:
    wrong = {i for i in _imports(MODULES[module]) if _within(i, IMPURE)}
    assert not wrong, f"{module} (pure) imports {sorted(wrong)}"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if _within(m, ("notifier.web", "notifier.cli")))
)
def test_web_and_cli_use_the_store_through_its_front_door(module: str) -> None:
    inner = {
        i
        for i in _imports(MODULES[module])
        if i.startswith("notifier.store.") and i.count(".") >= 2 and i not in _FRONT_DOOR
    }
    assert not inner, f"{module} reaches into {sorted(inner)}"


# ``from notifier.store import Store`` is recorded as the name notifier.store.Store.
_FRONT_DOOR = {"notifier.store." + name for name in __import__("notifier.store").store.__all__}


def test_one_place_opens_the_database_and_one_builds_templates() -> None:
    opens = [m for m, p in MODULES.items() if "Store.open(" in p.read_text(encoding="utf-8")]
    assert opens == ["notifier.runtime"]
    engines = [m for m, p in MODULES.items() if "open_engine(" in p.read_text(encoding="utf-8")]
    # backup opens one only to migrate a restored file, with the service stopped.
    assert sorted(engines) == ["notifier.store.backup", "notifier.store.db", "notifier.store.store"]
    jinja = [m for m, p in MODULES.items() if "Environment(" in p.read_text(encoding="utf-8")]
    assert jinja == ["notifier.templates"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"
