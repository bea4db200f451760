"""Reference data read from the seeds: code lists, products and merchant categories.

The simulator never keeps its own copy of a code list: every code it writes comes from
these files, so a change to a seed is picked up here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def _read_csv(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"The simulator needs the seed file {path}, which is missing.")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Reference:
    code_lists: dict[str, tuple[str, ...]]
    product_codes: tuple[str, ...]
    product_family: np.ndarray  # str per product
    product_risk: np.ndarray  # 1..5 per product
    product_name_zh: tuple[str, ...]
    mcc_codes: np.ndarray  # int per merchant category code
    mcc_category: np.ndarray  # str per code

    def codes(self, code_list: str) -> tuple[str, ...]:
        try:
            return self.code_lists[code_list]
        except KeyError:
            raise KeyError(f"seeds/code_values.csv has no code list '{code_list}'.") from None

    def index(self, code_list: str, code: str) -> int:
        """Position of a code in its list; the simulator stores codes as these positions."""
        values = self.codes(code_list)
        if code not in values:
            raise KeyError(f"Code '{code}' is not in code list '{code_list}'.")
        return values.index(code)

    def indices(self, code_list: str, codes: list[str]) -> np.ndarray:
        return np.array([self.index(code_list, code) for code in codes], dtype=np.int64)

    def product(self, code: str) -> int:
        if code not in self.product_codes:
            raise KeyError(f"Product '{code}' is not in seeds/products.csv.")
        return self.product_codes.index(code)

    def mccs_in(self, categories: list[str]) -> np.ndarray:
        return self.mcc_codes[np.isin(self.mcc_category, categories)]


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    code_lists: dict[str, list[str]] = {}
    for row in _read_csv("code_values.csv"):
        code_lists.setdefault(row["code_list"], []).append(row["code"])
    products = _read_csv("products.csv")
    mccs = _read_csv("merchant_categories.csv")
    return Reference(
        code_lists={name: tuple(values) for name, values in code_lists.items()},
        product_codes=tuple(row["product_code"] for row in products),
        product_family=np.array([row["product_family"] for row in products]),
        product_risk=np.array([int(row["risk_level"][1:]) for row in products]),
        product_name_zh=tuple(row["product_name_zh"] for row in products),
        mcc_codes=np.array([int(row["code"]) for row in mccs], dtype=np.int64),
        mcc_category=np.array([row["category"] for row in mccs]),
    )
