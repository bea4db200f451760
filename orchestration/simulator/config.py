"""Configuration, summary and the calendar of the simulated history window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

SECONDS_PER_DAY = 86_400
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class SimulationConfig:
    customers: int = 10_000
    months: int = 24  # length of the booked history window
    seed: int = 42
    corrupt_rate: float = 0.0  # share of extra bad rows injected per table
    end_date: date = date(2026, 9, 30)  # last booked day (fixed default => deterministic)

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise ValueError(f"customers must be at least 1, got {self.customers}.")
        if not 1 <= self.months <= 120:
            raise ValueError(f"months must be between 1 and 120, got {self.months}.")
        if not 0.0 <= self.corrupt_rate <= 0.5:
            raise ValueError(f"corrupt_rate must be between 0 and 0.5, got {self.corrupt_rate}.")


@dataclass(frozen=True)
class SimulationSummary:
    rows_by_table: dict[str, int]  # rows written to landing per table (incl. injected bad rows)
    files_written: int
    corrupted_by_kind: dict[str, int]
    seconds: float


def day_number(value: date) -> int:
    """Days since 1970-01-01."""
    return (value - EPOCH).days


def month_start_day(month_index: np.ndarray) -> np.ndarray:
    """First day (days since epoch) of months counted from 1970-01."""
    months = np.asarray(month_index, dtype=np.int64).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)


def month_of_day(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of days since epoch."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def day_of_month(days: np.ndarray) -> np.ndarray:
    """1-based day of month of days since epoch."""
    days = np.asarray(days, dtype=np.int64)
    return days - month_start_day(month_of_day(days)) + 1


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of month `months` later, clipped to day 28 (instalment calendars do this)."""
    dom = np.minimum(day_of_month(days), 28)
    return month_start_day(month_of_day(days) + months) + dom - 1


def years_before(days: np.ndarray | int, years: np.ndarray | float) -> np.ndarray:
    """Approximately `years` earlier (365.25 days a year)."""
    return (np.asarray(days) - np.round(np.asarray(years) * 365.25)).astype(np.int64)


@dataclass(frozen=True)
class Window:
    """The booked history: whole months ending on `end_day` (days since epoch)."""

    start_day: int
    end_day: int
    month_index: np.ndarray = field(repr=False)  # months since 1970-01, one per window month
    month_first: np.ndarray = field(repr=False)  # first day of each window month
    month_last: np.ndarray = field(repr=False)  # last day of each month (clipped to end_day)

    @property
    def months(self) -> int:
        return len(self.month_index)

    @property
    def end_second(self) -> int:
        return (self.end_day + 1) * SECONDS_PER_DAY - 1

    @property
    def start_second(self) -> int:
        return self.start_day * SECONDS_PER_DAY

    @property
    def month_length(self) -> np.ndarray:
        return self.month_last - self.month_first + 1


def make_window(config: SimulationConfig) -> Window:
    end_day = day_number(config.end_date)
    last_month = int(month_of_day(np.array([end_day]))[0])
    months = np.arange(last_month - config.months + 1, last_month + 1, dtype=np.int64)
    first = month_start_day(months)
    last = np.minimum(month_start_day(months + 1) - 1, end_day)
    return Window(int(first[0]), end_day, months, first, last)
