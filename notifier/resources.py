"""Where the bundled templates and default config files are.

In a source checkout (or an editable install) they sit at the top of the repository; in a wheel
they ship inside the package as notifier/templates and notifier/defaults.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def templates_dir() -> Path:
    for candidate in (_CHECKOUT / "templates", _PACKAGE / "templates"):
        if (candidate / "email").is_dir():
            return candidate
    return _CHECKOUT / "templates"


def default_topics_file() -> Path:
    """config/topics.toml of the working directory if there is one, else the bundled one."""
    local = Path("config/topics.toml")
    if local.is_file():
        return local
    for candidate in (_CHECKOUT / "config" / "topics.toml", _PACKAGE / "defaults" / "topics.toml"):
        if candidate.is_file():
            return candidate
    return local
