"""Fixtures for the simulator tests: a steady person and one small cohort shared by the module."""

from __future__ import annotations

import datetime as dt

import pytest

from affectrange.simulate import SCENARIOS, PersonParams, SimulatedPerson, simulate_cohort

COHORT_START = dt.date(2026, 1, 1)
COHORT_DAYS = 180
PERSONS_PER_SCENARIO = 4


@pytest.fixture
def steady() -> PersonParams:
    """A well person with no medication, every day answered, no context: the plainest case."""
    return PersonParams(
        pa_baseline=3.0,
        na_baseline=1.5,
        numbness_baseline=0.8,
        pa_sd=0.6,
        na_sd=0.5,
        autocorrelation=0.4,
        pa_reactivity=0.4,
        na_reactivity=0.5,
        item_noise_sd=0.5,
        missing_day_probability=0.0,
        context=False,
    )


@pytest.fixture(scope="session")
def cohort() -> list[SimulatedPerson]:
    """Four people of every scenario (36 in all), simulated once for the whole run."""
    return simulate_cohort(
        PERSONS_PER_SCENARIO * len(SCENARIOS), seed=11, start=COHORT_START, n_days=COHORT_DAYS
    )
