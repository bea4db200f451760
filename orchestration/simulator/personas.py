"""The customer population: personas and every latent trait their behaviour follows from.

A `Population` holds one chunk of customers as numpy arrays. Nothing here is written to
landing directly; the domain modules read these traits to book behaviour, and the truth
file records the traits the pipeline is meant to rediscover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import SECONDS_PER_DAY, Window, years_before
from .frame import NULL
from .people import CITY_TIER, CITY_WEIGHT
from .reference import Reference

PERSONAS = (
    "young_professional",
    "business_owner",
    "retiree",
    "affluent",
    "student",
    "mass_market",
)
PERSONA_SHARES = np.array([0.22, 0.10, 0.18, 0.08, 0.08, 0.34])
YP, BO, RETIREE, AFFLUENT, STUDENT, MASS = range(6)

INCOME_SOURCES = ("salary", "pension", "business", "other", "none")
SALARY, PENSION, BUSINESS, OTHER, NONE = range(5)

# Weight of each ingredient of repayment ability (see docs/simulator.md, "pd_12m").
ABILITY_INCOME, ABILITY_TENURE, ABILITY_BUFFER, ABILITY_DTI = 0.6, 0.3, 0.4, 2.0
STABILITY = np.array([0.4, 0.6, -0.1, -0.5, -1.0])  # by income source
PD_INTERCEPT, PD_ABILITY, PD_WILLINGNESS = -3.9, 0.75, 1.0

EMPLOYER_BASE = 100_000  # employer ids are 'E' + 6 digits


@dataclass
class Population:
    customer_num: np.ndarray  # numeric part of customer_id
    persona: np.ndarray
    birth_day: np.ndarray
    age: np.ndarray  # whole years at end_date
    is_female: np.ndarray
    city: np.ndarray
    tier: np.ndarray
    occupation: np.ndarray  # positions in the `occupation` code list
    employer_type: np.ndarray
    employer_num: np.ndarray  # NULL when none
    employment_start: np.ndarray  # epoch day, NULL when none
    education: np.ndarray
    marital: np.ndarray
    income_source: np.ndarray
    income: np.ndarray  # true monthly income, CNY (float)
    declared_cents: np.ndarray
    risk: np.ndarray  # 0..4 for R1..R5
    consent: np.ndarray
    do_not_contact: np.ndarray
    created_sec: np.ndarray
    onboarded_in_window: np.ndarray
    intends_home: np.ndarray
    wealth_affinity: np.ndarray
    willingness: np.ndarray
    ability_static: np.ndarray
    buffer_months: np.ndarray
    spend_ratio: np.ndarray
    salary_day: np.ndarray
    logins_per_month: np.ndarray
    external_debt: np.ndarray  # CNY at other lenders
    has_savings: np.ndarray
    has_card: np.ndarray
    card_limit: np.ndarray  # CNY
    has_business: np.ndarray
    has_wealth: np.ndarray

    def __len__(self) -> int:
        return len(self.persona)

    @property
    def income_floor(self) -> np.ndarray:
        return np.maximum(self.income, 1_000.0)


def _choice(rng: np.random.Generator, n: int, p: list[float]) -> np.ndarray:
    p_arr = np.asarray(p, dtype=float)
    return rng.choice(len(p_arr), size=n, p=p_arr / p_arr.sum())


def _by_persona(persona: np.ndarray, values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)[persona]


def _ages(rng: np.random.Generator, persona: np.ndarray) -> np.ndarray:
    low = np.array([22, 30, 60, 35, 18, 36])[persona]
    high = np.array([35, 60, 85, 65, 24, 59])[persona]
    young_mass = (persona == MASS) & (rng.random(len(persona)) < 0.08)
    low = np.where(young_mass, 26, low)
    high = np.where(young_mass, 35, high)
    return low + (rng.random(len(persona)) * (high - low + 1)).astype(np.int64)


def _income_sources(rng: np.random.Generator, persona: np.ndarray) -> np.ndarray:
    u = rng.random(len(persona))
    source = np.full(len(persona), SALARY)
    source[persona == BO] = BUSINESS
    source[persona == RETIREE] = PENSION
    source[(persona == AFFLUENT) & (u < 0.4)] = BUSINESS
    source[persona == STUDENT] = np.where(u[persona == STUDENT] < 0.9, OTHER, NONE)
    mass = persona == MASS
    source[mass & (u >= 0.85)] = OTHER
    source[mass & (u >= 0.95)] = NONE
    return source


def _incomes(rng: np.random.Generator, persona: np.ndarray, source: np.ndarray) -> np.ndarray:
    n = len(persona)
    z = rng.standard_normal(n)
    income = np.zeros(n)
    rules = [  # (mask, median, sigma, low, high)
        (persona == YP, 11_000, 0.3, 6_000, 20_000),
        (persona == BO, 28_000, 0.5, 10_000, 200_000),
        (persona == RETIREE, 4_500, 0.35, 2_000, 15_000),
        (persona == AFFLUENT, 52_000, 0.35, 30_000, 100_000),
        (persona == STUDENT, 1_800, 0.35, 800, 4_000),
        ((persona == MASS) & (source == SALARY), 5_500, 0.25, 3_000, 9_000),
        ((persona == MASS) & (source == OTHER), 3_800, 0.3, 2_000, 7_000),
    ]
    for mask, median, sigma, low, high in rules:
        income[mask] = np.clip(median * np.exp(sigma * z[mask]), low, high)
    income[source == NONE] = 0.0
    return np.round(income, -1)


def _occupations(
    rng: np.random.Generator, ref: Reference, persona: np.ndarray, source: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(persona)
    occ_codes = ref.codes("occupation")
    emp_codes = ref.codes("employer_type")
    occ = np.zeros(n, dtype=np.int64)
    emp = np.full(n, ref.index("employer_type", "none"))

    def assign(
        mask: np.ndarray,
        occupations: list[str],
        p_occ: list[float],
        employers: list[str],
        p_emp: list[float],
    ) -> None:
        k = int(mask.sum())
        occ[mask] = np.array([occ_codes.index(o) for o in occupations])[_choice(rng, k, p_occ)]
        emp[mask] = np.array([emp_codes.index(e) for e in employers])[_choice(rng, k, p_emp)]

    assign(
        persona == YP,
        ["office_worker", "professional"],
        [0.65, 0.35],
        ["soe", "private", "foreign"],
        [0.3, 0.5, 0.2],
    )
    owner = rng.random(n) < 0.6
    assign((persona == BO) & owner, ["business_owner"], [1], ["business_owner"], [1])
    assign((persona == BO) & ~owner, ["self_employed"], [1], ["self_employed"], [1])
    assign(persona == RETIREE, ["retired"], [1], ["none"], [1])
    assign(
        (persona == AFFLUENT) & (source == SALARY),
        ["manager", "professional"],
        [0.6, 0.4],
        ["soe", "private", "foreign", "government"],
        [0.3, 0.3, 0.3, 0.1],
    )
    assign(
        (persona == AFFLUENT) & (source == BUSINESS),
        ["business_owner"],
        [1],
        ["business_owner"],
        [1],
    )
    assign(persona == STUDENT, ["student"], [1], ["none"], [1])
    assign(
        (persona == MASS) & (source == SALARY),
        ["worker", "office_worker", "civil_servant"],
        [0.5, 0.4, 0.1],
        ["private", "soe", "government"],
        [0.6, 0.25, 0.15],
    )
    assign(
        (persona == MASS) & (source == OTHER),
        ["worker", "self_employed"],
        [0.7, 0.3],
        ["none"],
        [1],
    )
    assign((persona == MASS) & (source == NONE), ["unemployed"], [1], ["none"], [1])
    return occ, emp


def _education(rng: np.random.Generator, persona: np.ndarray) -> np.ndarray:
    table = np.array(
        [  # below_high_school, high_school, college, bachelor, master_or_above
            [0.00, 0.05, 0.25, 0.50, 0.20],
            [0.10, 0.25, 0.30, 0.28, 0.07],
            [0.40, 0.35, 0.15, 0.08, 0.02],
            [0.02, 0.08, 0.20, 0.45, 0.25],
            [0.00, 0.25, 0.35, 0.35, 0.05],
            [0.25, 0.40, 0.22, 0.12, 0.01],
        ]
    )
    cumulative = table.cumsum(axis=1)[persona]
    return (rng.random(len(persona))[:, None] > cumulative).sum(axis=1).clip(0, 4)


def _marital(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u = rng.random(len(age))
    single_p = np.interp(age, [18, 25, 30, 35, 45, 85], [0.98, 0.75, 0.45, 0.2, 0.08, 0.03])
    widowed_p = np.interp(age, [18, 55, 70, 85], [0.0, 0.02, 0.12, 0.3])
    status = np.full(len(age), 1)  # married
    status[u < single_p] = 0
    status[(u >= single_p) & (u < single_p + 0.07)] = 2
    status[(u >= 1 - widowed_p)] = 3
    return status


def _risk(rng: np.random.Generator, persona: np.ndarray, wealth: np.ndarray) -> np.ndarray:
    centre = np.array([2.0, 2.2, 0.6, 2.8, 1.6, 1.0])[persona] + 0.7 * wealth
    return np.clip(np.round(centre + 0.8 * rng.standard_normal(len(persona))), 0, 4).astype(
        np.int64
    )


def _created(
    rng: np.random.Generator, window: Window, birth_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(birth_day)
    in_window = rng.random(n) < 0.10
    latest_in_window = max(window.start_day, window.end_day - 30)
    window_day = window.start_day + (
        rng.random(n) * (latest_in_window - window.start_day + 1)
    ).astype(np.int64)
    low = np.maximum(years_before(birth_day, -16.0), window.end_day - int(20 * 365.25))
    high = np.full(n, window.start_day - 1)
    low = np.minimum(low, high - 30)
    before_day = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    day = np.where(in_window, window_day, before_day)
    seconds = day * SECONDS_PER_DAY + rng.integers(9 * 3600, 18 * 3600, n)
    return seconds, in_window


def ability_index(pop: Population, dti: np.ndarray) -> np.ndarray:
    """Repayment ability: the static part plus the debt-to-income burden at a date."""
    return pop.ability_static - ABILITY_DTI * dti


def pd_from(ability: np.ndarray, willingness: np.ndarray) -> np.ndarray:
    """True 12-month default probability: logistic of ability and willingness."""
    logit = PD_INTERCEPT - PD_ABILITY * ability - PD_WILLINGNESS * willingness
    return 1.0 / (1.0 + np.exp(-logit))


def make_population(
    rng: np.random.Generator,
    ref: Reference,
    window: Window,
    first_index: int,
    n: int,
    total_customers: int,
) -> Population:
    persona = rng.choice(len(PERSONAS), size=n, p=PERSONA_SHARES)
    age = _ages(rng, persona)
    birth_day = years_before(window.end_day, age) - rng.integers(1, 365, n)
    is_female = rng.random(n) < np.where(persona == RETIREE, 0.55, 0.5)
    city = rng.choice(len(CITY_WEIGHT), size=n, p=CITY_WEIGHT)
    source = _income_sources(rng, persona)
    income = _incomes(rng, persona, source)
    occupation, employer_type = _occupations(rng, ref, persona, source)

    employed = (source == SALARY) | (source == BUSINESS)
    n_employers = int(np.clip(total_customers // 15, 200, 899_999))
    employer_num = np.where(employed, EMPLOYER_BASE + rng.integers(0, n_employers, n), NULL)
    tenure = np.where(source == BUSINESS, rng.exponential(8.0, n), rng.exponential(5.0, n))
    tenure = np.clip(tenure, 0.4, np.maximum(age - 20, 0.5))
    created_sec, in_window = _created(rng, window, birth_day)
    # A customer record never names an employment that starts after the record was written.
    start_day = np.minimum(years_before(window.end_day, tenure), created_sec // SECONDS_PER_DAY)
    tenure = (window.end_day - start_day) / 365.25
    employment_start = np.where(employed, start_day, NULL)

    wealth = rng.random(n) < np.where(
        persona == AFFLUENT, 0.7, np.where(persona == STUDENT, 0.08, 0.15)
    )
    with_income = (source == SALARY) | (source == BUSINESS)
    home_age = (age >= 25) & (age <= 45) & with_income
    intends_home = rng.random(n) < np.where(home_age, 0.13, 0.01)

    willingness = rng.standard_normal(n)
    buffer_months = np.exp(
        np.log(_by_persona(persona, [2.0, 3.0, 8.0, 10.0, 1.5, 1.5]))
        + 0.7 * rng.standard_normal(n)
        + 0.15 * willingness
    )
    z_income = (np.log(np.maximum(income, 500.0)) - np.log(8_000.0)) / 0.7
    z_tenure = np.where(
        employed, (np.log1p(tenure) - 1.5) / 0.7, np.where(source == PENSION, 0.3, -0.3)
    )
    z_buffer = (np.log(buffer_months) - np.log(2.0)) / 0.7
    ability_static = (
        ABILITY_INCOME * z_income
        + STABILITY[source]
        + ABILITY_TENURE * z_tenure
        + ABILITY_BUFFER * z_buffer
    )
    spend_ratio = np.clip(
        0.62 + 0.1 * rng.standard_normal(n) - 0.08 * willingness - 0.04 * ability_static, 0.3, 1.4
    )
    has_debt = rng.random(n) < 1 / (1 + np.exp(0.5 + 0.5 * willingness))
    external_debt = np.where(
        has_debt,
        np.round(
            np.maximum(income, 1_500.0) * np.exp(np.log(4.0) + 0.9 * rng.standard_normal(n)), -2
        ),
        0.0,
    )

    has_card = rng.random(n) < _by_persona(persona, [0.7, 0.6, 0.15, 0.85, 0.3, 0.4])
    card_limit = np.where(
        persona == STUDENT,
        rng.integers(2, 6, n) * 1000.0,
        np.clip(
            np.round(np.maximum(income, 3_000.0) * rng.uniform(1.5, 4.0, n), -3), 5_000, 200_000
        ),
    )
    has_savings = (rng.random(n) < _by_persona(persona, [0.85, 0.8, 0.9, 0.98, 0.4, 0.7])) | (
        intends_home
    )
    declared = np.round(income * np.exp(0.12 * rng.standard_normal(n)), -2)
    return Population(
        customer_num=10_000_000 + first_index + np.arange(n, dtype=np.int64),
        persona=persona,
        birth_day=birth_day,
        age=age,
        is_female=is_female,
        city=city,
        tier=CITY_TIER[city],
        occupation=occupation,
        employer_type=employer_type,
        employer_num=employer_num,
        employment_start=employment_start,
        education=_education(rng, persona),
        marital=_marital(rng, age),
        income_source=source,
        income=income,
        declared_cents=(declared * 100).astype(np.int64),
        risk=_risk(rng, persona, wealth),
        consent=rng.random(n) < 0.75,
        do_not_contact=rng.random(n) < 0.05,
        created_sec=created_sec,
        onboarded_in_window=in_window,
        intends_home=intends_home,
        wealth_affinity=wealth,
        willingness=willingness,
        ability_static=ability_static,
        buffer_months=buffer_months,
        spend_ratio=spend_ratio,
        salary_day=rng.integers(5, 26, n),
        logins_per_month=_by_persona(persona, [9.0, 5.0, 0.6, 7.0, 11.0, 3.5])
        * np.exp(0.4 * rng.standard_normal(n)),
        external_debt=external_debt,
        has_savings=has_savings,
        has_card=has_card,
        card_limit=card_limit,
        has_business=(persona == BO) | ((persona == AFFLUENT) & (source == BUSINESS)),
        has_wealth=wealth | (persona == AFFLUENT),
    )
