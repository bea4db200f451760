"""The one error type a user of the scorecard tool can cause."""

from __future__ import annotations


class ScorecardInputError(ValueError):
    """Bad input the user can fix (file, column, target, sample size); one sentence."""
