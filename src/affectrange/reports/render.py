"""The report as a standalone HTML document (the web page and the PDF's source) and as a PDF.

The document carries its own print CSS (US Letter, a running footer with the page numbers and
the day it was generated) and draws the charts as inline SVG with the same templates as the
pages (`emotional_range/_chart.html`, `questionnaires/_trend_chart.html`). Text stays black;
the charts carry their meaning in dash patterns, marker shapes and grey shades as well as
colour, so the report reads printed in grey.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final
from zoneinfo import ZoneInfo

from affectrange.emotional_range.chart import ROLLING_DAYS, ROLLING_MIN_DAYS
from affectrange.emotional_range.service import MIN_CHECKINS
from affectrange.emotional_range.wording import LIMITS, long_day
from affectrange.reports.model import Report
from affectrange.web.templating import TEMPLATE_DIR, templates

DOCUMENT_TEMPLATE: Final = "reports/report.html"
CHART_STYLES: Final = TEMPLATE_DIR / "reports" / "_charts.css"
_SVG: Final = re.compile(r"(<svg\b[^>]*>)(.*?</svg>)", re.S)

# What each scope holds, in the words of the report's first section.
_SHARED_WORDS: Final = {
    "checkins": "daily check-ins and the analysis of them",
    "questionnaires": "questionnaire scores",
    "medications": "the medication timeline",
    "safety": "safety events (when the crisis card was shown, and why)",
}
_LEFT_OUT: Final = {
    "checkins": (
        "Check-ins are",
        ", so this report has no chart of feelings, no pattern and no before/after comparison.",
    ),
    "questionnaires": ("Questionnaires are", "."),
    "medications": (
        "The medication timeline is",
        ", so no medication events are shown and the analysis ran without them.",
    ),
    "safety": ("Safety events are", "."),
    "notes": ("Notes and the questions written for the appointment are", "."),
}


def render_html(report: Report) -> str:
    """The report as one HTML document, with its styles inline and its charts as SVG."""
    return _document(report, for_print=False)


def _document(report: Report, *, for_print: bool) -> str:
    context = report_context(report)
    context["for_print"] = for_print
    return templates.env.get_template(DOCUMENT_TEMPLATE).render(context)


def render_pdf(report: Report) -> bytes:
    """The report as a PDF (US Letter): the `render_html` document in its print version (no
    screen-reader tables, each chart series' dots as one path; see docs/benchmarks.md), drawn
    by WeasyPrint."""
    return pdf_from_html(_document(report, for_print=True))


def pdf_from_html(source: str) -> bytes:
    """A self-contained HTML document (styles inline, charts as inline SVG) as a PDF, drawn by
    WeasyPrint and fetching nothing: the report's path, shared by the preparation sheet."""
    # Imported here, not at the top: importing WeasyPrint (Pango, fonts, its CSS engine) takes
    # about 0.9 s, which every web worker and command would pay without ever printing.
    import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415  # ships no type hints

    document = weasyprint.HTML(string=_with_svg_styles(source), url_fetcher=_refuse)
    pdf: bytes = document.write_pdf()
    return pdf


def report_filename(report: Report) -> str:
    """ "affectrange-report-2026-08-29-to-2026-11-26.pdf": dates only, no name (the file may
    travel by e-mail)."""
    return f"affectrange-report-{report.first.isoformat()}-to-{report.last.isoformat()}.pdf"


def report_context(report: Report) -> dict[str, Any]:
    """What `reports/_body.html` needs: the report and the words around it."""
    generated = report.generated_at.astimezone(ZoneInfo(report.timezone))
    return {
        "report": report,
        "long_day": long_day,
        "generated_on": long_day(generated.date()),
        "shared": shared_words(report),
        "left_out": left_out_lines(report),
        "limits": LIMITS,
        "min_checkins": MIN_CHECKINS,
        "rolling_days": ROLLING_DAYS,
        "rolling_min_days": ROLLING_MIN_DAYS,
    }


def shared_words(report: Report) -> list[str]:
    words = [_SHARED_WORDS[name] for name in _SHARED_WORDS if getattr(report.scopes, name)]
    if report.questions:
        words.append("the questions written for the appointment")
    return words


def left_out_lines(report: Report) -> list[str]:
    """One line per part of the record the reader is not shown, saying why a section is absent."""
    where = "not included in this report" if report.prepared_for is None else "not shared with you"
    return [
        f"{subject} {where}{rest}"
        for name, (subject, rest) in _LEFT_OUT.items()
        if not getattr(report.scopes, name)
    ]


@functools.cache
def _chart_styles() -> str:
    return CHART_STYLES.read_text(encoding="utf-8")


def _with_svg_styles(html: str) -> str:
    """Each inline SVG with the chart styles inside it: WeasyPrint draws an inline SVG with the
    styles of that SVG only (the document's stylesheet does not reach into it), and it has no
    paint-order, so the white halo behind a label would be painted over the label."""
    style = f"<style>{_chart_styles()}</style>"

    def styled(match: re.Match[str]) -> str:
        start, rest = match.groups()
        # Legend swatches drawn with attributes only need none: WeasyPrint parses each copy.
        return start + style + rest if 'class="' in rest else start + rest

    return _SVG.sub(styled, html)


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    """The document is self-contained: nothing it names is fetched (a crafted name or note
    could otherwise make the server request an address)."""
    raise ValueError(f"the report fetches nothing ({url[:40]})")
