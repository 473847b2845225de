"""Topics and the evidence that puts an item under one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Topic:
    id: str
    name: str  # Danish display name
    description: str = ""
    terms: dict[str, float] = field(default_factory=dict)  # term -> weight


@dataclass(frozen=True, kw_only=True)
class Evidence:
    term: str  # the configured term that matched
    matched: str  # the text as it stood in the item
    where: str  # "title" or "text" (or "indstilling", "beslutning")


@dataclass(frozen=True, kw_only=True)
class TopicMatch:
    """Why an item belongs to a topic: its score and the evidence that decided it."""

    topic: str
    score: float
    evidence: tuple[Evidence, ...] = ()
