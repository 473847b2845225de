"""What one poll of one source did: the `poll --json` contract."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(kw_only=True)
class SourceSummary:
    """What one poll of one source did; the `poll --json` contract."""

    id: str
    requests: int = 0
    not_modified: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_removed: int = 0
    errors: list[str] = field(default_factory=list)
    state: str = "ok"  # ok | failed | broken | suspect | skipped

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "requests": self.requests,
            "not_modified": self.not_modified,
            "documents_new": self.documents_new,
            "documents_changed": self.documents_changed,
            "items_new": self.items_new,
            "items_changed": self.items_changed,
            "items_removed": self.items_removed,
            "errors": list(self.errors),
            "state": self.state,
        }

    @property
    def changed(self) -> bool:
        return bool(
            self.documents_new
            or self.documents_changed
            or self.items_new
            or self.items_changed
            or self.items_removed
        )
