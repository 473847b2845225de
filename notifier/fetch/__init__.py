"""Fetching: the polite, guarded HTTP client (``client``), what counts as one site and which
addresses may be reached (``sites``), and bounded body decoding (``body``)."""

from __future__ import annotations

from notifier.fetch.client import Fetcher, Response
from notifier.models import Validators

__all__ = ["Fetcher", "Response", "Validators"]
