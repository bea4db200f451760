"""Loans, monthly instalments, credit bureau reports, and the default mechanism.

One mechanism drives both history and truth: a loan defaults (90+ days past due within
12 months of origination) with probability `pd_from(ability at origination, willingness)`,
and a current customer's `pd_12m` is the same function of ability today. Ability at
origination counts the instalments of the customer's loans running that day (the new one
included), as `dti_now` counts those running at `end_date`.

The credit bureau sees repayment behaviour at all lenders before and during the window: a
monthly history of late payments (a Poisson count per month whose rate falls with
willingness, each late month with a days-past-due level) from which every report counts
the 24 months before its date. Reports are pulled every quarter since the customer joined
(back to before the oldest loan) and at every loan application, so each loan has a report
dated before its origination, as a bank's application file would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import expand, extract_days, seconds_at, sort_order
from .config import (
    SECONDS_PER_DAY,
    Window,
    add_months,
    day_of_month,
    month_of_day,
    month_start_day,
)
from .frame import NULL, Col, Frame
from .master import BUSINESS_ACCOUNT, CARD, CURRENT, AccountBook
from .personas import (
    ABILITY_DTI,
    AFFLUENT,
    BUSINESS,
    NONE,
    PENSION,
    SALARY,
    Population,
    ability_index,
    pd_from,
)
from .reference import Reference

LOAN_TYPES = ("mortgage", "consumer", "business", "credit_card")
MORTGAGE, CONSUMER, BUSINESS_LOAN, CARD_LOAN = range(4)
LOAN_BASE = 1_000_000_000  # 'L' + 10 digits
EXTERNAL_SERVICE_RATE = 0.03  # monthly debt service on external debt
HISTORY_DAYS = 1_096  # loans originate up to 36 months before end_date
CYCLES = 2  # borrowing cycles: a customer may take a loan of a kind in each (mortgages: once)
SLOTS = CYCLES * 4  # loan id = LOAN_BASE + customer number x SLOTS + cycle x 4 + kind
# Bureau late-payment history: late months per 24 months ~ Poisson(exp(a - b x willingness)),
# each late month's days-past-due level round(c - d x willingness + e x noise) in 30..180.
BUREAU_LATE_A, BUREAU_LATE_B = -0.9, 1.2
BUREAU_DPD_C, BUREAU_DPD_D, BUREAU_DPD_NOISE = 0.3, 0.8, 0.6
BUREAU_MONTHS = 24
# Chance of each loan type by persona (rows in PERSONAS order).
LOAN_P = np.array(
    [
        [0.10, 0.25, 0.00, 0.30],
        [0.15, 0.08, 0.55, 0.20],
        [0.02, 0.03, 0.00, 0.10],
        [0.25, 0.05, 0.40, 0.20],
        [0.00, 0.00, 0.00, 0.15],
        [0.10, 0.18, 0.00, 0.20],
    ]
)


@dataclass
class LoanBook:
    loans: Frame
    repayments: Frame
    truth: dict[str, np.ndarray]  # one entry per loan
    dti_now: np.ndarray  # per customer
    debit_account: np.ndarray  # instalment debits for transactions: account number
    debit_sec: np.ndarray
    debit_cents: np.ndarray  # positive amounts paid
    debit_loan: np.ndarray  # loan number
    loan_customer: np.ndarray  # per loan: position of the borrower in the population
    loan_originated_day: np.ndarray  # per loan: origination day (the bureau is pulled before)


def annuity(principal: np.ndarray, annual_rate: np.ndarray, months: np.ndarray) -> np.ndarray:
    r = annual_rate / 12.0
    return principal * r / (1.0 - (1.0 + r) ** (-months.astype(float)))


def _draw_loans(rng: np.random.Generator, pop: Population, window: Window) -> dict[str, np.ndarray]:
    n = len(pop)
    p = LOAN_P[pop.persona].copy()
    source = pop.income_source
    p[source == NONE] = 0.0
    p[~np.isin(source, [SALARY, BUSINESS, PENSION]), MORTGAGE] = 0.0
    p[source != BUSINESS, BUSINESS_LOAN] = 0.0
    p[(pop.persona == AFFLUENT) & (source != BUSINESS), BUSINESS_LOAN] = 0.0
    p[~pop.has_card, CARD_LOAN] = 0.0
    p_cycle = np.repeat(p[:, None, :], CYCLES, axis=1)
    p_cycle[:, 1:, MORTGAGE] = 0.0  # one mortgage at most
    customer, cycle, kind = np.nonzero(rng.random((n, CYCLES, 4)) < p_cycle)
    m = len(customer)
    created_day = pop.created_sec[customer] // SECONDS_PER_DAY
    earliest = np.maximum(window.end_day - HISTORY_DAYS, created_day + 30)
    latest = window.end_day - 15
    orig = earliest + (rng.random(m) * (latest - earliest + 1)).astype(np.int64)
    term = np.select(
        [kind == MORTGAGE, kind == CARD_LOAN],
        [rng.choice([240, 360], m), np.full(m, 12)],
        rng.choice([12, 24, 36], m),
    )
    rate = np.select(
        [kind == MORTGAGE, kind == CONSUMER, kind == BUSINESS_LOAN],
        [rng.uniform(0.035, 0.045, m), rng.uniform(0.04, 0.12, m), rng.uniform(0.04, 0.07, m)],
        rng.uniform(0.12, 0.18, m),
    )
    rate = np.round(rate, 4)
    income = pop.income_floor[customer]
    desired = np.select(
        [kind == MORTGAGE, kind == CONSUMER, kind == BUSINESS_LOAN],
        [
            np.exp(np.log(1.2e6) + 0.5 * rng.standard_normal(m)),
            np.exp(np.log(6e4) + 0.6 * rng.standard_normal(m)),
            np.exp(np.log(5e5) + 0.7 * rng.standard_normal(m)),
        ],
        pop.card_limit[customer],
    )
    share = np.array([0.35, 0.2, 0.4, 1.0])[kind]
    affordable = share * income / annuity(np.ones(m), rate, term)
    principal = np.where(kind == CARD_LOAN, desired, np.round(np.minimum(desired, affordable), -3))
    minimum = np.array([100_000, 10_000, 50_000, 0])[kind]
    keep = (orig <= latest) & (principal >= minimum)
    loans = {
        "customer": customer,
        "slot": cycle * 4 + kind,
        "kind": kind,
        "orig": orig,
        "term": term,
        "rate": rate,
        "principal": principal,
    }
    return {name: values[keep] for name, values in loans.items()}


def loan_numbers(pop: Population, customer: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Numeric part of loan_id: one number per customer and (cycle, kind) slot."""
    return LOAN_BASE + (pop.customer_num[customer] - 10_000_000) * SLOTS + slot


def _other_debt_service(
    n: int,
    customer: np.ndarray,
    slot: np.ndarray,
    orig: np.ndarray,
    maturity: np.ndarray,
    instalment: np.ndarray,
) -> np.ndarray:
    """Instalments of each loan's sibling loans running on its origination day."""
    start = np.full((n, SLOTS), NULL, dtype=np.int64)
    end = np.full((n, SLOTS), NULL, dtype=np.int64)
    pay = np.zeros((n, SLOTS))
    start[customer, slot], end[customer, slot], pay[customer, slot] = orig, maturity, instalment
    day = orig[:, None]
    running = (start[customer] != NULL) & (start[customer] <= day) & (end[customer] > day)
    running[np.arange(len(customer)), slot] = False
    return (pay[customer] * running).sum(axis=1)


def _collateral(rng: np.random.Generator, ref: Reference, kind: np.ndarray) -> np.ndarray:
    m = len(kind)
    none, prop, guar, dep = ref.indices(
        "collateral_type", ["none", "property", "guarantee", "deposit"]
    )
    u = rng.random(m)
    business = np.where(u < 0.5, guar, np.where(u < 0.9, prop, dep))
    return np.select(
        [kind == MORTGAGE, kind == CONSUMER, kind == BUSINESS_LOAN],
        [np.full(m, prop), np.where(u < 0.9, none, guar), business],
        np.full(m, none),
    )


def make_loans(
    rng: np.random.Generator,
    ref: Reference,
    pop: Population,
    book: AccountBook,
    window: Window,
    chunk: int,
) -> LoanBook:
    loan = _draw_loans(rng, pop, window)
    customer, kind, orig, term = loan["customer"], loan["kind"], loan["orig"], loan["term"]
    m = len(customer)
    income = pop.income_floor[customer]
    willingness = pop.willingness[customer]
    statement = np.round(loan["principal"] * rng.uniform(0.05, 0.3, m), 2)
    instalment = np.where(
        kind == CARD_LOAN, statement, np.round(annuity(loan["principal"], loan["rate"], term), 2)
    )
    external_service = EXTERNAL_SERVICE_RATE * pop.external_debt[customer]
    maturity = add_months(orig, term)
    running = _other_debt_service(len(pop), customer, loan["slot"], orig, maturity, instalment)
    dti_orig = (instalment + running + external_service) / income
    pd_orig = pd_from(
        ability_index(pop, np.zeros(len(pop)))[customer] - ABILITY_DTI * dti_orig, willingness
    )
    defaults = rng.random(m) < pd_orig
    first_missed = rng.integers(1, 10, m)
    default_day = np.where(defaults, add_months(orig, first_missed) + 90, NULL)

    # Instalments due up to the end of the window (or until the loan is declared defaulted).
    elapsed = month_of_day(np.full(m, window.end_day)) - month_of_day(orig)
    end_dom = day_of_month(np.array([window.end_day]))[0]
    count = elapsed - (np.minimum(day_of_month(orig), 28) > end_dom)
    count = np.clip(np.minimum(count, term), 0, None)
    row_loan = expand(count)
    number = np.arange(len(row_loan)) - np.repeat(np.cumsum(count) - count, count) + 1
    due = add_months(orig[row_loan], number)
    keep = (default_day[row_loan] == NULL) | (due <= default_day[row_loan])
    row_loan, number, due = row_loan[keep], number[keep], due[keep]
    repayments = _repayments(
        rng, pop, loan, row_loan, number, due, instalment, defaults, first_missed, window, chunk
    )

    loans = _loan_versions(rng, ref, pop, book, loan, maturity, default_day, window)
    active_now = (maturity > window.end_day) & (
        (default_day == NULL) | (default_day > window.end_day)
    )
    debt_service = np.bincount(
        customer, weights=np.where(active_now, instalment, 0.0), minlength=len(pop)
    )
    dti_now = (debt_service + EXTERNAL_SERVICE_RATE * pop.external_debt) / pop.income_floor

    loan_num = loan_numbers(pop, customer, loan["slot"])
    paid = repayments.data["paid_date"] != NULL
    r_loan = repayments.data["_loan_row"]
    debit = paid & (kind[r_loan] != CARD_LOAN)
    debit_sec = repayments.data["updated_at"][debit]
    in_window = debit_sec >= window.start_second
    slot = np.where(kind == BUSINESS_LOAN, BUSINESS_ACCOUNT, CURRENT)
    slot = np.where(
        kind == BUSINESS_LOAN,
        np.where(book.exists[customer, BUSINESS_ACCOUNT], BUSINESS_ACCOUNT, CURRENT),
        slot,
    )
    account = book.number[customer, slot]
    del repayments.data["_loan_row"]
    truth = {
        "loan_id": loan_num,
        "customer_num": pop.customer_num[customer],
        "loan_type": kind,
        "originated_day": orig,
        "pd_at_origination": pd_orig,
        "defaulted_within_12m": defaults,
        "default_day": default_day,
    }
    return LoanBook(
        loans=loans,
        repayments=repayments,
        truth=truth,
        dti_now=dti_now,
        debit_account=account[r_loan[debit]][in_window],
        debit_sec=debit_sec[in_window],
        debit_cents=repayments.data["amount_paid"][debit][in_window],
        debit_loan=loan_num[r_loan[debit]][in_window],
        loan_customer=customer,
        loan_originated_day=orig,
    )


def _repayments(
    rng: np.random.Generator,
    pop: Population,
    loan: dict[str, np.ndarray],
    row_loan: np.ndarray,
    number: np.ndarray,
    due: np.ndarray,
    instalment: np.ndarray,
    defaults: np.ndarray,
    first_missed: np.ndarray,
    window: Window,
    chunk: int,
) -> Frame:
    n = len(row_loan)
    customer = loan["customer"][row_loan]
    amount_due = np.round(instalment[row_loan] * 100).astype(np.int64)
    missed = defaults[row_loan] & (number >= first_missed[row_loan])
    w = pop.willingness[customer]
    p_late = 1.0 / (1.0 + np.exp(3.4 + 1.1 * w + 0.3 * pop.ability_static[customer]))
    late = ~missed & (rng.random(n) < p_late)
    days_late = np.minimum(1 + rng.geometric(0.15, n), 60)
    on_time_day = due  # paid on the due day (auto-debit), so no row shows a future date
    repayment_num = 100_000_000_000 + chunk * 1_000_000_000 + np.arange(n)

    # Versions: on time -> one; late -> at due + when paid; missed -> at due + every 30 days.
    late_paid_day = due + days_late
    late_versions = 1 + (late_paid_day <= window.end_day)
    missed_versions = 1 + np.clip((window.end_day - due) // 30, 0, 6)
    versions = np.where(missed, missed_versions, np.where(late, late_versions, 1))
    row = expand(versions)
    v = np.arange(len(row)) - np.repeat(np.cumsum(versions) - versions, versions)
    is_missed, is_late = missed[row], late[row]
    first = v == 0
    due_r = due[row]
    paid_day = np.where(is_late, late_paid_day[row], on_time_day[row])
    paid_now = ~is_missed & ~(is_late & first)
    update_day = np.where(is_missed, due_r + 30 * v, np.where(is_late & first, due_r, paid_day))
    update_time = np.where(paid_now, rng.integers(8 * 3600, 22 * 3600, len(row)), 23 * 3600)
    dpd = np.where(is_missed, 30 * v, np.where(paid_now & is_late, days_late[row], 0))
    data = {
        "repayment_id": repayment_num[row],
        "loan_id": loan_numbers(pop, customer[row], loan["slot"][row_loan[row]]),
        "installment_number": number[row],
        "due_date": due_r,
        "paid_date": np.where(paid_now, paid_day, NULL),
        "amount_due": amount_due[row],
        "amount_paid": np.where(paid_now, amount_due[row], 0),
        "days_past_due": dpd,
        "updated_at": seconds_at(update_day, update_time),
        "_loan_row": row_loan[row],
    }
    cols = {
        "repayment_id": Col("id", "R"),
        "loan_id": Col("id", "L"),
        "installment_number": Col("int"),
        "due_date": Col("date"),
        "paid_date": Col("date"),
        "amount_due": Col("dec"),
        "amount_paid": Col("dec"),
        "days_past_due": Col("int"),
        "updated_at": Col("ts"),
    }
    return Frame("loan_repayments", data, cols, extract_days(data["updated_at"], window))


def _loan_versions(
    rng: np.random.Generator,
    ref: Reference,
    pop: Population,
    book: AccountBook,
    loan: dict[str, np.ndarray],
    maturity: np.ndarray,
    default_day: np.ndarray,
    window: Window,
) -> Frame:
    customer, kind, orig = loan["customer"], loan["kind"], loan["orig"]
    m = len(customer)
    defaulted = (default_day != NULL) & (default_day <= window.end_day)
    written_off = defaulted & (default_day + 270 <= window.end_day)
    closed = (maturity <= window.end_day) & ((default_day == NULL) | (default_day > maturity))
    versions = 1 + defaulted + written_off + closed
    row = expand(versions)
    v = np.arange(len(row)) - np.repeat(np.cumsum(versions) - versions, versions)
    status_names = ["active", "closed", "defaulted", "written_off"]
    active, closed_code, defaulted_code, written_code = ref.indices("loan_status", status_names)
    status = np.full(len(row), active)
    day = orig[row].copy()
    second = v >= 1
    is_closed = second & closed[row]
    status[is_closed] = closed_code
    day[is_closed] = maturity[row][is_closed]
    is_default = second & ~closed[row]
    status[is_default & (v == 1)] = defaulted_code
    day[is_default & (v == 1)] = default_day[row][is_default & (v == 1)]
    status[is_default & (v == 2)] = written_code
    day[is_default & (v == 2)] = default_day[row][is_default & (v == 2)] + 270
    slot = np.select([kind == CARD_LOAN, kind == BUSINESS_LOAN], [CARD, BUSINESS_ACCOUNT], CURRENT)
    slot = np.where(
        (slot == BUSINESS_ACCOUNT) & ~book.exists[customer, BUSINESS_ACCOUNT], CURRENT, slot
    )
    hours = np.where(v == 0, 10 * 3600, 6 * 3600) + rng.integers(0, 3600, len(row))
    data = {
        "loan_id": loan_numbers(pop, customer, loan["slot"])[row],
        "customer_id": pop.customer_num[customer][row],
        "account_id": book.number[customer, slot][row],
        "loan_type": ref.indices("loan_type", list(LOAN_TYPES))[kind][row],
        "principal_amount": np.round(loan["principal"] * 100).astype(np.int64)[row],
        "interest_rate": np.round(loan["rate"] * 100_000).astype(np.int64)[row],
        "term_months": loan["term"][row],
        "originated_date": orig[row],
        "maturity_date": maturity[row],
        "collateral_type": _collateral(rng, ref, kind)[row],
        "status": status,
        "updated_at": seconds_at(day, hours),
    }
    cols = {
        "loan_id": Col("id", "L"),
        "customer_id": Col("id", "C"),
        "account_id": Col("id", "A"),
        "loan_type": Col("code", labels=ref.codes("loan_type")),
        "principal_amount": Col("dec"),
        "interest_rate": Col("dec", scale=5),
        "term_months": Col("int"),
        "originated_date": Col("date"),
        "maturity_date": Col("date"),
        "collateral_type": Col("code", labels=ref.codes("collateral_type")),
        "status": Col("code", labels=ref.codes("loan_status")),
        "updated_at": Col("ts"),
    }
    del m
    return Frame("loans", data, cols, extract_days(data["updated_at"], window))


def _late_history(
    rng: np.random.Generator, w: np.ndarray, months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Late months at any lender: (count per customer and month, worst DPD level or -1)."""
    n = len(w)
    rate = np.exp(BUREAU_LATE_A - BUREAU_LATE_B * w) / BUREAU_MONTHS
    late = rng.poisson(np.repeat(rate[:, None], months, axis=1))
    level = np.clip(
        np.round(
            BUREAU_DPD_C
            - BUREAU_DPD_D * w[:, None]
            + BUREAU_DPD_NOISE * rng.standard_normal((n, months))
        ),
        0,
        4,
    ).astype(np.int8)
    return late, np.where(late > 0, level, np.int8(-1))


def bureau_frame(
    rng: np.random.Generator, pop: Population, window: Window, chunk: int, loans: LoanBook
) -> Frame:
    """Quarterly bureau pulls since onboarding (back to before the oldest loan) and one pull
    before every loan application; late payments and worst DPD reveal willingness to pay."""
    n = len(pop)
    w = pop.willingness
    # Quarters aligned with the window's first month, reaching back before the oldest loan.
    first_month = int(month_of_day(np.array([window.end_day - HISTORY_DAYS]))[0]) - 3
    back = -(-(int(window.month_index[0]) - first_month) // 3)
    quarter_months = int(window.month_index[0]) + 3 * np.arange(-back, -(-window.months // 3))
    customer = np.repeat(np.arange(n), len(quarter_months))
    month = np.tile(quarter_months, n)
    day = month_start_day(month) + rng.integers(0, 28, len(customer))
    applied = loans.loan_originated_day - rng.integers(1, 15, len(loans.loan_customer))
    customer = np.concatenate([customer, loans.loan_customer])
    day = np.concatenate([day, applied])
    second = seconds_at(day, rng.integers(7 * 3600, 9 * 3600, len(customer)))
    keep = (second >= pop.created_sec[customer]) & (day <= window.end_day)
    order = sort_order(customer[keep], second[keep])
    customer, day, second = customer[keep][order], day[keep][order], second[keep][order]
    k = len(customer)

    # Late-payment history: months from 24 before the first report to the end of the window.
    history_first = quarter_months[0] - BUREAU_MONTHS
    late, level = _late_history(
        rng, w, int(month_of_day(np.array([window.end_day]))[0]) - history_first + 1
    )
    report_month = month_of_day(day) - history_first  # months before it are counted
    offsets = report_month[:, None] - np.arange(1, BUREAU_MONTHS + 1)[None, :]
    delinquencies = late[customer[:, None], offsets].sum(axis=1)
    worst_level = level[customer[:, None], offsets].max(axis=1)
    worst = np.where(
        worst_level >= 0, np.array([30, 60, 90, 120, 180])[np.maximum(worst_level, 0)], 0
    )

    debt = pop.external_debt[customer] * np.exp(0.08 * rng.standard_normal(k))
    inquiries = rng.poisson(
        0.6 + 0.8 * (pop.external_debt[customer] > 0) + 0.5 * np.maximum(-w[customer], 0)
    )
    data = {
        "report_id": 1_000_000_000 + chunk * 10_000_000 + np.arange(k),
        "customer_id": pop.customer_num[customer],
        "report_date": day,
        "external_debt_amount": np.round(debt, -2).astype(np.int64) * 100,
        "delinquencies_24m": delinquencies,
        "inquiries_6m": inquiries,
        "worst_days_past_due_24m": worst,
        "updated_at": second,
    }
    cols = {
        "report_id": Col("id", "B"),
        "customer_id": Col("id", "C"),
        "report_date": Col("date"),
        "external_debt_amount": Col("dec"),
        "delinquencies_24m": Col("int"),
        "inquiries_6m": Col("int"),
        "worst_days_past_due_24m": Col("int"),
        "updated_at": Col("ts"),
    }
    return Frame("credit_bureau_reports", data, cols, extract_days(second, window))
