"""Crisis language in free text: the passive trigger of the safety net (SCIENCE.md 6.1, rule 1).

SCIENCE.md 6.1 asks for crisis resources "on crisis keywords in free text (configurable list)". This
module only says *which* phrases a note contains; it does not assess risk (6.1 rule 6: the software
routes, it never scores). Showing the crisis card is harmless, missing a person in danger is not, so
the list errs towards matching:

- **Negation is not understood.** "I'm not suicidal" matches "suicidal". Keyword matching cannot
  tell denial from disclosure, and a wrong guess would hide help from someone who needs it.
- **Accepted false positives**, documented so nobody "fixes" them by accident: "suicide squad" and
  "suicide prevention" (any mention of suicide shows resources), "cut myself shaving" or "cut myself
  a slice of cake" ("cut myself"), "hurt myself at the gym" ("hurt myself"), "overdose on sugar"
  ("overdose"), "I can't go on holiday" ("can't go on": people write "I can't go on." at the end of
  a sentence, which a plain phrase cannot tell apart from the holiday).
- **Idioms that must not match**, and do not, because no phrase contains them: "dead tired",
  "killing it", "to die for", "I could die laughing", "dying to see", "the battery died",
  "this is killing me", "I'd kill for a coffee", "cut my hair". "I don't want to be here" alone is
  left out (a dull meeting), "... anymore" is in.

Matching rules (for the default list and for any configured list): phrases are plain text, never
regular expressions; a phrase matches as whole words (no match inside a longer word), ignoring
case; any run of whitespace (spaces, tabs, new lines, no-break spaces) matches the space between
two words; an apostrophe matches a straight or a curly one, or none ("don't", "dont"); a common
negative contraction also matches its long form ("don't" matches "do not", "can't" matches "cannot"
and "can not"); a hyphen inside a word matches a hyphen, a space or nothing ("self-harm",
"self harm", "selfharm"). Word endings are not guessed: "self-harm" does not match "self-harming",
which is why both are listed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

DEFAULT_CRISIS_PHRASES: tuple[str, ...] = (
    # Suicide named outright.
    "suicide",
    "suicidal",
    # Ending one's life, in the words people use in a diary.
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "taking my own life",
    "end it all",
    "hang myself",
    "overdose",
    "overdosed",
    # Wishing to be dead or gone.
    "want to die",
    "wanna die",
    "wish I was dead",
    "wish I were dead",
    "better off dead",
    "better off without me",
    "never wake up again",
    # No reason to go on.
    "no reason to live",
    "nothing to live for",
    "not worth living",
    "isn't worth living",
    "don't want to live",
    "don't want to be alive",
    "don't want to exist",
    "don't want to be here anymore",
    "don't want to be here any more",
    "can't go on",
    # Self-harm: numbness comes with self-harm "to feel something" (PRODUCT.md 1).
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "cut myself",
    "cutting myself",
    "self-harm",
    "self-harming",
    "self-harmed",
)
"""The project's own list (not taken from any published instrument; C-SSRS is licensed)."""

# Straight and typographic apostrophes, and the look-alikes phones and word processors put in.
_APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4\u2032"
# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash.
_HYPHENS = "-\u2010\u2011\u2012\u2013"
_APOSTROPHE = f"[{re.escape(_APOSTROPHES)}]?"
_HYPHEN = rf"(?:\s*[{re.escape(_HYPHENS)}]\s*|\s+)?"
_WORD_SPLIT = re.compile(f"([{re.escape(_APOSTROPHES + _HYPHENS)}])")
_TO_STRAIGHT_APOSTROPHE = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))

# Long forms of negative contractions: a diary may say "I do not want to live" as well as "don't".
_CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "can't": ("cannot", "can not"),
    "won't": ("will not",),
    "don't": ("do not",),
    "doesn't": ("does not",),
    "didn't": ("did not",),
    "isn't": ("is not",),
    "wasn't": ("was not",),
    "wouldn't": ("would not",),
    "couldn't": ("could not",),
    "i'm": ("i am",),
}


def _as_written(word: str) -> str:
    """One word as a pattern: apostrophes optional and of any kind, hyphens loose."""
    pieces: list[str] = []
    for piece in _WORD_SPLIT.split(word):
        if not piece:
            continue
        if piece in _APOSTROPHES:
            pieces.append(_APOSTROPHE)
        elif piece in _HYPHENS:
            pieces.append(_HYPHEN)
        else:
            pieces.append(re.escape(piece))
    return "".join(pieces)


def _word_pattern(word: str) -> str:
    forms = [_as_written(word)]
    for long_form in _CONTRACTIONS.get(word.translate(_TO_STRAIGHT_APOSTROPHE).casefold(), ()):
        forms.append(r"\s+".join(re.escape(part) for part in long_form.split()))
    return forms[0] if len(forms) == 1 else f"(?:{'|'.join(forms)})"


def _key(phrase: str) -> str:
    """What makes two spellings of a phrase the same phrase (for "each once")."""
    return " ".join(phrase.translate(_TO_STRAIGHT_APOSTROPHE).casefold().split())


@lru_cache(maxsize=1024)
def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """The compiled pattern for one plain-text phrase; None for a blank phrase.

    A blank entry in a configured list would otherwise match every note; it is ignored instead.
    Lookarounds rather than \\b give whole-word matching even when a phrase starts or ends with
    punctuation ("end it." must not match inside "blend it.").
    """
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(_word_pattern(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_crisis_language(
    text: str | None, phrases: Sequence[str] = DEFAULT_CRISIS_PHRASES
) -> tuple[str, ...]:
    """The phrases that occur in `text`, in the order of `phrases`, each once; () for no text.

    Phrases come back as spelled in the list (the first spelling, when a list repeats one).
    """
    if isinstance(phrases, str):
        # A lone string is a Sequence[str] of letters; every "s" would be a crisis phrase.
        raise TypeError("phrases must be a sequence of phrases, not one string")
    if not text:
        return ()
    found: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        key = _key(phrase)
        if key in seen:
            continue
        pattern = phrase_pattern(phrase)
        if pattern is not None and pattern.search(text):
            found.append(phrase)
            seen.add(key)
    return tuple(found)
