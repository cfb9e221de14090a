"""Reading a learning page the way its reader does: the words of its body, without citations."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "ul", "ol", "div", "section", "br"})
VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr"})


class _BodyText(HTMLParser):
    """Collects the text inside `data-testid="learn-body"`, one unit per block element, leaving
    out every `class="cite"` element (the "(Goodwin 2017)" references)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self._current: list[str] = []
        self._depth = 0  # open elements inside the body; 0 = outside
        self._cite_depth = 0  # open elements inside a citation; 0 = outside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._depth == 0:
            if found.get("data-testid") == "learn-body":
                self._depth = 1
            return
        if tag in BLOCKS:
            self._flush()
        if tag in VOID:
            return
        self._depth += 1
        if self._cite_depth or "cite" in (found.get("class") or "").split():
            self._cite_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth == 0 or tag in VOID:
            return
        if tag in BLOCKS:
            self._flush()
        self._depth -= 1
        if self._cite_depth:
            self._cite_depth -= 1
        if self._depth == 0:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._depth and not self._cite_depth:
            self._current.append(data)

    def _flush(self) -> None:
        # A citation taken out of "had it (Goodwin 2017)." leaves "had it ."
        unit = re.sub(r"\s+([.,;:!?])", r"\1", " ".join("".join(self._current).split()))
        self._current = []
        if unit:
            self.units.append(unit)


def body_units(page_html: str) -> list[str]:
    """The body's blocks of text (paragraphs, list items, headings), citations left out."""
    parser = _BodyText()
    parser.feed(page_html)
    parser.close()
    assert parser.units, "the page has no learn-body"
    return parser.units


def body_text(page_html: str) -> str:
    """The body as prose for a readability formula: each block a sentence of its own.

    A heading or a list item without a full stop ("Get help now if") ends where it ends on the
    page, so it gets one; otherwise the formula would run it into the next block as one long
    sentence.
    """
    units = body_units(page_html)
    return " ".join(unit if unit[-1] in ".!?:" else f"{unit}." for unit in units)
