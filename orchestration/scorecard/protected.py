"""Protected attributes: columns that must never become scorecard features.

A column is protected when one of the words of its name (split on anything that is not a
letter or digit, and on camelCase) is a protected term, or starts with one of the longer
stems below, or when the name contains one of the Chinese terms. Matching is
case-insensitive, so `Gender`, `gender_code`, `CUST_GENDER_CD`, `genderCode`,
`Marital_Status`, `ethnic_group` and `性别` are all protected, while `essex_branch` or
`trace_id` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PROTECTED_ATTRIBUTES: tuple[str, ...] = (
    "gender",
    "sex",
    "male",
    "female",
    "marital_status",
    "marital",
    "married",
    "marriage",
    "ethnicity",
    "ethnic",
    "race",
    "racial",
    "religion",
    "religious",
    "nationality",
    "national_origin",
    "citizenship",
    "disability",
    "disabled",
    "pregnancy",
    "pregnant",
    "sexual_orientation",
    "minzu",
    "xingbie",
)
"""Protected terms, matched against the words of a column name (see the module docstring)."""

_PREFIX_STEMS: tuple[str, ...] = (
    "gender",
    "marital",
    "ethnic",
    "religio",
    "nationalit",
    "citizenship",
    "disabilit",
    "pregnan",
    "sexual",
)
_CHINESE_TERMS: tuple[str, ...] = ("性别", "民族", "种族", "宗教", "婚姻", "国籍", "残疾")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def name_words(column: str) -> list[str]:
    """The lower-case words of a column name: `CustGender_CD` -> ['cust', 'gender', 'cd']."""
    spaced = _CAMEL_BOUNDARY.sub("_", str(column))
    return [word for word in _NON_WORD.split(spaced.lower()) if word]


def is_protected(column: str) -> bool:
    """True when the column name denotes a protected attribute (case-insensitive)."""
    name = str(column)
    if any(term in name for term in _CHINESE_TERMS):
        return True
    words = name_words(name)
    joined = "_".join(words)
    single = {term for term in PROTECTED_ATTRIBUTES if "_" not in term}
    multi = [term for term in PROTECTED_ATTRIBUTES if "_" in term]
    return (
        any(word in single for word in words)
        or any(word.startswith(stem) for word in words for stem in _PREFIX_STEMS)
        or any(f"_{term}_" in f"_{joined}_" for term in multi)
    )


def protected_columns(columns: Iterable[str]) -> list[str]:
    """The columns, in the given order, whose names denote a protected attribute."""
    return [column for column in columns if is_protected(column)]
