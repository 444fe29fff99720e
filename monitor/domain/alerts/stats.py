"""Small, dependency-free statistics for count data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import fmean, median

# Terms below this share of the running total no longer change a float sum.
_NEGLIGIBLE = 1e-17


def compute_robust_mean(values: Sequence[float]) -> float:
    """Mean after clipping values far above the median (past spikes must not inflate a baseline).

    The clip sits four spreads above the median; the spread is the scaled MAD, but never less
    than the Poisson noise (square root of the median) nor 1, so sparse series keep their ones.
    """
    if not values:
        return 0.0
    center = median(values)
    mad = median(abs(v - center) for v in values)
    spread = max(1.4826 * mad, math.sqrt(center), 1.0)
    limit = center + 4.0 * spread
    return fmean(min(v, limit) for v in values)


def compute_binomial_tail(successes: int, trials: int, probability: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, probability)."""
    if successes <= 0:
        return 1.0
    if successes > trials or probability <= 0.0:
        return 0.0
    if probability >= 1.0:
        return 1.0
    log_p, log_q = math.log(probability), math.log1p(-probability)
    head = math.lgamma(trials + 1)
    terms = (
        math.exp(head - math.lgamma(k + 1) - math.lgamma(trials - k + 1) + k * log_p
                 + (trials - k) * log_q)
        for k in range(successes, trials + 1)
    )
    return min(math.fsum(terms), 1.0)


def compute_negative_binomial_tail(observed: int, expected: float, weight: float) -> float:
    """P(X >= observed) when the rate itself is only known from ``weight`` windows.

    The predictive count of a Poisson rate with a Gamma posterior (mean ``expected``, from
    ``weight`` windows) is negative binomial with r = expected * weight and p = weight/(weight+1);
    it tends to the Poisson as the weight grows, and is wider when the baseline is thin.
    """
    if observed <= 0:
        return 1.0
    if expected <= 0.0:
        return 0.0
    r, q = expected * weight, 1.0 / (weight + 1.0)
    mode = max(0, math.floor((r - 1.0) * q / (1.0 - q)))
    if observed > mode:
        return min(_negbin_sum_up(observed, r, q), 1.0)
    lower = math.fsum(math.exp(_negbin_log_pmf(k, r, q)) for k in range(observed))
    return max(0.0, 1.0 - lower)


def _negbin_log_pmf(k: int, r: float, q: float) -> float:
    return (math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1)
            + r * math.log1p(-q) + k * math.log(q))


def _negbin_sum_up(start: int, r: float, q: float) -> float:
    # Past the mode each term shrinks by q*(k+r)/(k+1) < 1.
    total, k = 0.0, start
    term = math.exp(_negbin_log_pmf(k, r, q))
    while term > 0.0 and term > total * _NEGLIGIBLE:
        total += term
        term *= q * (k + r) / (k + 1)
        k += 1
    return total
