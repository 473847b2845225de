"""`notifier classify`: JSON lines of items on stdin -> JSON lines of topics on stdout.

A bad line is reported on stderr with its line number and skipped; the exit status is 1 at the
end if any line was bad, so a batch is never lost to one broken record.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from notifier.cli import App, pass_app
from notifier.topics import load_classifier


@click.command()
@click.option(
    "--topics",
    "topics_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Topics file (default: topics_file from the settings).",
)
@pass_app
def classify(app: App, topics_path: Path | None) -> None:
    """Classify items read as JSON lines {"id", "title", "text"} from stdin."""
    classifier = load_classifier(topics_path or app.settings.topics_file)
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = _record(line)
        except ValueError as exc:
            click.echo(f"line {number}: {exc}", err=True)
            bad += 1
            continue
        matches = classifier.classify(
            title=record["title"], text=record["text"], procedural=record["procedural"]
        )
        result = {
            "id": record["id"],
            "topics": [m.topic for m in matches],
            "scores": {m.topic: m.score for m in matches},
            "evidence": {
                m.topic: [
                    {"term": e.term, "matched": e.matched, "where": e.where} for e in m.evidence
                ]
                for m in matches
            },
        }
        click.echo(json.dumps(result, ensure_ascii=False))
    if bad:
        click.echo(f"{bad} bad line(s) skipped", err=True)
        sys.exit(1)


def _record(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ValueError("not valid here: nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if "id" not in data or not isinstance(data["id"], str | int) or isinstance(data["id"], bool):
        raise ValueError('"id" is missing or not a string or number')
    for key in ("title", "text"):
        if not isinstance(data.get(key, ""), str):
            raise ValueError(f'"{key}" must be a string')
    if not data.get("title") and not data.get("text"):
        raise ValueError('needs a "title" or a "text"')
    return {
        "id": data["id"],
        "title": data.get("title", ""),
        "text": data.get("text", ""),
        "procedural": data.get("procedural") is True,
    }
