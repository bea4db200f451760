"""Booked transactions on every account, with a running balance per account.

Each kind of money flow (salary, pension, business receipts, family transfers, card spend,
cash, savings transfers, card repayments, loan instalments, interest) is drawn as one
vectorised block; the blocks are stacked, sorted per account, and `balance_after` is an
opening balance plus a cumulative sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import (
    categorical_by_row,
    cents,
    expand,
    keep_in_window,
    monthly_events,
    random_day_in_month,
    seconds_at,
    sort_order,
    time_of_day,
)
from .config import SECONDS_PER_DAY, Window
from .credit import LoanBook
from .frame import NULL, XID_BASE, Col, Frame
from .master import ACCOUNT_BASE, BUSINESS_ACCOUNT, CARD, CURRENT, SAVINGS, AccountBook
from .personas import BUSINESS, NONE, OTHER, PENSION, RETIREE, SALARY, STUDENT, Population
from .reference import Reference

# Counterparty id prefixes; numbers are drawn with a fixed width so no padding is needed.
CP_PREFIXES = ("E", "F", "Y", "P", "M", "A", "L", "ATM")
CP_EMPLOYER, CP_PENSION, CP_BUSINESS, CP_PERSON, CP_MERCHANT, CP_ACCOUNT, CP_LOAN, CP_ATM = range(8)

SPEND_CATEGORIES = (
    "groceries",
    "dining",
    "transport",
    "travel",
    "shopping",
    "online_shopping",
    "health",
    "education",
    "entertainment",
    "home_furnishing",
    "business_supplies",
    "business_services",
    "insurance",
)
CATEGORY_WEIGHTS = np.array(
    [  # rows in PERSONAS order, columns in SPEND_CATEGORIES order
        [2.0, 4.0, 2.0, 1.5, 1.5, 4.0, 0.5, 0.3, 1.5, 0.15, 0.0, 0.0, 0.2],
        [2.0, 2.5, 1.5, 1.0, 1.0, 1.0, 0.5, 0.3, 0.5, 0.15, 3.0, 2.5, 0.3],
        [5.0, 1.0, 1.0, 0.3, 1.0, 0.3, 3.0, 0.0, 0.3, 0.15, 0.0, 0.0, 0.3],
        [2.0, 3.0, 1.5, 4.0, 2.5, 2.0, 0.7, 0.7, 1.5, 0.2, 0.3, 0.3, 0.5],
        [1.5, 4.0, 2.0, 0.3, 1.0, 5.0, 0.2, 2.5, 1.5, 0.0, 0.0, 0.0, 0.0],
        [5.0, 2.0, 2.0, 0.3, 1.5, 2.0, 1.0, 0.8, 0.5, 0.15, 0.0, 0.0, 0.3],
    ]
)
# The category weights of a payment: its persona's row, without the business categories
# unless the customer has a business; row 2 * persona + has_business.
CATEGORY_WEIGHTS_BY_BUSINESS = np.repeat(CATEGORY_WEIGHTS, 2, axis=0)
CATEGORY_WEIGHTS_BY_BUSINESS[0::2, 10:12] = 0.0
CATEGORY_SIZE = np.array([1.0, 0.8, 0.6, 5.0, 3.0, 2.0, 1.5, 4.0, 1.2, 4.0, 6.0, 8.0, 5.0])
SPEND_RATE = np.array([3.5, 2.5, 1.5, 4.5, 4.0, 2.5])  # merchant payments per month
CASH_RATE = np.array([0.3, 0.5, 1.5, 0.2, 0.2, 0.8])  # ATM withdrawals per month
BRANCH_RATE = np.array([0.05, 0.2, 0.8, 0.05, 0.0, 0.1])  # branch cash withdrawals per month
SPEND_CHANNELS = ("pos", "third_party", "online", "mobile_app")
SPEND_CHANNEL_P = np.array(
    [
        [0.25, 0.45, 0.10, 0.20],
        [0.40, 0.30, 0.15, 0.15],
        [0.80, 0.10, 0.05, 0.05],
        [0.30, 0.30, 0.20, 0.20],
        [0.10, 0.60, 0.10, 0.20],
        [0.45, 0.35, 0.10, 0.10],
    ]
)
INTENT_MONTHS = 6  # intenders show their plan in the last six months


@dataclass
class Block:
    account: np.ndarray
    second: np.ndarray
    amount: np.ndarray  # signed cents
    channel: np.ndarray
    cp_type: np.ndarray
    cp: np.ndarray  # prefixed id (xid) or NULL
    mcc: np.ndarray  # merchant category code or NULL


def xid(prefix: int, number: np.ndarray) -> np.ndarray:
    return prefix * XID_BASE + np.asarray(number, dtype=np.int64)


class Booker:
    """Collects blocks of transactions for one chunk of customers."""

    def __init__(self, ref: Reference, pop: Population, book: AccountBook, window: Window):
        self.ref, self.pop, self.book, self.window = ref, pop, book, window
        self.blocks: list[Block] = []

    def channel(self, name: str) -> int:
        return self.ref.index("channel", name)

    def cp_type(self, name: str) -> int:
        return self.ref.index("counterparty_type", name)

    def add(
        self,
        customer: np.ndarray,
        slot: np.ndarray | int,
        second: np.ndarray,
        amount: np.ndarray,
        channel: np.ndarray | int,
        cp_type: np.ndarray | int,
        cp: np.ndarray | int = NULL,
        mcc: np.ndarray | int = NULL,
    ) -> None:
        """Book rows for customers that are active then; drop the rest."""
        keep = keep_in_window(second, self.pop.created_sec[customer], self.window) & (amount != 0)
        n = len(customer)

        def full(values: np.ndarray | int) -> np.ndarray:
            return np.broadcast_to(np.asarray(values, dtype=np.int64), (n,))[keep]

        slot_arr = np.broadcast_to(np.asarray(slot), (n,))
        self.blocks.append(
            Block(
                account=self.book.number[customer, slot_arr][keep],
                second=second[keep],
                amount=amount[keep],
                channel=full(channel),
                cp_type=full(cp_type),
                cp=full(cp),
                mcc=full(mcc),
            )
        )

    def transfer(
        self,
        customer: np.ndarray,
        source: int | np.ndarray,
        target: int | np.ndarray,
        second: np.ndarray,
        amount: np.ndarray,
        channel: int | np.ndarray,
    ) -> None:
        """Own-account transfer: two rows, each naming the other account."""
        internal = self.cp_type("internal")
        n = len(customer)
        src = np.broadcast_to(np.asarray(source), (n,))
        dst = np.broadcast_to(np.asarray(target), (n,))
        self.add(
            customer,
            src,
            second,
            -amount,
            channel,
            internal,
            xid(CP_ACCOUNT, self.book.number[customer, dst]),
        )
        self.add(
            customer,
            dst,
            second + 1,
            amount,
            channel,
            internal,
            xid(CP_ACCOUNT, self.book.number[customer, src]),
        )


def _monthly(window: Window, customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    customer = np.repeat(customers, window.months)
    month = np.tile(np.arange(window.months), len(customers))
    return customer, month


def _income_flows(rng: np.random.Generator, bk: Booker) -> None:
    pop, window = bk.pop, bk.window
    system = bk.channel("system")
    # Salary: monthly, around the same day, from the same employer.
    customer, month = _monthly(window, np.flatnonzero(pop.income_source == SALARY))
    day = (
        window.month_first[month]
        + np.clip(pop.salary_day[customer] + rng.integers(-1, 2, len(month)), 1, 28)
        - 1
    )
    amount = cents(np.round(pop.income[customer] * (1 + 0.02 * rng.standard_normal(len(month))), 2))
    second = seconds_at(day, time_of_day(rng, len(month), 8, 11))
    started = day >= np.maximum(pop.employment_start[customer], 0)
    bk.add(
        customer[started],
        CURRENT,
        second[started],
        amount[started],
        system,
        bk.cp_type("employer"),
        xid(CP_EMPLOYER, pop.employer_num[customer[started]]),
    )

    # Pension: monthly on a city-specific day, the same amount each month.
    customer, month = _monthly(window, np.flatnonzero(pop.income_source == PENSION))
    day = window.month_first[month] + 7 + pop.city[customer]
    bk.add(
        customer,
        CURRENT,
        seconds_at(day, time_of_day(rng, len(month), 6, 8)),
        cents(pop.income[customer]),
        system,
        bk.cp_type("pension_fund"),
        xid(CP_PENSION, 200_000 + pop.city[customer]),
    )

    # Business receipts: irregular, large, from many different business counterparties.
    business = pop.income_source == BUSINESS
    revenue = 2.2 * pop.income
    customer, month = monthly_events(rng, np.where(business, 5.0, 0.0), window)
    n = len(customer)
    client_base = 10_000_000 + rng.integers(0, 89_000_000, len(pop))
    slot = np.where(pop.has_business[customer], BUSINESS_ACCOUNT, CURRENT)
    channel = np.array([bk.channel("online"), bk.channel("branch"), bk.channel("mobile_app")])
    day = random_day_in_month(rng, month, window)
    bk.add(
        customer,
        slot,
        seconds_at(day, time_of_day(rng, n, 9, 18)),
        cents(np.round(revenue[customer] / 5 * rng.lognormal(-0.5, 1.0, n), -1)),
        channel[rng.choice(3, n, p=[0.7, 0.2, 0.1])],
        bk.cp_type("business"),
        xid(CP_BUSINESS, client_base[customer] + rng.integers(0, 40, n)),
    )
    # Supplier payments out of the business.
    customer, month = monthly_events(rng, np.where(business, 2.0, 0.0), window)
    n = len(customer)
    slot = np.where(pop.has_business[customer], BUSINESS_ACCOUNT, CURRENT)
    bk.add(
        customer,
        slot,
        seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 9, 18)),
        -cents(np.round(revenue[customer] * 0.45 / 2 * rng.lognormal(-0.3, 0.7, n), -1)),
        bk.channel("online"),
        bk.cp_type("business"),
        xid(CP_BUSINESS, 10_000_000 + rng.integers(0, 89_000_000, n)),
    )
    # Owner's draw: business account to current account.
    customer, month = _monthly(window, np.flatnonzero(business & pop.has_business))
    day = window.month_first[month] + np.minimum(27, window.month_length[month] - 1)
    bk.transfer(
        customer,
        BUSINESS_ACCOUNT,
        CURRENT,
        seconds_at(day, time_of_day(rng, len(month), 10, 17)),
        cents(np.round(pop.income[customer], -2)),
        bk.channel("online"),
    )

    # Other income: irregular transfers from a few individuals (family, gig clients).
    other = pop.income_source == OTHER
    rate = np.where(other, np.where(pop.persona == STUDENT, 2.5, 3.0), 0.0)
    customer, month = monthly_events(rng, rate, window)
    n = len(customer)
    family = 100_000_000 + rng.integers(0, 899_000_000, len(pop))
    p2p = np.array([bk.channel("mobile_app"), bk.channel("third_party")])
    bk.add(
        customer,
        CURRENT,
        seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 8, 23)),
        cents(np.round(pop.income[customer] / rate[customer] * rng.lognormal(-0.2, 0.6, n))),
        p2p[rng.integers(0, 2, n)],
        bk.cp_type("individual"),
        xid(CP_PERSON, family[customer] + rng.integers(0, 3, n)),
    )
    # Occasional small person-to-person payments for everyone with any income, both ways.
    for direction, rate_each in ((1, 0.08), (-1, 0.3)):
        active = pop.income_source != NONE if direction > 0 else np.ones(len(pop), bool)
        customer, month = monthly_events(rng, np.where(active, rate_each, 0.0), window)
        n = len(customer)
        bk.add(
            customer,
            CURRENT,
            seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 8, 23)),
            direction * cents(np.round(rng.uniform(50, 800, n))),
            p2p[rng.integers(0, 2, n)],
            bk.cp_type("individual"),
            xid(CP_PERSON, rng.integers(100_000_000, 999_999_999, n)),
        )


def _spending(rng: np.random.Generator, bk: Booker) -> np.ndarray:
    """Card and account payments at merchants; returns card spend per (customer, month)."""
    pop, window, ref = bk.pop, bk.window, bk.ref
    n_pop = len(pop)
    budget = (
        pop.spend_ratio
        * np.maximum(pop.income, np.where(pop.income_source == NONE, 1_200, 1_500))
        * 0.55
    )
    customer, month = monthly_events(rng, SPEND_RATE[pop.persona], window)
    n = len(customer)
    persona = pop.persona[customer]
    category = categorical_by_row(
        rng, CATEGORY_WEIGHTS_BY_BUSINESS, 2 * persona + pop.has_business[customer]
    )
    mean_size = (CATEGORY_WEIGHTS * CATEGORY_SIZE).sum(axis=1) / CATEGORY_WEIGHTS.sum(axis=1)
    size = CATEGORY_SIZE[category] / mean_size[persona]
    amount = budget[customer] / SPEND_RATE[persona] * size * rng.lognormal(-0.18, 0.6, n)
    recent = month >= window.months - INTENT_MONTHS
    amount = np.where(pop.intends_home[customer] & recent, 0.8 * amount, amount)
    mcc = _mcc_for(rng, ref, SPEND_CATEGORIES, category)
    on_card = pop.has_card[customer] & (rng.random(n) < 0.6)
    channels = np.array([bk.channel(name) for name in SPEND_CHANNELS])
    channel = channels[categorical_by_row(rng, SPEND_CHANNEL_P, persona)]
    day = random_day_in_month(rng, month, window)
    second = seconds_at(day, time_of_day(rng, n, 7, 23))
    cents_ = -cents(np.maximum(np.round(amount, 2), 1.0))
    merchant = xid(CP_MERCHANT, 10_000_000 + mcc * 1_000 + rng.integers(0, 1_000, n))
    bk.add(
        customer,
        np.where(on_card, CARD, CURRENT),
        second,
        cents_,
        channel,
        bk.cp_type("merchant"),
        merchant,
        mcc,
    )

    # Property and home furnishing payments: many for intenders near the end, rare otherwise.
    intenders = pop.intends_home
    count = rng.poisson(np.where(intenders, 4.0, 0.12))
    customer = expand(count)
    k = len(customer)
    first_month = np.where(
        intenders[customer], window.months - min(INTENT_MONTHS, window.months), 0
    )
    month = first_month + (rng.random(k) * (window.months - first_month)).astype(np.int64)
    categories = np.where(rng.random(k) < 0.6, 0, 1)
    mcc_p = _mcc_for(rng, ref, ("property", "home_furnishing"), categories)
    on_card_p = pop.has_card[customer] & (rng.random(k) < 0.5)
    second_p = seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, k, 9, 21))
    amount_p = -cents(np.round(np.exp(np.log(6_000) + 0.9 * rng.standard_normal(k)), 2))
    bk.add(
        customer,
        np.where(on_card_p, CARD, CURRENT),
        second_p,
        amount_p,
        channels[rng.integers(0, 2, k)],
        bk.cp_type("merchant"),
        xid(CP_MERCHANT, 10_000_000 + mcc_p * 1_000 + rng.integers(0, 1_000, k)),
        mcc_p,
    )

    # Utilities: one bill a month.
    customer, month = _monthly(window, np.arange(n_pop))
    n = len(customer)
    mcc_u = np.where(rng.random(n) < 0.5, 4814, 4900)
    bk.add(
        customer,
        CURRENT,
        seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 8, 22)),
        -cents(np.round(rng.uniform(60, 400, n), 2)),
        bk.channel("third_party"),
        bk.cp_type("merchant"),
        xid(CP_MERCHANT, 10_000_000 + mcc_u * 1_000 + 1),
        mcc_u,
    )

    card_blocks = [b for b in bk.blocks if len(b.account) and (b.account % 8 == CARD).any()]
    spend = np.zeros(n_pop * window.months)
    first_customer = pop.customer_num[0] - 10_000_000
    for block in card_blocks:
        is_card = (block.account % 8 == CARD) & (block.amount < 0)
        local = (block.account[is_card] - ACCOUNT_BASE) // 8 - first_customer
        month_of = (
            np.searchsorted(
                window.month_first, block.second[is_card] // SECONDS_PER_DAY, side="right"
            )
            - 1
        )
        spend += np.bincount(
            local * window.months + month_of,
            weights=-block.amount[is_card],
            minlength=n_pop * window.months,
        )
    return spend.reshape(n_pop, window.months)


def _mcc_for(
    rng: np.random.Generator, ref: Reference, names: tuple[str, ...], category: np.ndarray
) -> np.ndarray:
    """A merchant category code of category names[category], uniformly among the seed's
    codes; categories are drawn in the alphabetical order of their names."""
    mcc = np.zeros(len(category), dtype=np.int64)
    present = np.flatnonzero(np.bincount(category, minlength=len(names)))
    for position in sorted(present, key=lambda p: names[p]):
        mask = category == position
        codes = ref.mccs_in([names[position]])
        mcc[mask] = codes[rng.integers(0, len(codes), int(mask.sum()))]
    return mcc


def _cash_and_transfers(rng: np.random.Generator, bk: Booker, card_spend: np.ndarray) -> None:
    pop, window = bk.pop, bk.window
    n_pop = len(pop)
    monthly = np.maximum(pop.income, 1_500.0)
    customer, month = monthly_events(rng, CASH_RATE[pop.persona], window)
    n = len(customer)
    amount = np.clip(np.round(monthly[customer] * rng.uniform(0.04, 0.2, n), -2), 100, 5_000)
    bk.add(
        customer,
        CURRENT,
        seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 7, 22)),
        -cents(amount),
        bk.channel("atm"),
        bk.cp_type("internal"),
        xid(CP_ATM, 100_000 + pop.city[customer] * 1_000 + rng.integers(0, 1_000, n)),
    )
    customer, month = monthly_events(rng, BRANCH_RATE[pop.persona], window)
    n = len(customer)
    amount = np.clip(np.round(monthly[customer] * rng.uniform(0.1, 0.4, n), -2), 500, 20_000)
    bk.add(
        customer,
        CURRENT,
        seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 9, 16.5)),
        -cents(amount),
        bk.channel("branch"),
        bk.cp_type("internal"),
    )

    # Monthly savings transfers; intenders save much more over the last six months.
    savers = np.flatnonzero(pop.has_savings & (pop.income_source != NONE))
    base_rate = np.where(pop.intends_home, 0.1, rng.uniform(0.0, 0.12, n_pop))
    noisy = rng.random(n_pop) < 0.04  # some non-intenders also save hard lately
    customer, month = _monthly(window, savers)
    recent = month - (window.months - INTENT_MONTHS)
    ramp = np.clip((recent + 1) / INTENT_MONTHS, 0, 1)
    boosted = (pop.intends_home[customer] | noisy[customer]) & (recent >= 0)
    rate = np.where(boosted, 0.2 + 0.15 * ramp, base_rate[customer])
    amount = cents(np.round(rate * pop.income[customer], -2))
    day = window.month_first[month] + np.minimum(pop.salary_day[customer] + 1, 28) - 1
    channel = np.where(
        pop.persona[customer] == RETIREE, bk.channel("branch"), bk.channel("mobile_app")
    )
    bk.transfer(
        customer,
        CURRENT,
        SAVINGS,
        seconds_at(day, time_of_day(rng, len(day), 12, 22)),
        amount,
        channel,
    )

    # Card repayment: last month's card spend, paid from the current account on the 20th.
    holders = np.flatnonzero(pop.has_card)
    customer, month = _monthly(window, holders)
    keep = month >= 1
    customer, month = customer[keep], month[keep]
    owed = np.round(card_spend[customer, month - 1]).astype(np.int64)
    day = window.month_first[month] + 19
    bk.transfer(
        customer,
        CURRENT,
        CARD,
        seconds_at(day, time_of_day(rng, len(day), 1, 3)),
        owed,
        bk.channel("system"),
    )

    # Quarterly interest on savings.
    quarter_end = np.flatnonzero(window.month_index % 3 == 2)
    customer = np.repeat(np.flatnonzero(pop.has_savings), len(quarter_end))
    month = np.tile(quarter_end, int(pop.has_savings.sum()))
    opening = _opening_balances(pop)[:, SAVINGS]
    interest = np.maximum(np.round(opening[customer] * 0.0035), 1)
    bk.add(
        customer,
        SAVINGS,
        seconds_at(window.month_first[month] + 20, np.full(len(month), 3_600)),
        interest.astype(np.int64),
        bk.channel("system"),
        bk.cp_type("internal"),
    )


def _opening_balances(pop: Population) -> np.ndarray:
    """Opening balance (cents) per customer and account slot at the window start."""
    monthly = np.maximum(pop.income, np.where(pop.income_source == NONE, 1_200, 1_500))
    buffer = pop.buffer_months * np.where(pop.income_source == NONE, 15.0, 1.0) * monthly
    buffer = buffer * np.where(pop.wealth_affinity, 2.0, 1.0)
    opening = np.zeros((len(pop), 5))
    opening[:, CURRENT] = np.where(pop.has_savings, 0.4, 1.0) * buffer
    opening[:, SAVINGS] = np.where(pop.has_savings, 0.6 * buffer, 0.0)
    opening[:, BUSINESS_ACCOUNT] = np.where(pop.has_business, 3 * 2.2 * pop.income, 0.0)
    return np.round(opening * 100)


def make_transactions(
    rng: np.random.Generator,
    ref: Reference,
    pop: Population,
    book: AccountBook,
    loans: LoanBook,
    window: Window,
    chunk: int,
) -> Frame:
    bk = Booker(ref, pop, book, window)
    _income_flows(rng, bk)
    card_spend = _spending(rng, bk)
    _cash_and_transfers(rng, bk, card_spend)
    first_customer = pop.customer_num[0] - 10_000_000
    loan_customer = (loans.debit_account - ACCOUNT_BASE) // 8 - first_customer
    loan_slot = loans.debit_account % 8
    bk.add(
        loan_customer,
        loan_slot,
        loans.debit_sec,
        -loans.debit_cents,
        bk.channel("system"),
        bk.cp_type("internal"),
        xid(CP_LOAN, loans.debit_loan),
    )

    blocks = bk.blocks
    account = np.concatenate([b.account for b in blocks])
    second = np.concatenate([b.second for b in blocks])
    amount = np.concatenate([b.amount for b in blocks])
    order = sort_order(account, second)
    account, second, amount = account[order], second[order], amount[order]
    running = np.cumsum(amount)
    starts = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
    sizes = np.diff(np.r_[starts, len(account)])
    before = np.repeat(np.r_[0, running[starts[1:] - 1]], sizes)
    local = (account - ACCOUNT_BASE) // 8 - first_customer
    opening = _opening_balances(pop)[local, account % 8].astype(np.int64)
    balance = opening + running - before

    def stacked(name: str) -> np.ndarray:
        return np.concatenate([getattr(b, name) for b in blocks])[order]

    n = len(account)
    rank = np.empty(n, dtype=np.int64)
    rank[sort_order(second)] = np.arange(n)
    day = second // SECONDS_PER_DAY
    late = rng.random(n) < 0.005
    extract = np.where(late, np.minimum(day + rng.integers(1, 4, n), window.end_day), day)
    data = {
        "transaction_id": 100_000_000_000 + chunk * 1_000_000_000 + rank,
        "account_id": account,
        "booked_at": second,
        "amount": amount,
        "currency": np.full(n, ref.index("currency", "CNY")),
        "channel": stacked("channel"),
        "mcc": stacked("mcc"),
        "counterparty_type": stacked("cp_type"),
        "counterparty_id": stacked("cp"),
        "balance_after": balance,
        "updated_at": second,
    }
    cols = {
        "transaction_id": Col("id", "T"),
        "account_id": Col("id", "A"),
        "booked_at": Col("ts"),
        "amount": Col("dec"),
        "currency": Col("code", labels=ref.codes("currency")),
        "channel": Col("code", labels=ref.codes("channel")),
        "mcc": Col("int"),
        "counterparty_type": Col("code", labels=ref.codes("counterparty_type")),
        "counterparty_id": Col("xid", labels=CP_PREFIXES),
        "balance_after": Col("dec"),
        "updated_at": Col("ts"),
    }
    return Frame("transactions", data, cols, extract)
