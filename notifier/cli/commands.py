"""Imports every command module so each registers itself on the `main` group."""

# One line per command module; keep sorted.
from notifier.cli import (
    classify,  # noqa: F401
    demo,  # noqa: F401
    digest,  # noqa: F401
    extract,  # noqa: F401
    feeds,  # noqa: F401
    poll,  # noqa: F401
    run,  # noqa: F401
    settings,  # noqa: F401
    subscribers,  # noqa: F401
)
