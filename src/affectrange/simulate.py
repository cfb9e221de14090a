"""Simulated daily check-ins whose truth is known, for the demo, the analysis tests and benchmarks.

The analysis can only be trusted on people whose pattern we know, and real diaries never come with
one. This module generates them from explicit parameters, so a test can say "this person became
blunted on 3 March, 23 days after starting sertraline" and check that the analysis finds it.

Model, for one person and day t (all on the 0..6 item scale):

    PA_t = m_PA(t) + d_PA,t + r_PA(t) * b_PA * (max(E_t, 0) - mean) + r_PA(t) * c_PA,t
    NA_t = m_NA(t) + d_NA,t + r_NA(t) * b_NA * (max(-E_t, 0) - mean) + r_NA(t) * c_NA,t
    d_t  = phi * d_(t-1) + v(t) * sd * z_t              (AR(1); PA and NA innovations correlated)
    item = clip(round(latent of its valence + item offset + N(0, item_noise_sd)), 0, 6)

`m(t)` is the baseline mean plus the effects switched on so far, `v(t)` and `r(t)` the effects'
variability and reactivity scales, `E_t` the day's event pleasantness (-3..+3) and `c_t` the day's
context (sleep, exercise, time with people, last night's drinks). Event and context terms are
centred, so the baseline parameters stay the long-run means and a change of reactivity never moves
a mean.

The scenario sizes are design targets, not published estimates: no study reports how much an SSRI
shrinks daily affect SD or reactivity (SCIENCE.md 4.2). They are chosen so that the heuristics of
SCIENCE.md 4.4, comparing the last 28 days with a 28-day pre-medication baseline, can tell the
scenarios apart, while every level, SD and lag stays within what daily diaries show.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal, NamedTuple, TypeVar, get_args

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.events import EventKind, MedicationEvent
from affectrange.analysis.items import (
    EVENT_ITEM,
    EVENT_MAX,
    EVENT_MIN,
    ITEM_IDS,
    ITEM_MAX,
    ITEM_MIN,
    NEGATIVE_ITEMS,
    POSITIVE_ITEMS,
)

__all__ = [
    "DEMO_DOSE_CHANGE_DAY",
    "DEMO_START_DAY",
    "ITEM_OFFSETS",
    "LONG_HEADER",
    "MEDICATIONS_HEADER",
    "MIN_SCENARIO_DAYS",
    "SCENARIOS",
    "WIDE_HEADER",
    "WINDOW_DAYS",
    "Effect",
    "EventKind",
    "GroundTruth",
    "LatentSeries",
    "MedicationEvent",
    "PatternName",
    "PersonParams",
    "SimulatedDay",
    "SimulatedPerson",
    "demo_story",
    "scenario_params",
    "simulate_cohort",
    "simulate_latent",
    "simulate_person",
    "write_long_csv",
    "write_medications_csv",
    "write_wide_csv",
]

_T = TypeVar("_T")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

PatternName = Literal[
    "blunting_like", "anhedonia_like", "depressed_affect", "no_pattern", "insufficient_data"
]
_PATTERNS: Final = frozenset(get_args(PatternName))

SCENARIOS: Final[tuple[str, ...]] = (
    "no_change",
    "blunting_after_start",
    "blunting_after_dose_increase",
    "response_to_medication",
    "anhedonia",
    "depressed_affect",
    "blunting_from_start_no_medication",
    "medication_no_effect",
    "missing_days",
)

WINDOW_DAYS: Final = 28
"""The analysis window: the last 28 days, compared with a 28-day baseline before the first event."""

_EARLIEST_CHANGE_DAY: Final = 35
"""A week more than the baseline window, so a few missed days still leave a full 28-day baseline."""

MIN_SCENARIO_DAYS: Final = 150
"""The longest scenario (dose increase) needs 35 + 42 + 28 + 14 + 28 days, rounded up."""

ITEM_OFFSETS: Final[Mapping[str, float]] = {
    # Items of one valence are not rated alike: people feel calm or stressed more often than proud
    # or guilty. Offsets sum to zero per valence, so the item mean tracks the latent level.
    "joyful": 0.0,
    "calm": 0.3,
    "interested": 0.4,
    "close": 0.1,
    "proud": -0.6,
    "amused": -0.3,
    "hopeful": 0.1,
    "sad": 0.0,
    "anxious": 0.4,
    "irritable": 0.1,
    "guilty": -0.5,
    "stressed": 0.5,
    "lonely": -0.5,
    "numb": 0.0,
    "indifferent": -0.2,
    "detached": 0.2,
}

_EVENT_VALUES: Final = np.arange(EVENT_MIN, EVENT_MAX + 1)
# The day's most important event: mostly mild, sometimes strong, a little more often pleasant than
# not. Unpleasant events are made common (40% of rated days) so that a 28-day window holds nine or
# ten of them on average, near the ten SCIENCE.md 4.3 asks for before estimating NA reactivity.
_EVENT_PROBABILITIES: Final = np.array([0.05, 0.12, 0.23, 0.12, 0.25, 0.16, 0.07])

_PA_NA_INNOVATION_CORRELATION: Final = -0.4
"""Within-person daily PA and NA move against each other, moderately, in diary studies."""


# --------------------------------------------------------------------------------------------------
# Parameters and results


@dataclass(frozen=True, slots=True)
class Effect:
    """A change in a person's affect that begins some days after an anchor and ramps up linearly.

    Shifts add to the latent means; scales multiply. The common `variability_scale` and
    `reactivity_scale` act on PA and NA together (blunting flattens both); the `pa_`/`na_` scales
    multiply on top of them for changes that touch one valence only (anhedonia, depression).
    """

    onset_lag_days: int
    """Days from the anchor to the first day of the change."""
    ramp_days: int
    """The change grows linearly to full size over this many days (0: all at once)."""
    pa_shift: float = 0.0
    na_shift: float = 0.0
    numbness_shift: float = 0.0
    variability_scale: float = 1.0
    reactivity_scale: float = 1.0
    pa_variability_scale: float = 1.0
    na_variability_scale: float = 1.0
    pa_reactivity_scale: float = 1.0
    na_reactivity_scale: float = 1.0
    item_noise_scale: float = 1.0
    """Multiplies the item-level noise. Blunted people describe feeling "the same about
    everything", so their items spread less around the day's level (less differentiation)."""

    def __post_init__(self) -> None:
        if self.onset_lag_days < 0 or self.ramp_days < 0:
            raise ValueError("onset_lag_days and ramp_days cannot be negative")
        scales = (
            self.variability_scale,
            self.reactivity_scale,
            self.pa_variability_scale,
            self.na_variability_scale,
            self.pa_reactivity_scale,
            self.na_reactivity_scale,
            self.item_noise_scale,
        )
        if any(scale < 0 for scale in scales):
            raise ValueError("scales cannot be negative")


EffectAnchor = int | dt.date
"""An index into `PersonParams.medication_events`, or a date for a change no medication preceded."""


@dataclass(frozen=True, slots=True)
class PersonParams:
    """Everything that defines one simulated person; with a seed it fixes every rating."""

    pa_baseline: float
    """Latent positive-affect mean before any effect, on the 0..6 scale."""
    na_baseline: float
    numbness_baseline: float
    pa_sd: float
    """Day-to-day innovation SD of the latent PA series (the stationary SD is larger by
    1 / sqrt(1 - phi^2))."""
    na_sd: float
    autocorrelation: float
    """AR(1) phi of the latent daily series, 0 <= phi < 1 (emotional inertia)."""
    pa_reactivity: float
    """Latent PA rises by this much per point of pleasant event."""
    na_reactivity: float
    """Latent NA rises by this much per point of unpleasant event."""
    item_noise_sd: float
    """Item-level noise around the latent valence level; it is what makes emotions of one valence
    differ within a day (emodiversity)."""
    missing_day_probability: float
    """Chance that a day has no check-in at all, independently per day."""
    medication_events: tuple[MedicationEvent, ...] = ()
    effects: tuple[tuple[EffectAnchor, Effect], ...] = ()
    """(anchor, effect) pairs; the anchor is an index into `medication_events` or a date."""
    context: bool = True
    """Also simulate sleep, exercise, time with people and drinks; they move affect a little."""
    numbness_sd: float = 0.35
    """Innovation SD of latent numbness. Effects' variability scales leave it alone: numbness rates
    the flatness itself, it is not one of the feelings that flatten."""
    no_event_probability: float = 0.12
    """Chance that an answered day has no rated event."""

    def __post_init__(self) -> None:
        if not 0 <= self.autocorrelation < 1:
            raise ValueError("autocorrelation must be in [0, 1)")
        spreads = (self.pa_sd, self.na_sd, self.numbness_sd, self.item_noise_sd)
        if any(spread < 0 for spread in spreads):
            raise ValueError("standard deviations cannot be negative")
        for name in ("missing_day_probability", "no_event_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1]")
        for anchor, _ in self.effects:
            if isinstance(anchor, int) and not 0 <= anchor < len(self.medication_events):
                raise ValueError(f"effect anchor {anchor} is not a medication event index")

    def anchor_date(self, anchor: EffectAnchor) -> dt.date:
        """The date an effect's onset lag counts from."""
        if isinstance(anchor, dt.date):
            return anchor
        return self.medication_events[anchor].date


@dataclass(frozen=True, slots=True)
class SimulatedDay:
    """One answered check-in. Days without a check-in are absent from `SimulatedPerson.days`."""

    date: dt.date
    items: Mapping[str, int]
    """All 16 affect items, keyed by item id, each 0..6."""
    event_pleasantness: int | None
    """-3..+3, or None when no event was rated."""
    sleep_hours: float | None = None
    exercise_minutes: int | None = None
    social_minutes: int | None = None
    alcohol_drinks: int | None = None


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What an analysis should find for the person (CONTRACTS.md section 3 vocabulary)."""

    scenario: str
    expected_pattern: PatternName
    """The pattern of the LAST 28 days."""
    onset_date: dt.date | None = None
    """First day of a blunting-like change; None when there is none or it is there from day one."""
    after_event: MedicationEvent | None = None
    """The medication event the blunting-like change followed, as the analysis should name it."""

    def __post_init__(self) -> None:
        if self.expected_pattern not in _PATTERNS:
            raise ValueError(f"unknown pattern {self.expected_pattern!r}")


@dataclass(frozen=True, slots=True)
class SimulatedPerson:
    """A simulated person's answered days, with what made them and what an analysis should find."""

    person_id: str
    params: PersonParams
    days: tuple[SimulatedDay, ...]
    truth: GroundTruth
    seed: int | None = None
    """The seed `simulate_person` was called with, so one person of a cohort can be regenerated."""

    @property
    def medication_events(self) -> tuple[MedicationEvent, ...]:
        return self.params.medication_events


@dataclass(frozen=True, slots=True, eq=False)
class LatentSeries:
    """The latent daily levels behind the ratings, one entry per calendar day (answered or not)."""

    first: dt.date
    pa: FloatArray
    """The day's latent PA: mean + AR(1) deviation + event and context terms."""
    na: FloatArray
    numbness: FloatArray
    pa_mean: FloatArray
    """The effect-shifted mean m_PA(t) the AR(1) process runs around."""
    na_mean: FloatArray
    numbness_mean: FloatArray
    event: IntArray
    """The day's event pleasantness; 0 where `event_rated` is False."""
    event_rated: BoolArray
    item_noise_sd: FloatArray
    """The day's SD of item noise around the latent levels."""


# --------------------------------------------------------------------------------------------------
# The generative model


class _Streams(NamedTuple):
    """One generator per source of randomness.

    Separate streams keep the sources independent of each other's parameters: the same seed with a
    higher missing-day probability drops days from the same affect series instead of drawing a
    different one, which is what a test comparing the two wants.
    """

    events: np.random.Generator
    affect: np.random.Generator
    items: np.random.Generator
    missing: np.random.Generator
    context: np.random.Generator


def _streams(seed: int) -> _Streams:
    children = np.random.SeedSequence(seed).spawn(len(_Streams._fields))
    return _Streams(*(np.random.default_rng(child) for child in children))


class _Trajectory(NamedTuple):
    """Per-day means and scales after adding up every effect switched on by then."""

    pa_mean: FloatArray
    na_mean: FloatArray
    numbness_mean: FloatArray
    pa_variability: FloatArray
    na_variability: FloatArray
    pa_reactivity: FloatArray
    na_reactivity: FloatArray
    item_noise: FloatArray


def _ramp(first_day: int, ramp_days: int, n_days: int) -> FloatArray:
    """Share of an effect in force on each day: 0 before `first_day`, then 1/ramp, 2/ramp, ... 1."""
    days = np.arange(n_days, dtype=np.float64)
    if ramp_days == 0:
        return (days >= first_day).astype(np.float64)
    return np.clip((days - first_day + 1) / ramp_days, 0.0, 1.0)


def _toward(scale: float, share: FloatArray) -> FloatArray:
    """A multiplier that moves linearly from 1 to `scale` as an effect ramps up."""
    return 1 + share * (scale - 1)


def _trajectory(params: PersonParams, start: dt.date, n_days: int) -> _Trajectory:
    ones = np.ones(n_days)
    pa_mean, na_mean = params.pa_baseline * ones, params.na_baseline * ones
    numbness_mean = params.numbness_baseline * ones
    pa_var, na_var, pa_react, na_react = ones, ones, ones, ones
    item_noise = params.item_noise_sd * ones
    for anchor, effect in params.effects:
        first_day = (params.anchor_date(anchor) - start).days + effect.onset_lag_days
        share = _ramp(first_day, effect.ramp_days, n_days)
        pa_mean = pa_mean + share * effect.pa_shift
        na_mean = na_mean + share * effect.na_shift
        numbness_mean = numbness_mean + share * effect.numbness_shift
        # Scales compound: a dose increase that deepens blunting multiplies the first effect's.
        pa_var = pa_var * _toward(effect.variability_scale * effect.pa_variability_scale, share)
        na_var = na_var * _toward(effect.variability_scale * effect.na_variability_scale, share)
        pa_react = pa_react * _toward(effect.reactivity_scale * effect.pa_reactivity_scale, share)
        na_react = na_react * _toward(effect.reactivity_scale * effect.na_reactivity_scale, share)
        item_noise = item_noise * _toward(effect.item_noise_scale, share)
    return _Trajectory(
        pa_mean, na_mean, numbness_mean, pa_var, na_var, pa_react, na_react, item_noise
    )


def _ar1(innovations: FloatArray, phi: float) -> FloatArray:
    """AR(1) deviations started at 0; a plain loop is fastest at diary lengths (a few hundred)."""
    deviations: list[float] = []
    previous = 0.0
    for shock in innovations.tolist():
        previous = phi * previous + shock
        deviations.append(previous)
    return np.array(deviations, dtype=np.float64)


def _draw_events(
    rng: np.random.Generator, n_days: int, no_event_probability: float
) -> tuple[IntArray, BoolArray]:
    values = rng.choice(_EVENT_VALUES, size=n_days, p=_EVENT_PROBABILITIES).astype(np.int64)
    rated = rng.random(n_days) >= no_event_probability
    return np.where(rated, values, 0), rated


def _expected_event_part(sign: int, no_event_probability: float) -> float:
    """Mean of max(sign * E, 0) over all days (unrated days count as 0), used for centring."""
    parts = np.maximum(sign * _EVENT_VALUES, 0)
    return float((1 - no_event_probability) * np.dot(parts, _EVENT_PROBABILITIES))


class _Context(NamedTuple):
    sleep_hours: FloatArray
    exercise_minutes: IntArray
    social_minutes: IntArray
    alcohol_drinks: IntArray
    pa_effect: FloatArray
    """Centred push of the day's context on latent PA, before reactivity scaling."""
    na_effect: FloatArray
    reported: BoolArray
    """Shape (n_days, 4): whether each optional context field was filled in."""


# Context effect sizes, per hour of sleep, exercise day, SD of social time and drink the night
# before. They are small next to events on purpose: in diaries each explains a few percent of
# daily affect variance, and an analysis of associations should find them but not be swamped.
_CONTEXT_PA_WEIGHTS: Final = np.array([0.20, 0.30, 0.12, -0.05])
_CONTEXT_NA_WEIGHTS: Final = np.array([-0.15, -0.10, -0.10, 0.12])
_CONTEXT_SKIP_PROBABILITY: Final = 0.08
_FRIDAY, _SATURDAY = 4, 5


def _draw_context(rng: np.random.Generator, start: dt.date, n_days: int) -> _Context:
    """Sleep, exercise, social time and drinks with person-level habits and weekend rhythm."""
    weekday = (start.weekday() + np.arange(n_days)) % 7
    weekend_night = (weekday == _FRIDAY) | (weekday == _SATURDAY)
    weekend_day = weekday >= _SATURDAY

    sleep_habit = rng.uniform(6.3, 7.8)
    sleep = np.clip(np.round(rng.normal(sleep_habit, 0.9, n_days) * 2) / 2, 3.0, 11.0)

    exercised = rng.random(n_days) < rng.uniform(0.2, 0.6)
    session = np.clip(5 * np.round(rng.lognormal(math.log(35), 0.5, n_days) / 5), 10, 180)
    exercise = np.where(exercised, session, 0).astype(np.int64)

    sociability = rng.normal(size=n_days) + 0.4 * weekend_day
    alone_all_day = sociability < -1.5
    social_median = rng.uniform(60, 180)
    social_time = np.clip(5 * np.round(social_median * np.exp(0.7 * sociability) / 5), 5, 960)
    social = np.where(alone_all_day, 0, social_time).astype(np.int64)

    drink_probability = np.clip(rng.uniform(0.05, 0.35) * np.where(weekend_night, 2.0, 1.0), 0, 0.9)
    drank = rng.random(n_days) < drink_probability
    drinks = np.where(drank, np.minimum(1 + rng.poisson(1.0, n_days), 10), 0).astype(np.int64)
    # Drinks in the evening show in the next day's mood.
    last_night = np.concatenate(([0.0], drinks[:-1].astype(np.float64)))

    reported = rng.random((n_days, 4)) >= _CONTEXT_SKIP_PROBABILITY
    drivers = np.column_stack((sleep, exercised, sociability, last_night))
    centred = drivers - drivers.mean(axis=0)
    pa_effect: FloatArray = centred @ _CONTEXT_PA_WEIGHTS
    na_effect: FloatArray = centred @ _CONTEXT_NA_WEIGHTS
    return _Context(sleep, exercise, social, drinks, pa_effect, na_effect, reported)


def _latent(
    params: PersonParams, start: dt.date, n_days: int, streams: _Streams
) -> tuple[LatentSeries, _Context | None]:
    path = _trajectory(params, start, n_days)
    event, rated = _draw_events(streams.events, n_days, params.no_event_probability)

    z = streams.affect.standard_normal((n_days, 3))
    rho = _PA_NA_INNOVATION_CORRELATION
    pa_shock = params.pa_sd * path.pa_variability * z[:, 0]
    na_shock = (
        params.na_sd * path.na_variability * (rho * z[:, 0] + math.sqrt(1 - rho**2) * z[:, 1])
    )
    numbness_shock = params.numbness_sd * z[:, 2]
    phi = params.autocorrelation

    pleasant = np.maximum(event, 0) - _expected_event_part(+1, params.no_event_probability)
    unpleasant = np.maximum(-event, 0) - _expected_event_part(-1, params.no_event_probability)
    pa = path.pa_mean + _ar1(pa_shock, phi) + path.pa_reactivity * params.pa_reactivity * pleasant
    na = path.na_mean + _ar1(na_shock, phi) + path.na_reactivity * params.na_reactivity * unpleasant

    context = _draw_context(streams.context, start, n_days) if params.context else None
    if context is not None:
        # Context is part of what a blunted person reacts less to, so it scales with reactivity.
        pa = pa + path.pa_reactivity * context.pa_effect
        na = na + path.na_reactivity * context.na_effect

    numbness = path.numbness_mean + _ar1(numbness_shock, phi)
    series = LatentSeries(
        first=start,
        pa=pa,
        na=na,
        numbness=numbness,
        pa_mean=path.pa_mean,
        na_mean=path.na_mean,
        numbness_mean=path.numbness_mean,
        event=event,
        event_rated=rated,
        item_noise_sd=path.item_noise,
    )
    return series, context


_ITEM_VALENCE_COLUMN: Final = np.array(
    [0 if item in POSITIVE_ITEMS else 1 if item in NEGATIVE_ITEMS else 2 for item in ITEM_IDS]
)
_ITEM_OFFSET_ROW: Final = np.array([ITEM_OFFSETS[item] for item in ITEM_IDS])


def _ratings(latent: LatentSeries, rng: np.random.Generator) -> IntArray:
    """Shape (n_days, 16) integer ratings in ITEM_IDS order."""
    levels = np.column_stack((latent.pa, latent.na, latent.numbness))[:, _ITEM_VALENCE_COLUMN]
    noise = rng.standard_normal(levels.shape) * latent.item_noise_sd[:, np.newaxis]
    rounded = np.rint(levels + _ITEM_OFFSET_ROW + noise)
    ratings: IntArray = np.clip(rounded, ITEM_MIN, ITEM_MAX).astype(np.int64)
    return ratings


def _answered_days(
    rng: np.random.Generator, n_days: int, probability: float, *, keep_last_day: bool
) -> BoolArray:
    answered = rng.random(n_days) >= probability
    if keep_last_day and n_days:
        answered[-1] = True
    return answered


def _reported(values: list[_T], shown: list[bool]) -> list[_T | None]:
    return [value if show else None for value, show in zip(values, shown, strict=True)]


class _ContextColumns(NamedTuple):
    """Context as plain Python lists with None where the person left a field empty."""

    sleep_hours: Sequence[float | None]
    exercise_minutes: Sequence[int | None]
    social_minutes: Sequence[int | None]
    alcohol_drinks: Sequence[int | None]


def _context_columns(context: _Context | None, n_days: int) -> _ContextColumns:
    if context is None:
        nothing: list[None] = [None] * n_days
        return _ContextColumns(nothing, nothing, nothing, nothing)
    shown = context.reported.T.tolist()
    return _ContextColumns(
        _reported(context.sleep_hours.tolist(), shown[0]),
        _reported(context.exercise_minutes.tolist(), shown[1]),
        _reported(context.social_minutes.tolist(), shown[2]),
        _reported(context.alcohol_drinks.tolist(), shown[3]),
    )


def _build_days(
    start: dt.date,
    ratings: IntArray,
    latent: LatentSeries,
    context: _Context | None,
    answered: BoolArray,
) -> tuple[SimulatedDay, ...]:
    """Turn arrays into day records of plain ints and floats, so no NumPy scalar leaks out.

    Everything is converted with one `tolist()` per array first: indexing arrays day by day
    costs more than all the simulation before it.
    """
    rows = ratings.tolist()
    events = _reported(latent.event.tolist(), latent.event_rated.tolist())
    extra = _context_columns(context, len(rows))
    return tuple(
        SimulatedDay(
            date=start + dt.timedelta(days=t),
            items=dict(zip(ITEM_IDS, rows[t], strict=True)),
            event_pleasantness=events[t],
            sleep_hours=extra.sleep_hours[t],
            exercise_minutes=extra.exercise_minutes[t],
            social_minutes=extra.social_minutes[t],
            alcohol_drinks=extra.alcohol_drinks[t],
        )
        for t in np.flatnonzero(answered).tolist()
    )


# --------------------------------------------------------------------------------------------------
# Simulating one person


def simulate_latent(
    params: PersonParams, *, start: dt.date, n_days: int, seed: int
) -> LatentSeries:
    """The latent series behind `simulate_person` with the same arguments.

    Tests of the analysis use it to compare estimates with the truth they estimate (the AR(1) phi,
    the reactivity slopes, the level a window should show) without the rounding of the ratings.
    """
    _check_length(n_days)
    latent, _ = _latent(params, start, n_days, _streams(seed))
    return latent


def simulate_person(
    params: PersonParams,
    *,
    start: dt.date,
    n_days: int,
    seed: int,
    person_id: str = "p001",
    scenario: str = "custom",
    expected_pattern: PatternName = "no_pattern",
    onset_date: dt.date | None = None,
    after_event: MedicationEvent | None = None,
    keep_last_day: bool = False,
) -> SimulatedPerson:
    """Generate one person's daily check-ins from explicit parameters.

    Parameters
    ----------
    params
        The person; see `PersonParams` and the model in the module docstring.
    start, n_days
        Calendar days ``start`` .. ``start + n_days - 1`` are simulated; missed days are left out.
    seed
        Everything (events, affect, item noise, missed days, context) follows from it.
    person_id, scenario, expected_pattern, onset_date, after_event
        Copied into `SimulatedPerson.truth`; the caller knows what the parameters mean.
    keep_last_day
        Always answer the last day, for a demo person who has checked in today.

    Returns
    -------
    SimulatedPerson
        Answered days in date order, with the parameters, truth and seed.

    Examples
    --------
    >>> person = simulate_person(
    ...     PersonParams(3.5, 1.2, 0.6, 0.6, 0.5, 0.4, 0.4, 0.5, 0.5, 0.0),
    ...     start=dt.date(2026, 1, 1), n_days=30, seed=1)
    >>> len(person.days), sorted(person.days[0].items) == sorted(ITEM_IDS)
    (30, True)
    """
    truth = GroundTruth(scenario, expected_pattern, onset_date, after_event)
    return _simulate(
        params,
        start=start,
        n_days=n_days,
        seed=seed,
        person_id=person_id,
        truth=truth,
        keep_last_day=keep_last_day,
    )


def _simulate(
    params: PersonParams,
    *,
    start: dt.date,
    n_days: int,
    seed: int,
    person_id: str,
    truth: GroundTruth,
    keep_last_day: bool = False,
) -> SimulatedPerson:
    _check_length(n_days)
    streams = _streams(seed)
    latent, context = _latent(params, start, n_days, streams)
    ratings = _ratings(latent, streams.items)
    answered = _answered_days(
        streams.missing, n_days, params.missing_day_probability, keep_last_day=keep_last_day
    )
    days = _build_days(start, ratings, latent, context, answered)
    return SimulatedPerson(person_id, params, days, truth, seed)


def _check_length(n_days: int) -> None:
    if n_days < 1:
        raise ValueError("n_days must be at least 1")


# --------------------------------------------------------------------------------------------------
# Scenarios: realistic randomised people whose pattern is known

_Bounds = tuple[float, float]


@dataclass(frozen=True, slots=True)
class _Profile:
    """Plausible ranges for a kind of person before any medication effect."""

    pa: _Bounds
    na: _Bounds
    numbness: _Bounds
    pa_sd: _Bounds
    na_sd: _Bounds
    reactivity_factor: _Bounds = (1.0, 1.0)
    item_noise: _Bounds = (0.4, 0.7)


# Levels on the 0..6 item scale. Diary studies put healthy adults' mean positive items in the
# upper-middle of the scale and negative items near the bottom; depressed adults lower on PA and
# clearly higher on NA, with more NA variability (SCIENCE.md 4.2).
_WELL: Final = _Profile(
    pa=(3.0, 4.0), na=(0.9, 1.6), numbness=(0.3, 1.0), pa_sd=(0.45, 0.75), na_sd=(0.40, 0.70)
)
_DEPRESSED: Final = _Profile(
    pa=(1.8, 2.7), na=(2.4, 3.4), numbness=(0.8, 1.8), pa_sd=(0.45, 0.75), na_sd=(0.60, 0.95)
)
# Chronic numbing (as in PTSD with a numbing-dominant picture): flat from the first day on.
_NUMBED: Final = _Profile(
    pa=(1.9, 2.7),
    na=(0.4, 1.0),
    numbness=(3.4, 4.6),
    pa_sd=(0.18, 0.32),
    na_sd=(0.15, 0.30),
    reactivity_factor=(0.15, 0.35),
    item_noise=(0.25, 0.45),
)


class _Medication(NamedTuple):
    name: str
    starting_mg: float
    increased_mg: float
    """A usual first dose increase."""


# The SSRIs and SNRIs that the blunting literature is about (SCIENCE.md 7.3), at usual adult doses.
_SEROTONERGIC: Final = (
    _Medication("sertraline", 50.0, 100.0),
    _Medication("escitalopram", 10.0, 20.0),
    _Medication("citalopram", 20.0, 40.0),
    _Medication("fluoxetine", 20.0, 40.0),
    _Medication("paroxetine", 20.0, 30.0),
    _Medication("venlafaxine", 75.0, 150.0),
    _Medication("duloxetine", 30.0, 60.0),
)
_ANY_ANTIDEPRESSANT: Final = (
    *_SEROTONERGIC,
    _Medication("bupropion", 150.0, 300.0),
    _Medication("mirtazapine", 15.0, 30.0),
)


def _u(rng: np.random.Generator, bounds: _Bounds) -> float:
    return float(rng.uniform(*bounds))


def _days(rng: np.random.Generator, low: int, high: int) -> int:
    """An integer number of days in [low, high]."""
    return int(rng.integers(low, high + 1))


def _person(rng: np.random.Generator, profile: _Profile) -> PersonParams:
    reactivity = _u(rng, profile.reactivity_factor)
    return PersonParams(
        pa_baseline=_u(rng, profile.pa),
        na_baseline=_u(rng, profile.na),
        numbness_baseline=_u(rng, profile.numbness),
        pa_sd=_u(rng, profile.pa_sd),
        na_sd=_u(rng, profile.na_sd),
        # Assumed: day-to-day inertia is modest in daily diaries, lower than between EMA prompts.
        autocorrelation=_u(rng, (0.2, 0.55)),
        # NA reacts a little more to a bad event than PA to a good one (negativity bias).
        pa_reactivity=reactivity * _u(rng, (0.25, 0.5)),
        na_reactivity=reactivity * _u(rng, (0.3, 0.6)),
        item_noise_sd=_u(rng, profile.item_noise),
        # Assumed: 88-98% of days answered, as in a diary people keep up with.
        missing_day_probability=_u(rng, (0.02, 0.12)),
        numbness_sd=_u(rng, (0.25, 0.45)),
        no_event_probability=_u(rng, (0.08, 0.16)),
    )


def _first_change_day(rng: np.random.Generator, n_days: int, tail_days: int) -> int:
    """Day index of the first change, leaving a full baseline before it and `tail_days` after."""
    latest = n_days - tail_days
    if latest < _EARLIEST_CHANGE_DAY:
        raise ValueError(f"{n_days} days are too few for this scenario")
    return _days(rng, _EARLIEST_CHANGE_DAY, latest)


def _start_event(
    rng: np.random.Generator, start: dt.date, day: int, choices: tuple[_Medication, ...]
) -> tuple[MedicationEvent, _Medication]:
    medication = choices[int(rng.integers(len(choices)))]
    date = start + dt.timedelta(days=day)
    return MedicationEvent(date, medication.name, "start", medication.starting_mg), medication


class _Levels(NamedTuple):
    """Latent PA, NA and numbness means at some point of a person's story."""

    pa: float
    na: float
    numbness: float


def _baseline_levels(person: PersonParams) -> _Levels:
    return _Levels(person.pa_baseline, person.na_baseline, person.numbness_baseline)


def _blunting(rng: np.random.Generator, before: _Levels, *, lag: int, ramp: int) -> Effect:
    """Both valences flattened: NA low, PA low-normal, small swings, little reaction, feels numb.

    Targets are absolute levels, so the same blunted picture follows a depressed or a partly
    recovered state. The innovation SD falls to 25-45%, reactivity to 10-30% and the item spread
    to 45-70%; after rounding, the observed daily SD of PA and NA ends near 0.35-0.4 of baseline
    (median), past the "fallen by 0.5 baseline SD" heuristic of SCIENCE.md 4.4 for most people.
    A design target: there is no published effect size to copy.
    """
    return Effect(
        onset_lag_days=lag,
        ramp_days=ramp,
        pa_shift=_u(rng, (2.0, 2.7)) - before.pa,
        na_shift=_u(rng, (0.4, 1.0)) - before.na,
        numbness_shift=_u(rng, (3.5, 4.8)) - before.numbness,
        variability_scale=_u(rng, (0.25, 0.45)),
        reactivity_scale=_u(rng, (0.1, 0.3)),
        item_noise_scale=_u(rng, (0.45, 0.7)),
    )


def _blunting_after_start(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    person = _person(rng, _DEPRESSED)
    # Blunting is described as emerging weeks into treatment; 2-6 weeks, over 1-3 more weeks.
    lag, ramp = _days(rng, 14, 42), _days(rng, 7, 21)
    day = _first_change_day(rng, n_days, lag + ramp + WINDOW_DAYS)
    event, _ = _start_event(rng, start, day, _SEROTONERGIC)
    effect = _blunting(rng, _baseline_levels(person), lag=lag, ramp=ramp)
    params = replace(person, medication_events=(event,), effects=((0, effect),))
    onset = event.date + dt.timedelta(days=lag)
    return params, GroundTruth("blunting_after_start", "blunting_like", onset, event)


def _blunting_after_dose_increase(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """A partial response to the starting dose, an increase after 4-6 weeks, then blunting."""
    person = _person(rng, _DEPRESSED)
    gap, lag, ramp = _days(rng, 28, 42), _days(rng, 10, 28), _days(rng, 7, 14)
    day = _first_change_day(rng, n_days, gap + lag + ramp + WINDOW_DAYS)
    start_event, medication = _start_event(rng, start, day, _SEROTONERGIC)
    increase = MedicationEvent(
        start_event.date + dt.timedelta(days=gap),
        medication.name,
        "dose_change",
        medication.increased_mg,
    )
    pa_gain, na_drop = _u(rng, (0.3, 0.6)), _u(rng, (0.5, 0.9))
    partial = Effect(
        onset_lag_days=_days(rng, 7, 14),
        ramp_days=_days(rng, 10, 14),
        pa_shift=pa_gain,
        na_shift=-na_drop,
    )
    partly_better = _Levels(
        person.pa_baseline + pa_gain, person.na_baseline - na_drop, person.numbness_baseline
    )
    blunting = _blunting(rng, partly_better, lag=lag, ramp=ramp)
    params = replace(
        person, medication_events=(start_event, increase), effects=((0, partial), (1, blunting))
    )
    onset = increase.date + dt.timedelta(days=lag)
    return params, GroundTruth("blunting_after_dose_increase", "blunting_like", onset, increase)


def _response_to_medication(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """Depression lifts: NA down, PA up, swings and reactions intact; not blunting."""
    person = _person(rng, _DEPRESSED)
    lag, ramp = _days(rng, 7, 21), _days(rng, 14, 28)
    day = _first_change_day(rng, n_days, lag + ramp + WINDOW_DAYS)
    event, _ = _start_event(rng, start, day, _ANY_ANTIDEPRESSANT)
    response = Effect(
        onset_lag_days=lag,
        ramp_days=ramp,
        # Gains of about one scale point, as a clear response; NA stays in the normal range.
        pa_shift=_u(rng, (0.9, 1.6)),
        na_shift=max(-_u(rng, (0.9, 1.6)), 0.8 - person.na_baseline),
        numbness_shift=-_u(rng, (0.2, 0.6)) * person.numbness_baseline,
        variability_scale=_u(rng, (0.9, 1.1)),
        reactivity_scale=_u(rng, (0.9, 1.1)),
    )
    params = replace(person, medication_events=(event,), effects=((0, response),))
    return params, GroundTruth("response_to_medication", "no_pattern")


def _change_without_medication(
    rng: np.random.Generator,
    start: dt.date,
    n_days: int,
    effect_for: Callable[[PersonParams, int], Effect],
) -> PersonParams:
    """A well person whose affect changes from a date that no medication event precedes."""
    person = _person(rng, _WELL)
    ramp = _days(rng, 10, 28)
    day = _first_change_day(rng, n_days, ramp + WINDOW_DAYS)
    anchor = start + dt.timedelta(days=day)
    return replace(person, effects=((anchor, effect_for(person, ramp)),))


def _anhedonia(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """Pleasure fades: PA low, moving little and lifting little after good events; NA as before;
    numbness a little up but never high, which is what separates it from blunting."""

    def effect(person: PersonParams, ramp: int) -> Effect:
        return Effect(
            onset_lag_days=0,
            ramp_days=ramp,
            pa_shift=_u(rng, (1.2, 2.0)) - person.pa_baseline,
            na_shift=_u(rng, (-0.2, 0.3)),
            numbness_shift=_u(rng, (0.2, 0.7)),
            pa_variability_scale=_u(rng, (0.4, 0.6)),
            pa_reactivity_scale=_u(rng, (0.2, 0.45)),
        )

    params = _change_without_medication(rng, start, n_days, effect)
    return params, GroundTruth("anhedonia", "anhedonia_like")


def _depressed_affect(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """A depressive episode: PA low, NA high and swinging more, less lift from good events (ECI)."""

    def effect(person: PersonParams, ramp: int) -> Effect:
        return Effect(
            onset_lag_days=0,
            ramp_days=ramp,
            pa_shift=_u(rng, (1.4, 2.2)) - person.pa_baseline,
            na_shift=_u(rng, (2.8, 3.8)) - person.na_baseline,
            numbness_shift=_u(rng, (0.3, 0.9)),
            na_variability_scale=_u(rng, (1.3, 1.6)),
            pa_reactivity_scale=_u(rng, (0.6, 0.9)),
        )

    params = _change_without_medication(rng, start, n_days, effect)
    return params, GroundTruth("depressed_affect", "depressed_affect")


def _no_change(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    del start, n_days  # a steady person needs no calendar
    return _person(rng, _WELL), GroundTruth("no_change", "no_pattern")


def _blunting_from_start(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """Flat from the first day, with no medication: there is no onset to find."""
    del start, n_days
    return _person(rng, _NUMBED), GroundTruth("blunting_from_start_no_medication", "blunting_like")


def _medication_no_effect(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """A medication that changes nothing; half of these people stop it after 6-12 weeks.

    The stop puts a dose-less event in the medication CSV, and a stop that changes nothing is a
    case the analysis must not mistake for a change.
    """
    person = _person(rng, _WELL)
    day = _first_change_day(rng, n_days, WINDOW_DAYS)
    event, medication = _start_event(rng, start, day, _ANY_ANTIDEPRESSANT)
    events: tuple[MedicationEvent, ...] = (event,)
    stop_day = day + _days(rng, 42, 84)
    if rng.random() < 0.5 and stop_day < n_days:
        stop = MedicationEvent(start + dt.timedelta(days=stop_day), medication.name, "stop", None)
        events = (event, stop)
    params = replace(person, medication_events=events)
    return params, GroundTruth("medication_no_effect", "no_pattern")


def _missing_days(
    rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """Blunting after a start, seen through a diary with a third of the days missed."""
    params, truth = _blunting_after_start(rng, start, n_days)
    params = replace(params, missing_day_probability=_u(rng, (0.30, 0.40)))
    return params, replace(truth, scenario="missing_days")


_ScenarioBuilder = Callable[[np.random.Generator, dt.date, int], tuple[PersonParams, GroundTruth]]

_BUILDERS: Final[Mapping[str, _ScenarioBuilder]] = {
    "no_change": _no_change,
    "blunting_after_start": _blunting_after_start,
    "blunting_after_dose_increase": _blunting_after_dose_increase,
    "response_to_medication": _response_to_medication,
    "anhedonia": _anhedonia,
    "depressed_affect": _depressed_affect,
    "blunting_from_start_no_medication": _blunting_from_start,
    "medication_no_effect": _medication_no_effect,
    "missing_days": _missing_days,
}


def scenario_params(
    name: str, rng: np.random.Generator, start: dt.date, n_days: int
) -> tuple[PersonParams, GroundTruth]:
    """Draw a realistic person of a named scenario and the truth an analysis should find.

    Parameters
    ----------
    name
        One of `SCENARIOS`.
    rng
        Source of the person's parameters (levels, dynamics, medication, timing).
    start, n_days
        The calendar the person will be simulated over; events are placed so that a 28-day
        baseline precedes the first change and the last 28 days show the change at full size.

    Returns
    -------
    tuple of PersonParams and GroundTruth
        Pass the parameters to `simulate_person`; the truth says what its last 28 days look like.

    Raises
    ------
    ValueError
        For an unknown name, or fewer than `MIN_SCENARIO_DAYS` days.
    """
    builder = _BUILDERS.get(name)
    if builder is None:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    if n_days < MIN_SCENARIO_DAYS:
        raise ValueError(f"scenarios need at least {MIN_SCENARIO_DAYS} days, got {n_days}")
    return builder(rng, start, n_days)


def simulate_cohort(
    n_persons: int, *, seed: int, start: dt.date, n_days: int = 180
) -> list[SimulatedPerson]:
    """Simulate people cycling through `SCENARIOS` in order (person i has scenario i mod 9).

    Person i's parameters and data come from the i-th child of the seed, so they do not change
    when the cohort grows, and each person's own seed is kept for regenerating them alone.
    """
    width = max(3, len(str(n_persons)))
    children = np.random.SeedSequence(seed).spawn(n_persons)
    persons = []
    for index, child in enumerate(children):
        rng = np.random.default_rng(child)
        params, truth = scenario_params(SCENARIOS[index % len(SCENARIOS)], rng, start, n_days)
        person_seed = int(rng.integers(2**63))
        person_id = f"p{index + 1:0{width}d}"
        persons.append(
            _simulate(
                params,
                start=start,
                n_days=n_days,
                seed=person_seed,
                person_id=person_id,
                truth=truth,
            )
        )
    return persons


# --------------------------------------------------------------------------------------------------
# The demo person

DEMO_START_DAY: Final = 40
DEMO_DOSE_CHANGE_DAY: Final = 75
_DEMO_MIN_DAYS: Final = 124
"""The dose-change effect is at full size on day 95; the last 28 days must come after it."""


def demo_story(*, end: dt.date, n_days: int = 150, seed: int = 20260101) -> SimulatedPerson:
    """The demo person: depressed, starts sertraline, improves, then feels flat.

    Sertraline 50 mg starts on day 40 and mood lifts over the next three weeks. Four weeks after
    the start the blunting-like change begins (PA sinks back, NA falls further, swings and
    reactions shrink, numbness rises); the increase to 100 mg on day 75 deepens it a little. A few
    days are missed, but never the last one, so the demo shows a check-in for `end` ("today").

    Parameters
    ----------
    end
        The last day, usually today.
    n_days
        Calendar days up to and including `end`; at least 124 so the story fits.
    seed
        The default gives the same demo on every installation.

    Returns
    -------
    SimulatedPerson
        With truth ``blunting_like``, onset 28 days after the start, after the start event.
    """
    if n_days < _DEMO_MIN_DAYS:
        raise ValueError(f"the demo story needs at least {_DEMO_MIN_DAYS} days, got {n_days}")
    start = end - dt.timedelta(days=n_days - 1)
    started = MedicationEvent(
        start + dt.timedelta(days=DEMO_START_DAY), "sertraline", "start", 50.0
    )
    increased = MedicationEvent(
        start + dt.timedelta(days=DEMO_DOSE_CHANGE_DAY), "sertraline", "dose_change", 100.0
    )
    # Weeks 1-3: the depression starts to lift, so the later flatness reads as a change.
    response = Effect(
        onset_lag_days=7, ramp_days=14, pa_shift=1.0, na_shift=-1.1, numbness_shift=-0.2
    )
    blunting = Effect(
        onset_lag_days=28,
        ramp_days=14,
        pa_shift=-1.2,
        na_shift=-1.2,
        numbness_shift=2.9,
        variability_scale=0.5,
        reactivity_scale=0.35,
        item_noise_scale=0.6,
    )
    deeper = Effect(
        onset_lag_days=7,
        ramp_days=14,
        na_shift=-0.1,
        numbness_shift=0.4,
        variability_scale=0.85,
        reactivity_scale=0.8,
    )
    params = PersonParams(
        pa_baseline=2.2,
        na_baseline=3.0,
        numbness_baseline=1.2,
        pa_sd=0.6,
        na_sd=0.75,
        autocorrelation=0.4,
        pa_reactivity=0.4,
        na_reactivity=0.5,
        item_noise_sd=0.55,
        missing_day_probability=0.04,
        medication_events=(started, increased),
        effects=((0, response), (0, blunting), (1, deeper)),
    )
    onset = started.date + dt.timedelta(days=blunting.onset_lag_days)
    truth = GroundTruth("demo_story", "blunting_like", onset, started)
    return _simulate(
        params,
        start=start,
        n_days=n_days,
        seed=seed,
        person_id="demo",
        truth=truth,
        keep_last_day=True,
    )


# --------------------------------------------------------------------------------------------------
# CSV files in the formats of CONTRACTS.md section 3

LONG_HEADER: Final = ("person_id", "date", "item", "value")
WIDE_HEADER: Final = ("person_id", "date", *ITEM_IDS, EVENT_ITEM)
MEDICATIONS_HEADER: Final = ("person_id", "date", "medication", "event", "dose_mg")

_Row = tuple[str | int, ...]


def write_long_csv(persons: Iterable[SimulatedPerson], path: str | os.PathLike[str]) -> int:
    """Write ``person_id,date,item,value``, one row per answered item; returns the rows written.

    An unrated event has no row, which is how the long format says "not answered".
    """
    return _write_csv(path, LONG_HEADER, (row for p in persons for row in _long_rows(p)))


def write_wide_csv(persons: Iterable[SimulatedPerson], path: str | os.PathLike[str]) -> int:
    """Write ``person_id,date,<16 items>,event_pleasantness``, one row per answered day.

    An unrated event is an empty cell. Returns the rows written.
    """
    return _write_csv(path, WIDE_HEADER, (row for p in persons for row in _wide_rows(p)))


def write_medications_csv(persons: Iterable[SimulatedPerson], path: str | os.PathLike[str]) -> int:
    """Write ``person_id,date,medication,event,dose_mg`` (empty dose for a stop without one)."""
    return _write_csv(
        path, MEDICATIONS_HEADER, (row for p in persons for row in _medication_rows(p))
    )


def _long_rows(person: SimulatedPerson) -> Iterable[_Row]:
    for day in person.days:
        date = day.date.isoformat()
        for item in ITEM_IDS:
            yield person.person_id, date, item, day.items[item]
        if day.event_pleasantness is not None:
            yield person.person_id, date, EVENT_ITEM, day.event_pleasantness


def _wide_rows(person: SimulatedPerson) -> Iterable[_Row]:
    for day in person.days:
        event = "" if day.event_pleasantness is None else day.event_pleasantness
        values = (day.items[item] for item in ITEM_IDS)
        yield (person.person_id, day.date.isoformat(), *values, event)


def _medication_rows(person: SimulatedPerson) -> Iterable[_Row]:
    for event in person.medication_events:
        # "g" writes 50.0 as 50 and keeps 37.5, as a person would type the dose.
        dose = "" if event.dose_mg is None else format(event.dose_mg, "g")
        yield person.person_id, event.date.isoformat(), event.medication, event.event, dose


def _write_csv(path: str | os.PathLike[str], header: tuple[str, ...], rows: Iterable[_Row]) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
