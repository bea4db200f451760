"""Wealth orders and month-end holdings.

Each customer holds a few product positions (deposits, wealth products, funds, insurance).
Positions start at the window start (or with a first purchase after onboarding), move with
a monthly market return per product, and with the customer's purchases and redemptions.
"""

from __future__ import annotations

import numpy as np

from .common import keep_in_window, monthly_events, random_day_in_month, seconds_at, time_of_day
from .config import SECONDS_PER_DAY, Window
from .frame import Col, Frame
from .master import WEALTH, AccountBook
from .personas import AFFLUENT, RETIREE, Population
from .reference import Reference

MONTHLY_RETURN = {
    1: (0.002, 0.0005),
    2: (0.003, 0.003),
    3: (0.004, 0.01),
    4: (0.006, 0.03),
    5: (0.007, 0.05),
}  # (mean, sd) by product risk level


def market_returns(seed: int, ref: Reference, months: int) -> np.ndarray:
    """Monthly return per product and window month; the same for every chunk."""
    rng = np.random.default_rng([seed, 7_001])
    mean = np.array([MONTHLY_RETURN[r][0] for r in ref.product_risk])
    sd = np.array([MONTHLY_RETURN[r][1] for r in ref.product_risk])
    return mean[:, None] + sd[:, None] * rng.standard_normal((len(mean), months))


def _positions(
    rng: np.random.Generator, ref: Reference, pop: Population
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer, product, initial value CNY) for every position."""
    n = len(pop)
    family = ref.product_family
    invest = np.isin(family, ["wealth", "insurance"])
    deposit = np.isin(np.array(ref.product_codes), ["DEP_TIME_1Y", "DEP_LARGE_CD"])
    senior = deposit | (np.array(ref.product_codes) == "INS_ANNUITY")
    risk_ok = ref.product_risk[None, :] <= pop.risk[:, None] + 1
    affluent = pop.persona == AFFLUENT
    wealth = pop.wealth_affinity
    retiree_dep = (pop.persona == RETIREE) & ~wealth & (rng.random(n) < 0.5)
    small_dep = ~affluent & ~wealth & ~retiree_dep & (rng.random(n) < 0.1)
    allowed = np.zeros((n, len(family)), dtype=bool)
    allowed[wealth] = invest & risk_ok[wealth]
    allowed[affluent & ~wealth] = deposit
    allowed[retiree_dep] = senior
    allowed[small_dep] = deposit
    count = np.select(
        [affluent & wealth, affluent, wealth, retiree_dep], [3, 2, 2, 2], np.where(small_dep, 1, 0)
    )
    z = rng.standard_normal(n)
    aum = np.select(
        [affluent & wealth, affluent, wealth, retiree_dep],
        [
            np.exp(np.log(2.2e6) + 0.4 * z),
            np.exp(np.log(1.8e6) + 0.35 * z),
            np.exp(np.log(1.5e5) + 0.8 * z),
            np.exp(np.log(2.0e5) + 0.9 * z),
        ],
        np.exp(np.log(3.0e4) + 0.8 * z),
    )
    score = np.where(allowed, rng.random(allowed.shape), -1.0)
    ranked = np.argsort(-score, axis=1)[:, :3]
    take = (np.arange(3)[None, :] < count[:, None]) & (
        np.take_along_axis(score, ranked, axis=1) > 0
    )
    customer, slot = np.nonzero(take)
    product = ranked[customer, slot]
    share = rng.exponential(1.0, len(customer))
    total = np.bincount(customer, weights=share, minlength=n)
    value = np.round(aum[customer] * share / total[customer], -3)
    return customer, product, value


def make_wealth(
    rng: np.random.Generator,
    ref: Reference,
    pop: Population,
    book: AccountBook,
    window: Window,
    returns: np.ndarray,
    chunk: int,
) -> tuple[Frame, Frame]:
    customer, product, value = _positions(rng, ref, pop)
    p = len(customer)
    created_day = pop.created_sec[customer] // SECONDS_PER_DAY
    new = created_day >= window.start_day
    invest = (
        np.isin(ref.product_family[product], ["wealth", "insurance"])
        & (pop.wealth_affinity[customer])
    )

    # Orders: a first purchase for positions opened after onboarding, then trading.
    rate = np.where(invest, np.where(pop.persona[customer] == AFFLUENT, 0.5, 0.25), 0.0)
    position, month = monthly_events(rng, rate, window)
    k = len(position)
    is_purchase = rng.random(k) < 0.6
    amount = np.maximum(np.round(value[position] * rng.uniform(0.03, 0.15, k), -3), 1_000)
    second = seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, k, 9, 22))
    first_pos = np.flatnonzero(new & invest)
    first_sec = pop.created_sec[customer[first_pos]] + rng.integers(1, 11, len(first_pos)) * (
        SECONDS_PER_DAY
    )
    position = np.concatenate([position, first_pos])
    second = np.concatenate([second, first_sec])
    is_purchase = np.concatenate([is_purchase, np.ones(len(first_pos), dtype=bool)])
    amount = np.concatenate([amount, value[first_pos]])
    keep = keep_in_window(second, pop.created_sec[customer[position]], window)
    position, second, is_purchase, amount = (
        position[keep],
        second[keep],
        is_purchase[keep],
        amount[keep],
    )
    order_sort = np.argsort(second, kind="stable")
    position, second, is_purchase, amount = (
        position[order_sort],
        second[order_sort],
        is_purchase[order_sort],
        amount[order_sort],
    )
    order_type = np.where(
        is_purchase, ref.index("order_type", "purchase"), ref.index("order_type", "redemption")
    )
    n_orders = len(position)
    orders = Frame(
        "wealth_orders",
        {
            "order_id": 1_000_000_000 + chunk * 10_000_000 + np.arange(n_orders),
            "customer_id": pop.customer_num[customer[position]],
            "account_id": book.number[customer[position], WEALTH],
            "product_code": product[position],
            "order_type": order_type,
            "amount": np.round(amount * 100).astype(np.int64),
            "ordered_at": second,
            "updated_at": second,
        },
        {
            "order_id": Col("id", "W"),
            "customer_id": Col("id", "C"),
            "account_id": Col("id", "A"),
            "product_code": Col("code", labels=ref.product_codes),
            "order_type": Col("code", labels=ref.codes("order_type")),
            "amount": Col("dec"),
            "ordered_at": Col("ts"),
            "updated_at": Col("ts"),
        },
        second // SECONDS_PER_DAY,
    )

    # Month-end value: v_m = v_{m-1} * (1 + r_m) + net orders in month m.
    order_month = np.searchsorted(window.month_first, second // SECONDS_PER_DAY, side="right") - 1
    signed = np.where(is_purchase, amount, -amount)
    net = np.bincount(
        position * window.months + order_month, weights=signed, minlength=p * window.months
    ).reshape(p, window.months)
    growth = np.cumprod(1.0 + returns[product], axis=1)
    start_value = np.where(new, 0.0, value)
    path = growth * (start_value[:, None] + np.cumsum(net / growth, axis=1))
    pos, month = np.nonzero(path > 0.5)
    snapshot = window.month_last[month]
    alive = snapshot >= created_day[pos]
    pos, month, snapshot = pos[alive], month[alive], snapshot[alive]
    updated = seconds_at(snapshot, np.full(len(pos), 23 * 3600 + 30 * 60))
    holdings = Frame(
        "holdings",
        {
            "snapshot_date": snapshot,
            "customer_id": pop.customer_num[customer[pos]],
            "product_code": product[pos],
            "market_value": np.round(path[pos, month] * 100).astype(np.int64),
            "updated_at": updated,
        },
        {
            "snapshot_date": Col("date"),
            "customer_id": Col("id", "C"),
            "product_code": Col("code", labels=ref.product_codes),
            "market_value": Col("dec"),
            "updated_at": Col("ts"),
        },
        snapshot.copy(),
    )
    return orders, holdings
