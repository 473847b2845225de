"""Imports every command module so each registers itself on the `main` group."""

# One line per command module; keep sorted.
from notifier.cli import classify  # noqa: F401
from notifier.cli import demo  # noqa: F401
from notifier.cli import digest  # noqa: F401
from notifier.cli import extract  # noqa: F401
from notifier.cli import feeds  # noqa: F401
from notifier.cli import poll  # noqa: F401
from notifier.cli import run  # noqa: F401
from notifier.cli import settings  # noqa: F401
from notifier.cli import subscribers  # noqa: F401
