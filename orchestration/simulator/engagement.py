"""Digital events (logins, page views) and service interactions."""

from __future__ import annotations

import numpy as np

from .common import (
    categorical,
    categorical_by_row,
    expand,
    keep_in_window,
    monthly_events,
    random_day_in_month,
    seconds_at,
    sort_order,
    time_of_day,
)
from .config import SECONDS_PER_DAY, Window
from .frame import NULL, Col, Frame
from .personas import AFFLUENT, BO, PERSONAS, RETIREE, STUDENT, YP, Population
from .reference import Reference

PAGES = (
    "home",
    "deposit_products",
    "credit_card_apply",
    "consumer_loan_apply",
    "insurance_products",
    "wealth_products",
    "fund_detail",
    "business_loan",
    "mortgage_calculator",
    "mortgage_products",
)
PAGE_BASE_P = np.array([0.55, 0.10, 0.07, 0.06, 0.05, 0.07, 0.05, 0.02, 0.003, 0.003])


def _page_weights(
    persona: np.ndarray, wealth: np.ndarray, recent_intender: np.ndarray
) -> np.ndarray:
    """Page-view probabilities (rows need not be normalised) for each combination given."""
    weights = np.tile(PAGE_BASE_P, (len(persona), 1))
    weights[wealth, 5:7] *= 5.0
    weights[persona == AFFLUENT, 5:7] *= 1.5
    weights[persona == BO, 7] *= 5.0
    weights[np.isin(persona, [YP, STUDENT]), 2:4] *= 2.0
    weights[persona == RETIREE, 1] *= 3.0
    weights[recent_intender, 8:10] = 0.12
    return weights


# One row per persona, wealth affinity and recent intent: row 4 * persona + 2 * wealth + recent.
PAGE_WEIGHTS = _page_weights(
    persona=np.repeat(np.arange(len(PERSONAS)), 4),
    wealth=np.tile([False, False, True, True], len(PERSONAS)),
    recent_intender=np.tile([False, True], 2 * len(PERSONAS)),
)
MOBILE_SHARE = np.array([0.9, 0.7, 0.5, 0.7, 0.95, 0.75])  # rest online, by persona
INTENT_MONTHS = 6


def digital_events_frame(
    rng: np.random.Generator, ref: Reference, pop: Population, window: Window, chunk: int
) -> Frame:
    """Logins, each followed by a few page views that reflect needs and interests."""
    customer, month = monthly_events(rng, pop.logins_per_month, window)
    n = len(customer)
    login_sec = seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 6, 24))
    mobile = rng.random(n) < MOBILE_SHARE[pop.persona[customer]]
    channel = np.where(mobile, ref.index("channel", "mobile_app"), ref.index("channel", "online"))
    views = rng.poisson(1.3, n)
    login_of_view = expand(views)
    k = len(login_of_view)
    view_customer = customer[login_of_view]
    view_month = month[login_of_view]
    step = np.arange(k) - np.repeat(np.cumsum(views) - views, views) + 1
    view_sec = login_sec[login_of_view] + step * rng.integers(15, 240, k)

    recent_intender = pop.intends_home[view_customer] & (
        view_month >= window.months - INTENT_MONTHS
    )
    weight_row = (
        4 * pop.persona[view_customer] + 2 * pop.wealth_affinity[view_customer] + recent_intender
    )
    page_name = categorical_by_row(rng, PAGE_WEIGHTS, weight_row)
    page = ref.indices("page", list(PAGES))[page_name]

    second = np.concatenate([login_sec, view_sec])
    who = np.concatenate([customer, view_customer])
    keep = keep_in_window(second, pop.created_sec[who], window)
    event_type = np.concatenate(
        [
            np.full(n, ref.index("event_type", "login")),
            np.full(k, ref.index("event_type", "page_view")),
        ]
    )
    event_at = second[keep]
    data = {
        "event_id": None,
        "customer_id": pop.customer_num[who][keep],
        "event_at": event_at,
        "event_type": event_type[keep],
        "page": np.concatenate([np.full(n, -1), page])[keep],
        "channel": np.concatenate([channel, channel[login_of_view]])[keep],
        "updated_at": event_at,  # the same array: taken and rendered once
    }
    m = int(keep.sum())
    rank = np.empty(m, dtype=np.int64)
    rank[sort_order(event_at)] = np.arange(m)
    data["event_id"] = 100_000_000_000 + chunk * 1_000_000_000 + rank
    day = data["event_at"] // SECONDS_PER_DAY
    late = rng.random(m) < 0.005
    extract = np.where(late, np.minimum(day + rng.integers(1, 4, m), window.end_day), day)
    cols = {
        "event_id": Col("id", "E"),
        "customer_id": Col("id", "C"),
        "event_at": Col("ts"),
        "event_type": Col("code", labels=ref.codes("event_type")),
        "page": Col("code", labels=ref.codes("page")),
        "channel": Col("code", labels=ref.codes("channel")),
        "updated_at": Col("ts"),
    }
    return Frame("digital_events", data, cols, extract)


INTERACTION_TYPES = ("branch_visit", "call_centre", "online_chat", "complaint")
INTERACTION_RATE = np.array([0.12, 0.15, 0.5, 0.12, 0.08, 0.12])  # per month
INTERACTION_P = np.array(
    [
        [0.15, 0.30, 0.50, 0.05],
        [0.35, 0.35, 0.25, 0.05],
        [0.65, 0.28, 0.02, 0.05],
        [0.30, 0.35, 0.30, 0.05],
        [0.05, 0.20, 0.70, 0.05],
        [0.35, 0.35, 0.25, 0.05],
    ]
)
TOPICS = ("account", "card", "loan", "mortgage", "wealth", "fees", "fraud", "pension", "other")
TOPIC_P = np.array([0.25, 0.18, 0.10, 0.03, 0.08, 0.10, 0.04, 0.02, 0.20])


def service_frame(
    rng: np.random.Generator, ref: Reference, pop: Population, window: Window, chunk: int
) -> Frame:
    customer, month = monthly_events(rng, INTERACTION_RATE[pop.persona], window)
    n = len(customer)
    second = seconds_at(random_day_in_month(rng, month, window), time_of_day(rng, n, 9, 20))
    keep = keep_in_window(second, pop.created_sec[customer], window)
    customer, month, second = customer[keep], month[keep], second[keep]
    n = len(customer)
    persona = pop.persona[customer]
    kind = categorical(rng, INTERACTION_P[persona])
    channel_names = np.array(["branch", "phone", "mobile_app", "online"])
    chat = np.where(rng.random(n) < 0.7, 2, 3)
    complaint = np.array([0, 1, 3])[rng.integers(0, 3, n)]
    channel_pos = np.select([kind == 0, kind == 1, kind == 2], [0, 1, chat], complaint)
    channel = ref.indices("channel", list(channel_names))[channel_pos]
    weights = np.tile(TOPIC_P, (n, 1))
    weights[persona == RETIREE, 7] = 0.25
    weights[pop.wealth_affinity[customer], 4] *= 3
    weights[pop.intends_home[customer] & (month >= window.months - INTENT_MONTHS), 3] = 0.3
    topic = ref.indices("topic", list(TOPICS))[categorical(rng, weights)]
    resolved = rng.random(n) < np.where(kind == 3, 0.5, 0.85)
    surveyed = rng.random(n) < 0.4
    score = np.clip(
        np.round(4.0 - 1.5 * (kind == 3) - 0.8 * ~resolved + rng.normal(0, 0.8, n)), 1, 5
    ).astype(np.int64)
    data = {
        "interaction_id": 1_000_000_000 + chunk * 10_000_000 + np.arange(n),
        "customer_id": pop.customer_num[customer],
        "interaction_at": second,
        "interaction_type": ref.indices("interaction_type", list(INTERACTION_TYPES))[kind],
        "channel": channel,
        "topic": topic,
        "is_resolved": resolved.astype(np.int64),
        "satisfaction_score": np.where(surveyed, score, NULL),
        "updated_at": second,
    }
    cols = {
        "interaction_id": Col("id", "S"),
        "customer_id": Col("id", "C"),
        "interaction_at": Col("ts"),
        "interaction_type": Col("code", labels=ref.codes("interaction_type")),
        "channel": Col("code", labels=ref.codes("channel")),
        "topic": Col("code", labels=ref.codes("topic")),
        "is_resolved": Col("bool"),
        "satisfaction_score": Col("int"),
        "updated_at": Col("ts"),
    }
    return Frame("service_interactions", data, cols, second // SECONDS_PER_DAY)
