"""Crisis language in notes (SCIENCE.md 6.1 rule 1): true phrases found, idioms left alone."""

from __future__ import annotations

import pytest

from affectrange.safety import DEFAULT_CRISIS_PHRASES, find_crisis_language

CURLY = "\u2019"  # the typographic apostrophe phones and word processors type
NB_HYPHEN = "\u2011"  # a non-breaking hyphen

# Each note must raise the crisis card. Written the way people write in a diary: lower and upper
# case, straight, typographic and missing apostrophes, long forms, extra spaces and line breaks.
TRUE_PHRASES = [
    ("I want to kill myself", "kill myself"),
    ("KILL MYSELF", "kill myself"),
    (f"I{CURLY}m going to kill myself", "kill myself"),
    ("thinking about killing myself again", "killing myself"),
    ("I want to end my life", "end my life"),
    ("thought about   ending my life", "ending my life"),
    ("I want to take my own life", "take my own life"),
    ("I just want to end it all.", "end it all"),
    ("Sometimes I want to die", "want to die"),
    ("i wanna die", "wanna die"),
    ("I wish I was dead", "wish I was dead"),
    ("They'd all be better off without me", "better off without me"),
    ("I'd be Better Off Dead", "better off dead"),
    ("Having suicidal thoughts again", "suicidal"),
    ("Read about suicide tonight", "suicide"),
    ("I don't want to live anymore", "don't want to live"),
    (f"I don{CURLY}t want to live anymore", "don't want to live"),
    ("I dont want to live", "don't want to live"),
    ("I do not want to live like this", "don't want to live"),
    (f"I just don{CURLY}t want to be here anymore", "don't want to be here anymore"),
    ("I don't want to be here any more", "don't want to be here any more"),
    ("There's no reason to live", "no reason to live"),
    ("nothing to live for", "nothing to live for"),
    ("Life isn't worth living", "isn't worth living"),
    (f"Life isn{CURLY}t worth living", "isn't worth living"),
    ("life is not worth living", "not worth living"),
    ("I can't go on", "can't go on"),
    (f"I can{CURLY}t go on like this", "can't go on"),
    ("I CANNOT GO ON", "can't go on"),
    ("I cant go on", "can't go on"),
    ("I hurt myself again last night", "hurt myself"),
    ("I want to harm myself", "harm myself"),
    ("I cut myself", "cut myself"),
    ("Cut\nmyself after dinner", "cut myself"),
    ("Self-harm urges today", "self-harm"),
    ("self harm again", "self-harm"),
    ("selfharm", "self-harm"),
    (f"SELF{NB_HYPHEN}HARMING again", "self-harming"),  # a non-breaking hyphen, as phones insert
    ("thinking of taking an overdose", "overdose"),
    ("I wish I could go to sleep and never wake up again", "never wake up again"),
    ("I want to hang myself", "hang myself"),
]

# Each note must not raise the card: idioms, and ordinary words that contain a crisis word.
FALSE_PHRASES = [
    "I was dead tired after the night shift",
    "Killing it at work today!",
    "That cake was to die for",
    "I could die laughing at that show",
    "I'm dying to see the new film",
    "The stylist cut my hair too short",
    "The battery died on the way home",
    "My phone is dead again",
    "Missed the deadline, annoying",
    "A killer workout this morning",
    "I want to live somewhere warmer",
    "Hurt my back lifting boxes",
    "These shoes are killing me",
    "I'd kill for a coffee",
    "Cutting my losses on that project",
    "The end of my shift could not come soon enough",
    "Put pesticide on the roses",
    "Self-care day: a bath and a book",
    "Overdid it at the gym",
    "I feel flat and numb, nothing lands",
    "Better off staying in tonight",
    "The plant died while I was away",
    "Nothing to lose by asking",
    "I don't want to be here, this meeting is so long",
    "Spent my life savings on a bike",
]


@pytest.mark.parametrize(("note", "phrase"), TRUE_PHRASES)
def test_crisis_language_is_found(note: str, phrase: str) -> None:
    assert phrase in find_crisis_language(note)


def test_there_are_enough_true_and_false_examples() -> None:
    assert len(TRUE_PHRASES) >= 25
    assert len(FALSE_PHRASES) >= 20


@pytest.mark.parametrize("note", FALSE_PHRASES)
def test_idioms_and_ordinary_words_are_not_crisis_language(note: str) -> None:
    assert find_crisis_language(note) == ()


@pytest.mark.parametrize("phrase", DEFAULT_CRISIS_PHRASES)
def test_every_default_phrase_finds_itself_in_a_sentence(phrase: str) -> None:
    assert phrase in find_crisis_language(f"Today: {phrase.upper()}, again.")


@pytest.mark.parametrize(
    "note",
    [
        "I'm not suicidal",  # negation is not understood; showing help is harmless
        "Watched Suicide Squad",
        "I cut myself shaving",
        "I can't go on holiday this year",
    ],
)
def test_documented_false_positives_err_towards_showing_help(note: str) -> None:
    assert find_crisis_language(note) != ()


@pytest.mark.parametrize(
    "note",
    ["suicides", "unsuicidal", "overdoses", "selfharmony", "cut myselfish"],
)
def test_a_phrase_never_matches_inside_a_longer_word(note: str) -> None:
    assert find_crisis_language(note) == ()


@pytest.mark.parametrize("note", [None, "", "   \n"])
def test_no_text_finds_nothing(note: str | None) -> None:
    assert find_crisis_language(note) == ()


def test_phrases_come_back_in_list_order_each_once() -> None:
    note = "I want to kill myself. Suicidal again. I could kill myself. Kill   myself."

    assert find_crisis_language(note) == ("suicidal", "kill myself")


def test_the_default_list_is_ours_and_has_no_repeats() -> None:
    assert len(DEFAULT_CRISIS_PHRASES) >= 25
    assert len({phrase.casefold() for phrase in DEFAULT_CRISIS_PHRASES}) == len(
        DEFAULT_CRISIS_PHRASES
    )
    assert all(phrase == phrase.strip() for phrase in DEFAULT_CRISIS_PHRASES)


def test_a_custom_list_replaces_the_default() -> None:
    phrases = ["hopeless", "give up"]

    assert find_crisis_language("I feel hopeless, I want to give  up", phrases) == (
        "hopeless",
        "give up",
    )
    assert find_crisis_language("I want to kill myself", phrases) == ()


def test_custom_phrases_are_plain_text_not_regular_expressions() -> None:
    assert find_crisis_language("I feel like a ghost", ["a.*ghost"]) == ()
    assert find_crisis_language("nothing (again)", ["nothing (again)"]) == ("nothing (again)",)
    assert find_crisis_language("I need help!", ["help!"]) == ("help!",)
    assert find_crisis_language("blend it. end it.", ["end it."]) == ("end it.",)
    assert find_crisis_language("blend it.", ["end it."]) == ()


def test_custom_phrases_get_the_same_apostrophe_and_space_tolerance() -> None:
    phrases = ["won't wake up", f"I{CURLY}m done"]

    assert find_crisis_language("hope I wont\twake up", phrases) == ("won't wake up",)
    assert find_crisis_language("hope I will not wake up", phrases) == ("won't wake up",)
    assert find_crisis_language("i'm DONE", phrases) == (f"I{CURLY}m done",)
    assert find_crisis_language("I am done", phrases) == (f"I{CURLY}m done",)


def test_blank_custom_phrases_are_ignored_and_repeats_reported_once() -> None:
    phrases = ["", "  ", "Hopeless", "hopeless", "hope less"]

    assert find_crisis_language("hopeless", phrases) == ("Hopeless",)
    assert find_crisis_language("anything at all", ["", " "]) == ()
    assert find_crisis_language("anything at all", []) == ()


def test_a_single_string_is_refused_rather_than_read_letter_by_letter() -> None:
    with pytest.raises(TypeError):
        find_crisis_language("so sad", "suicide")
