"""Past marketing campaigns and who they targeted, held out, and who responded."""

from __future__ import annotations

import numpy as np

from .common import expand, seconds_at, time_of_day
from .config import SECONDS_PER_DAY, Window
from .frame import NULL, Col, Frame
from .personas import BO, MASS, RETIREE, SALARY, STUDENT, YP, Population
from .reference import Reference

CAMPAIGN_PRODUCTS = (
    "MTG_FIRST_HOME",
    "WM_FIXED_INCOME",
    "FUND_EQUITY",
    "CC_PLATINUM",
    "CL_QUICK",
    "BL_MICRO",
    "INS_ANNUITY",
    "DEP_LARGE_CD",
    "CC_STANDARD",
    "WM_BALANCED",
)
CAMPAIGN_CHANNELS = ("sms", "phone", "mobile_app")
HOLDOUT_SHARE = 0.1
CAMPAIGN_BASE = 1_000  # 'K' + 4 digits


def make_campaigns(seed: int, ref: Reference, window: Window) -> Frame:
    """6-10 campaigns spread over the window; the same for every chunk."""
    rng = np.random.default_rng([seed, 9_001])
    count = int(rng.integers(6, 11))
    products = rng.choice(len(CAMPAIGN_PRODUCTS), size=count, replace=False)
    span = max(window.end_day - window.start_day - 45, 1)
    start = window.start_day + np.sort(rng.integers(0, span, count))
    end = np.minimum(start + rng.integers(30, 61, count), window.end_day)
    product_index = np.array([ref.product(CAMPAIGN_PRODUCTS[p]) for p in products])
    names = [
        f"{str(np.datetime64(int(day), 'D'))[:7]} {ref.product_name_zh[p]}推广"
        for day, p in zip(start, product_index, strict=True)
    ]
    import pyarrow as pa

    channel = ref.indices("channel", list(CAMPAIGN_CHANNELS))[rng.integers(0, 3, count)]
    created = seconds_at(start, np.full(count, 8 * 3600))
    data = {
        "campaign_id": CAMPAIGN_BASE + np.arange(count),
        "campaign_name": pa.array(names, pa.string()),
        "product_code": product_index,
        "channel": channel,
        "start_date": start,
        "end_date": end,
        "holdout_share": np.full(count, int(HOLDOUT_SHARE * 10_000)),
        "updated_at": created,
    }
    cols = {
        "campaign_id": Col("id", "K"),
        "campaign_name": Col("str"),
        "product_code": Col("code", labels=ref.product_codes),
        "channel": Col("code", labels=ref.codes("channel")),
        "start_date": Col("date"),
        "end_date": Col("date"),
        "holdout_share": Col("dec", scale=4),
        "updated_at": Col("ts"),
    }
    extract = np.maximum(created // SECONDS_PER_DAY, window.start_day)
    return Frame("campaigns", data, cols, extract)


def need_for(product_code: str, pop: Population) -> np.ndarray:
    """Customers with a latent need for the campaign's product."""
    family = product_code.split("_")[0]
    if family == "MTG":
        return pop.intends_home
    if family in ("WM", "FUND") or product_code == "DEP_LARGE_CD":
        return pop.wealth_affinity
    if family == "CC":
        return np.isin(pop.persona, [YP, STUDENT])
    if family == "CL":
        return (pop.persona == YP) | ((pop.persona == MASS) & (pop.income_source == SALARY))
    if family == "BL":
        return pop.persona == BO
    return (pop.persona == RETIREE) | (pop.age >= 50)


def contacts_frame(
    rng: np.random.Generator,
    ref: Reference,
    pop: Population,
    campaigns: Frame,
    window: Window,
    chunk: int,
) -> Frame:
    n = len(pop)
    parts: list[dict[str, np.ndarray]] = []
    for c in range(len(campaigns)):
        start = int(campaigns.data["start_date"][c])
        end = int(campaigns.data["end_date"][c])
        code = ref.product_codes[int(campaigns.data["product_code"][c])]
        need = need_for(code, pop)
        eligible = (pop.created_sec // SECONDS_PER_DAY < start) & pop.consent & ~pop.do_not_contact
        weight = np.where(eligible, 1.0 + 1.5 * need, 0.0)
        share = rng.uniform(0.05, 0.20)
        p_select = np.minimum(share * n * weight / max(weight.sum(), 1.0), 1.0)
        customer = np.flatnonzero(rng.random(n) < p_select)
        k = len(customer)
        holdout = rng.random(k) < HOLDOUT_SHARE
        contacted = seconds_at(start + rng.integers(0, 7, k), time_of_day(rng, k, 9, 20))
        p_respond = np.where(
            need[customer], np.where(holdout, 0.10, 0.30), np.where(holdout, 0.012, 0.035)
        )
        responded = rng.random(k) < p_respond
        first_sec = np.where(
            holdout, seconds_at(np.full(k, start), np.full(k, 8 * 3600)), contacted
        )
        window_end = (min(end, window.end_day) + 1) * SECONDS_PER_DAY - 1
        respond_sec = first_sec + (rng.random(k) * (window_end - first_sec)).astype(np.int64)
        parts.append(
            {
                "campaign": np.full(k, c),
                "customer": customer,
                "holdout": holdout,
                "contacted": np.where(holdout, NULL, contacted),
                "responded": responded,
                "first": first_sec,
                "respond": respond_sec,
            }
        )
    merged = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    m = len(merged["customer"])
    versions = 1 + merged["responded"].astype(np.int64)
    row = expand(versions)
    second_version = np.arange(len(row)) - np.repeat(np.cumsum(versions) - versions, versions) == 1
    updated = np.where(second_version, merged["respond"][row], merged["first"][row])
    data = {
        "contact_id": 1_000_000_000 + chunk * 10_000_000 + np.arange(m)[row],
        "campaign_id": campaigns.data["campaign_id"][merged["campaign"][row]],
        "customer_id": pop.customer_num[merged["customer"][row]],
        "is_holdout": merged["holdout"][row].astype(np.int64),
        "contacted_at": merged["contacted"][row],
        "responded": second_version.astype(np.int64),
        "responded_at": np.where(second_version, merged["respond"][row], NULL),
        "updated_at": updated,
    }
    cols = {
        "contact_id": Col("id", "X"),
        "campaign_id": Col("id", "K"),
        "customer_id": Col("id", "C"),
        "is_holdout": Col("bool"),
        "contacted_at": Col("ts"),
        "responded": Col("bool"),
        "responded_at": Col("ts"),
        "updated_at": Col("ts"),
    }
    extract = np.maximum(updated // SECONDS_PER_DAY, window.start_day)
    return Frame("campaign_contacts", data, cols, extract)
