"""Reading level: every learning page's body at Flesch-Kincaid grade 8 or lower (issue 7).

Measured with textstat 0.7.8 (pinned: it works offline) on the words a reader meets in the body
(headings, paragraphs, list items), without the "(Goodwin 2017)" citations, the list of sources,
the navigation or the shared crisis card. docs/learning.md records the grades.
"""

from __future__ import annotations

import pytest
import textstat  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

from affectrange.learning.content import PAGES
from tests.learning.helpers import body_text

MAX_GRADE = 8.0


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


@pytest.mark.parametrize("slug", [page.slug for page in PAGES])
def test_every_page_reads_at_grade_8_or_lower(client: TestClient, slug: str) -> None:
    response = client.get(f"/learn/{slug}")
    assert response.status_code == 200
    text = body_text(response.text)

    measured = grade(text)
    words = len(text.split())
    print(f"{slug}: Flesch-Kincaid grade {measured:.1f} ({words} words)")

    assert words >= 200, "too short to say anything useful"
    assert measured <= MAX_GRADE, f"{slug} reads at grade {measured:.1f}"


def test_the_measure_tells_plain_words_from_hard_ones() -> None:
    plain = "Your feelings have gone quiet. Good things feel less good. Bad things feel less bad."
    hard = (
        "Pharmacologically mediated attenuation of affective responsivity, encompassing "
        "diminished hedonic capacity alongside reduced negative emotionality, constitutes a "
        "frequently underrecognised consequence of serotonergic antidepressant administration."
    )

    assert grade(plain) <= MAX_GRADE < grade(hard)
