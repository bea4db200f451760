"""Small vectorised helpers shared by the domain modules."""

from __future__ import annotations

import numpy as np

from .config import SECONDS_PER_DAY, Window


def extract_days(updated_sec: np.ndarray, window: Window) -> np.ndarray:
    """Extract day of each row: the day of updated_at; older rows come in the initial load."""
    return np.maximum(np.asarray(updated_sec) // SECONDS_PER_DAY, window.start_day)


def expand(counts: np.ndarray) -> np.ndarray:
    """Row positions repeated by count: expand([2, 0, 1]) -> [0, 0, 2]."""
    counts = np.asarray(counts).ravel()
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def monthly_events(
    rng: np.random.Generator, rate: np.ndarray, window: Window
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson number of events per customer and window month; (customer, month) per event."""
    counts = rng.poisson(np.outer(rate, np.ones(window.months)))
    cell = expand(counts)
    return cell // window.months, cell % window.months


def random_day_in_month(rng: np.random.Generator, month: np.ndarray, window: Window) -> np.ndarray:
    length = window.month_length[month]
    return window.month_first[month] + (rng.random(len(month)) * length).astype(np.int64)


def time_of_day(rng: np.random.Generator, n: int, start_hour: float, end_hour: float) -> np.ndarray:
    return rng.integers(int(start_hour * 3600), int(end_hour * 3600), n)


def cents(amount_cny: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(amount_cny) * 100).astype(np.int64)


def categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row from per-row probability vectors (rows need not be normalised)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return (u[:, None] >= cumulative).sum(axis=1).clip(0, probabilities.shape[1] - 1)


def keep_in_window(seconds: np.ndarray, active_from: np.ndarray, window: Window) -> np.ndarray:
    """Mask of events on or after the customer's start and not after the window end."""
    return (
        (seconds >= active_from) & (seconds <= window.end_second) & (seconds >= window.start_second)
    )


def seconds_at(day: np.ndarray, seconds_of_day: np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype=np.int64) * SECONDS_PER_DAY + seconds_of_day
