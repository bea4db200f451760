"""Customer master (with later versions) and accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .common import extract_days
from .config import SECONDS_PER_DAY, Window
from .frame import NULL, Col, Frame, concat_frames
from .people import CITY_NAMES, addresses, emails, full_names, id_numbers, mobile_numbers
from .personas import Population
from .reference import Reference

CURRENT, SAVINGS, CARD, BUSINESS_ACCOUNT, WEALTH = range(5)
ACCOUNT_TYPES = ("current", "savings", "credit_card", "business", "wealth")
ACCOUNT_BASE = 1_000_000_000  # account ids are 'A' + 10 digits


def customer_cols(ref: Reference) -> dict[str, Col]:
    return {
        "customer_id": Col("id", "C"),
        "full_name": Col("str"),
        "gender": Col("code", labels=ref.codes("gender")),
        "birth_date": Col("date"),
        "id_number": Col("str"),
        "mobile_phone": Col("int"),
        "email": Col("str"),
        "address": Col("str"),
        "city": Col("str"),
        "city_tier": Col("int"),
        "occupation": Col("code", labels=ref.codes("occupation")),
        "employer_type": Col("code", labels=ref.codes("employer_type")),
        "employer_id": Col("id", "E"),
        "employment_start_date": Col("date"),
        "education": Col("code", labels=ref.codes("education")),
        "marital_status": Col("code", labels=ref.codes("marital_status")),
        "declared_monthly_income": Col("dec"),
        "kyc_risk_tolerance": Col("code", labels=ref.codes("risk_tolerance")),
        "marketing_consent": Col("bool"),
        "do_not_contact": Col("bool"),
        "created_at": Col("ts"),
        "updated_at": Col("ts"),
    }


def customers_frame(
    rng: np.random.Generator, ref: Reference, pop: Population, window: Window
) -> Frame:
    """First version of every customer, and a second version for about 10% of them."""
    from .people import CITY_REGION

    gender = np.where(pop.is_female, ref.index("gender", "F"), ref.index("gender", "M"))
    names, surname = full_names(rng, pop.is_female)
    data: dict[str, np.ndarray | pa.Array] = {
        "customer_id": pop.customer_num,
        "full_name": names,
        "gender": gender,
        "birth_date": pop.birth_day,
        "id_number": id_numbers(rng, CITY_REGION[pop.city], pop.birth_day, pop.is_female),
        "mobile_phone": mobile_numbers(rng, len(pop)),
        "email": emails(rng, surname),
        "address": addresses(rng, pop.city),
        "city": pa.array(CITY_NAMES, pa.string()).take(pa.array(pop.city)),
        "city_tier": pop.tier,
        "occupation": pop.occupation,
        "employer_type": pop.employer_type,
        "employer_id": pop.employer_num,
        "employment_start_date": pop.employment_start,
        "education": pop.education,
        "marital_status": pop.marital,
        "declared_monthly_income": pop.declared_cents,
        "kyc_risk_tolerance": pop.risk,
        "marketing_consent": pop.consent.astype(np.int64),
        "do_not_contact": pop.do_not_contact.astype(np.int64),
        "created_at": pop.created_sec,
        "updated_at": pop.created_sec.copy(),
    }
    first = Frame("customers", data, customer_cols(ref), extract_days(pop.created_sec, window))
    return concat_frames([first, _updates(rng, first, pop, window)])


def _updates(rng: np.random.Generator, first: Frame, pop: Population, window: Window) -> Frame:
    """About 10% of customers change address, phone or consent later in the window."""
    earliest = np.maximum(pop.created_sec, window.start_second) + SECONDS_PER_DAY
    chosen = np.flatnonzero((rng.random(len(pop)) < 0.10) & (earliest < window.end_second))
    when = earliest[chosen] + (rng.random(len(chosen)) * (window.end_second - earliest[chosen]))
    update = first.take(chosen).copy_arrays()
    update.data["updated_at"] = when.astype(np.int64)
    kind = rng.integers(0, 3, len(chosen))
    moved = pa.array(kind == 0)
    update.data["address"] = pc.if_else(
        moved, addresses(rng, pop.city[chosen]), update.data["address"]
    )
    phone = update.data["mobile_phone"]
    update.data["mobile_phone"] = np.where(kind == 1, mobile_numbers(rng, len(chosen)), phone)
    consent = update.data["marketing_consent"]
    update.data["marketing_consent"] = np.where(kind == 2, 1 - consent, consent)
    update.extract_day = extract_days(update.data["updated_at"], window)
    return update


@dataclass
class AccountBook:
    """Account numbers per customer and slot (current, savings, card, business, wealth)."""

    number: np.ndarray  # (customers, 5) int64
    exists: np.ndarray  # (customers, 5) bool


def account_book(pop: Population) -> AccountBook:
    index = pop.customer_num - 10_000_000
    number = ACCOUNT_BASE + index[:, None] * 8 + np.arange(5)[None, :]
    exists = np.column_stack(
        [
            np.ones(len(pop), dtype=bool),
            pop.has_savings,
            pop.has_card,
            pop.has_business,
            pop.has_wealth,
        ]
    )
    return AccountBook(number, exists)


def accounts_frame(ref: Reference, pop: Population, book: AccountBook, window: Window) -> Frame:
    customer, slot = np.nonzero(book.exists)
    n = len(customer)
    opened_sec = pop.created_sec[customer] + slot * 60
    limit = np.where(slot == CARD, np.round(pop.card_limit[customer] * 100).astype(np.int64), NULL)
    data = {
        "account_id": book.number[customer, slot],
        "customer_id": pop.customer_num[customer],
        "account_type": ref.indices("account_type", list(ACCOUNT_TYPES))[slot],
        "currency": np.full(n, ref.index("currency", "CNY")),
        "opened_date": opened_sec // SECONDS_PER_DAY,
        "closed_date": np.full(n, NULL),
        "credit_limit": limit,
        "status": np.full(n, ref.index("account_status", "active")),
        "updated_at": opened_sec,
    }
    cols = {
        "account_id": Col("id", "A"),
        "customer_id": Col("id", "C"),
        "account_type": Col("code", labels=ref.codes("account_type")),
        "currency": Col("code", labels=ref.codes("currency")),
        "opened_date": Col("date"),
        "closed_date": Col("date"),
        "credit_limit": Col("dec"),
        "status": Col("code", labels=ref.codes("account_status")),
        "updated_at": Col("ts"),
    }
    return Frame("accounts", data, cols, extract_days(opened_sec, window))
