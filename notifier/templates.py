"""The one Jinja2 environment: mails, feeds and web pages share its rules.

* ``*.html.j2``, ``*.xml.j2`` and ``*.opml.j2`` are autoescaped; ``*.txt.j2`` are not.
* Every value loses the characters XML 1.0 forbids (``untrusted.clean_text``), so scraped text
  can never break a feed, a page or a mail.
* HTML mail templates (``email/*.html.j2``) get ``email/digest.css`` inlined once, when loaded:
  mail clients ignore ``<style>``. Jinja tags are swapped for placeholders (HTML comments between
  elements, plain tokens inside tags) that survive css-inline untouched, and swapped back before
  Jinja compiles the result.
* The ``safe_url`` filter keeps scraped links to http(s).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import css_inline
from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from notifier.errors import ConfigError
from notifier.untrusted import clean_text, safe_url

_ESCAPED = (".html.j2", ".xml.j2", ".opml.j2")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
MAIL_CSS = "email/digest.css"


def environment(templates_dir: Path) -> Environment:
    if not (templates_dir / "email" / "digest.html.j2").exists():
        raise ConfigError(f"{templates_dir}: templates not found (set templates_dir)")
    css = (templates_dir / MAIL_CSS).read_text(encoding="utf-8")
    env = Environment(
        loader=_Loader(templates_dir, css),
        autoescape=lambda name: bool(name and name.endswith(_ESCAPED)),
        undefined=StrictUndefined,
        finalize=_clean,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url
    return env


def _clean(value: object) -> object:
    if isinstance(value, Markup):  # already escaped (a rendered fragment): keep it safe
        return Markup(clean_text(value))
    return clean_text(value) if isinstance(value, str) else value


class _Loader(BaseLoader):
    """Files from the templates directory; HTML mail templates with the stylesheet inlined."""

    def __init__(self, directory: Path, css: str) -> None:
        self._files = FileSystemLoader(directory)
        self._css = css

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self._files.get_source(environment, template)
        if template.startswith("email/") and template.endswith(".html.j2"):
            fragment = not source.lstrip().lower().startswith("<!doctype")
            source = inline_css(source, self._css, fragment=fragment)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self._files.list_templates()


def inline_css(source: str, css: str, *, fragment: bool) -> str:
    """Inline ``css`` into a Jinja HTML template's markup without disturbing its tags."""
    tags: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        tags.append(match.group(0))
        before = source[: match.start()]
        if before.rfind("<") > before.rfind(">"):  # inside a tag, e.g. an attribute value
            return f"JINJATAG{len(tags) - 1}X"
        return f"<!--JINJATAG{len(tags) - 1}X-->"

    marked = _JINJA_TAG.sub(placeholder, source)
    if fragment:
        inlined = css_inline.inline_fragment(marked, css)
    else:
        inlined = css_inline.CSSInliner(extra_css=css).inline(marked)

    def restore(match: re.Match[str]) -> str:
        return tags[int(match.group(1))]

    return re.sub(r"(?:<!--|&lt;!--)?JINJATAG(\d+)X(?:--&gt;|-->)?", restore, inlined)
