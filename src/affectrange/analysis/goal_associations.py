"""How days on which a care-plan goal was kept go with the same day's and the next day's feelings.

For one goal, every day with a check-in is either kept (ticked) or not kept; days without a
check-in are unknown (NaN), never "not kept". Three outcomes are compared: positive affect (PA,
mean of the positive items), negative affect (NA, mean of the negative items) and numbness (the
check-in item `numb`, "Emotionally numb or flat", 0..6). Same-day pairs take the day's own
feelings; next-day pairs take the feelings of the next calendar day, so only truly consecutive
days are paired.

The number shown is the difference in means, kept minus not kept, with a 95% Welch interval:

    d   = mean_kept - mean_not_kept
    se  = sqrt(s1^2 / n1 + s0^2 / n0)                 (sample variances, ddof = 1)
    df  = se^4 / ((s1^2 / n1)^2 / (n1 - 1) + (s0^2 / n0)^2 / (n0 - 1))   (Welch-Satterthwaite)
    95% interval = d -+ t(0.975, df) * se

Welch rather than the pooled t: kept and not-kept days need not vary alike, and the groups are
often unequal in size. It is an association, not proof: a good day may bring both the walk and
the better mood. Below the minimum (`MIN_PAIRED_DAYS` pairs, `MIN_DAYS_PER_GROUP` in each
group) nothing is computed; the result says how many more days are needed instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import DailySeries, FloatArray

MIN_PAIRED_DAYS: Final = 14
"""Pairs (a day's kept-or-not with its feelings) needed, as for the everyday associations."""
MIN_DAYS_PER_GROUP: Final = 5
"""Kept days, and not-kept days, each needed: a mean of fewer days rests on one or two of them."""
CONFIDENCE: Final = 0.95
NUMBNESS_ITEM: Final = "numb"
"""The check-in item compared as numbness: "Emotionally numb or flat"."""

GoalOutcome = Literal["pa", "na", "numb"]
GoalLag = Literal["same_day", "next_day"]
OUTCOMES: Final[tuple[GoalOutcome, ...]] = ("pa", "na", "numb")
LAGS: Final[tuple[GoalLag, ...]] = ("same_day", "next_day")


@dataclass(frozen=True, slots=True)
class GoalAssociation:
    outcome: GoalOutcome
    lag: GoalLag
    n_kept: int
    """Paired days on which the goal was kept."""
    n_not_kept: int
    more_days_needed: int
    """0 when the minimum is met; else the fewest further paired days that could meet it."""
    more_kept_needed: int
    more_not_kept_needed: int
    mean_kept: float | None = None
    mean_not_kept: float | None = None
    difference: float | None = None
    """Mean feelings on kept days minus not-kept days, in points of the 0..6 scale."""
    ci_low: float | None = None
    ci_high: float | None = None
    df: float | None = None

    @property
    def n(self) -> int:
        return self.n_kept + self.n_not_kept

    @property
    def enough(self) -> bool:
        return self.difference is not None

    @property
    def clear(self) -> bool:
        """The 95% interval leaves out 0."""
        return (
            self.ci_low is not None
            and self.ci_high is not None
            and (self.ci_low > 0 or self.ci_high < 0)
        )


def kept_indicator(
    first: dt.date, answered: NDArray[np.bool_], kept_days: Iterable[dt.date]
) -> FloatArray:
    """1.0 on kept days, 0.0 on other days with a check-in, NaN on days without one.

    Day i is `first + i`. A kept day without a check-in stays NaN: there are no feelings to pair.
    """
    indicator: FloatArray = np.where(answered, 0.0, np.nan)
    for day in kept_days:
        offset = (day - first).days
        if 0 <= offset < indicator.size and answered[offset]:
            indicator[offset] = 1.0
    return indicator


def goal_associations(series: DailySeries, kept: FloatArray) -> tuple[GoalAssociation, ...]:
    """PA, NA and numbness, each same-day and next-day, in `OUTCOMES` x `LAGS` order.

    `kept` is aligned with the series (`kept_indicator`); it may be shorter than the series when
    the series runs a day past the goal's period so that its last day has a next day.
    """
    if kept.size > series.n_days:
        raise ValueError("the kept indicator is longer than the series")
    outcomes: dict[GoalOutcome, FloatArray] = {
        "pa": series.positive_affect(),
        "na": series.negative_affect(),
        "numb": series.items[:, ITEM_IDS.index(NUMBNESS_ITEM)],
    }
    found = []
    for outcome in OUTCOMES:
        for lag in LAGS:
            found.append(compare_days(kept, outcomes[outcome], outcome=outcome, lag=lag))
    return tuple(found)


def compare_days(
    kept: FloatArray, affect: FloatArray, *, outcome: GoalOutcome, lag: GoalLag
) -> GoalAssociation:
    """Welch comparison of `affect` after kept and not-kept days (see the module docstring).

    `kept[i]` pairs with `affect[i]` (same day) or `affect[i + 1]` (next day).
    """
    shift = 1 if lag == "next_day" else 0
    x = kept[: max(0, affect.size - shift)]
    y = affect[shift : shift + x.size]
    both = ~np.isnan(x) & ~np.isnan(y)
    on_kept = y[both & (x == 1.0)]
    on_other = y[both & (x == 0.0)]
    n1, n0 = int(on_kept.size), int(on_other.size)
    more_kept = max(0, MIN_DAYS_PER_GROUP - n1)
    more_other = max(0, MIN_DAYS_PER_GROUP - n0)
    more = max(MIN_PAIRED_DAYS - (n1 + n0), more_kept + more_other, 0)
    base = GoalAssociation(outcome, lag, n1, n0, more, more_kept, more_other)
    if more:
        return base
    m1, m0 = float(on_kept.mean()), float(on_other.mean())
    v1, v0 = float(on_kept.var(ddof=1)), float(on_other.var(ddof=1))
    difference = m1 - m0
    a, b = v1 / n1, v0 / n0
    se = math.sqrt(a + b)
    if se == 0.0:
        # Every paired day had the same feelings: a difference with no spread at all, shown
        # without an interval rather than with a width of zero.
        return replace(base, mean_kept=m1, mean_not_kept=m0, difference=difference)
    df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n0 - 1))
    half_width = _t_quantile(0.5 + CONFIDENCE / 2, df) * se
    return replace(
        base,
        mean_kept=m1,
        mean_not_kept=m0,
        difference=difference,
        ci_low=difference - half_width,
        ci_high=difference + half_width,
        df=df,
    )


def _t_quantile(probability: float, df: float) -> float:
    # Imported here: loading scipy.special costs about 0.3 s, which `affectrange analyze` (which
    # never compares goals) should not pay.
    from scipy.special import stdtrit  # noqa: PLC0415

    return float(stdtrit(df, probability))
