"""The medication-advice guard: a deny-list over user-facing text (SCIENCE.md 6.2, hard rule 1).

SCIENCE.md 6.2: "No output may recommend stopping, reducing, skipping, tapering, switching or adding
any medication or supplement. Use a lint/test over all user-facing strings with a deny-list".
Stopping an antidepressant is followed by discontinuation symptoms in about a quarter of people, and
blunting is a common reason people want to stop, so an app about blunting must never be the voice
that says "stop". Those decisions belong to the prescriber (PRODUCT.md 1).

`medication_advice_in` flags advice *phrasing*, whatever the sentence around it means: "Don't stop
suddenly" contains "stop suddenly" and is flagged, although it is a warning. The one card allowed to
say it (SCIENCE.md 6.2 rule 2, "Don't stop suddenly; talk to your prescriber first ...") is exempted
by name in the test that scans the templates, not here, so the exemption stays visible and narrow.
Neutral routing ("Talk to your prescriber before making any change to your medication.") passes.

Choices, so the list is not widened or narrowed by accident:

- A verb counts as advice when it is about a medicine ("stop your medication", "skip a dose",
  "start an antidepressant"), so interface words pass: "Skip this question", "Stop reminders",
  "Start your check-in", "Add a note", "Increase the text size".
- SCIENCE.md's own examples match on their own, medicine or not: "stop taking", "taper", "come off"
  and "switch to". "Switch to the weekly view" is therefore flagged too: reword interface text
  ("Show the weekly view") rather than let "Switch to bupropion" through.
- "Stopping abruptly can cause discontinuation symptoms" passes (a fact, and the card's own second
  half); the imperative "stop suddenly" does not. "discontinuation" passes; "discontinue" does not.
- "you should take ..." is flagged whatever follows: the app never tells anyone what to take.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# Words for a medicine or its dose. Plural and singular; brand and generic names are not listed,
# because every pattern that needs a noun also catches "your"/"the" + noun, and the open patterns
# ("switch to", "start taking") catch a named drug.
_MEDICINE = (
    r"(?:medications?|medicines?|meds|tablets?|pills?|capsules?|antidepressants?|"
    r"ssris?|snris?|maois?|drugs?|doses?|dosages?|prescriptions?|treatment|supplements?)"
)
_DOSE = r"(?:doses?|dosages?)"
# "your", "my", "the", "this" ... and "today's"/"tonight's" with either apostrophe. "my" too: a
# suggested question in the person's voice ("Could I lower my dose?") is still our text.
_DETERMINER = r"(?:(?:your|my|our|the|this|that|these|those|one|(?:today|tonight)['\u2019]s)\s+)"

DEFAULT_MEDICATION_ADVICE_PATTERNS: tuple[str, ...] = (
    # Stopping.
    r"\bstop(?:s|ping)?\s+(?:taking|using)\b",
    rf"\bstop(?:s|ping)?\s+{_DETERMINER}{_MEDICINE}\b",
    r"\bstop\s+(?:(?:it|them)\s+)?(?:suddenly|abruptly|gradually|slowly|cold[\s-]+turkey)\b",
    r"\bquit(?:s|ting)?\s+(?:taking|using)\b",
    rf"\bquit(?:s|ting)?\s+{_DETERMINER}?{_MEDICINE}\b",
    r"\bdiscontinu(?:e|es|ing)\b",
    r"\bcom(?:e|es|ing)\s+off\b",
    r"\bwean(?:s|ing)?\s+(?:yourself\s+)?off\b",
    rf"\bget(?:s|ting)?\s+off\s+{_DETERMINER}?{_MEDICINE}\b",
    r"\bcold[\s-]+turkey\b",
    # Tapering: any form of the word; a taper is a prescriber's plan.
    r"\btaper(?:s|ed|ing)?\b",
    # Reducing.
    rf"\b(?:reduc(?:e|es|ing)|lower(?:s|ing)?|decreas(?:e|es|ing)|halv(?:e|es|ing)|"
    rf"cut(?:s|ting)?)\s+(?:down\s+)?{_DETERMINER}?{_MEDICINE}\b",
    rf"\bcut(?:s|ting)?\s+(?:down|back)\s+on\s+{_DETERMINER}?{_MEDICINE}\b",
    rf"\b(?:a\s+)?(?:lower|smaller|reduced)\s+{_DOSE}\b",
    r"\btak(?:e|es|ing)\s+(?:(?:it|them)\s+)?(?:less|fewer|half)\b",
    # Skipping.
    rf"\bskip(?:s|ping)?\s+(?:(?:a|an|another)\s+|{_DETERMINER})?{_MEDICINE}\b",
    r"\b(?:drug|medication|treatment)\s+holidays?\b",
    # Switching and adding.
    r"\bswitch(?:es|ing)?\s+to\b",
    rf"\bswitch(?:es|ing)?\s+(?:{_DETERMINER}|(?:a|an|another)\s+)?{_MEDICINE}\b",
    rf"\bchang(?:e|es|ing)\s+{_DETERMINER}{_MEDICINE}\b",
    rf"\b(?:try|trying|tries)\s+(?:a\s+different|another|a\s+new)\s+{_MEDICINE}\b",
    rf"\badd(?:s|ing)?\s+(?:a|an|another|some)\s+{_MEDICINE}\b",
    # Starting and increasing.
    r"\bstart(?:s|ing)?\s+taking\b",
    rf"\bstart(?:s|ing)?\s+(?:on\s+)?(?:(?:a|an|another)\s+|{_DETERMINER}){_MEDICINE}\b",
    rf"\b(?:increas(?:e|es|ing)|rais(?:e|es|ing)|doubl(?:e|es|ing))\s+{_DETERMINER}?{_MEDICINE}\b",
    rf"\b(?:a\s+)?(?:higher|bigger|double)\s+{_DOSE}\b",
    # Suggestions aimed at the reader.
    r"\byou\s+(?:should|could|ought\s+to|need\s+to|must|might\s+want\s+to|may\s+want\s+to)"
    r"\s+(?:try\s+)?(?:take|taking|stop|reduce|lower|increase|skip|quit|taper|come\s+off)\b",
    r"\b(?:try|trying|consider|considering)\s+(?:taking|stopping|switching|reducing|"
    r"lowering|increasing|skipping|tapering|quitting|coming\s+off|cutting)\b",
)
"""Regular expressions, matched ignoring case; each names its own word boundaries."""


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


def medication_advice_in(
    text: str, patterns: Sequence[str] = DEFAULT_MEDICATION_ADVICE_PATTERNS
) -> tuple[str, ...]:
    """The advice phrasings found in `text`, as written there, in reading order, each once.

    Whitespace inside a phrasing (a line break in a template) is kept as found; two findings are the
    same when they differ only in case or spacing. () means the text passes.
    """
    if isinstance(patterns, str):
        raise TypeError("patterns must be a sequence of patterns, not one string")
    hits: list[tuple[int, str]] = []
    for pattern in _compiled(tuple(patterns)):
        hits.extend((match.start(), match.group(0)) for match in pattern.finditer(text))
    found: list[str] = []
    seen: set[str] = set()
    for _, phrasing in sorted(hits):
        key = " ".join(phrasing.casefold().split())
        if key not in seen:
            seen.add(key)
            found.append(phrasing)
    return tuple(found)
