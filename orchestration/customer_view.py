"""`bankprofile customer <id>`: one customer's 360° view, read from the published database.

Staff read the published copy (never the live warehouse), so a lookup works while a build
runs. The layout below groups customer_360's columns into sections with Chinese and
English labels; a column the layout does not name is still shown, under "Other".
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

# (section zh, section en, [(column, label zh, label en), ...])
LAYOUT: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    (
        "身份",
        "Identity",
        [
            ("customer_id", "客户号", "Customer id"),
            ("full_name_masked", "姓名", "Name"),
            ("id_number_masked", "身份证号", "ID number"),
            ("mobile_phone_masked", "手机", "Mobile"),
            ("email_masked", "邮箱", "E-mail"),
            ("address_masked", "地址", "Address"),
            ("customer_since_date", "开户日期", "Customer since"),
            ("tenure_months", "客户时长(月)", "Tenure (months)"),
        ],
    ),
    (
        "基本信息",
        "Demographics",
        [
            ("age_years", "年龄", "Age"),
            ("age_band", "年龄段", "Age band"),
            ("gender", "性别", "Gender"),
            ("city", "城市", "City"),
            ("city_tier", "城市等级", "City tier"),
            ("occupation_label_zh", "职业", "Occupation"),
            ("employer_type", "单位类型", "Employer type"),
            ("education", "学历", "Education"),
            ("marital_status", "婚姻状况", "Marital status"),
            ("kyc_risk_tolerance", "风险承受能力", "Risk tolerance (KYC)"),
            ("marketing_consent", "同意营销", "Marketing consent"),
            ("do_not_contact", "勿扰", "Do not contact"),
        ],
    ),
    (
        "收入与资产",
        "Income and wealth",
        [
            ("income_source", "收入来源", "Income source"),
            ("monthly_income_amount", "月收入(元)", "Monthly income (CNY)"),
            ("income_stability_cv", "收入波动系数", "Income variability (CV)"),
            ("deposit_balance_amount", "存款余额(元)", "Deposits (CNY)"),
            ("avg_deposit_balance_12m_amount", "12个月日均存款(元)", "Avg deposits 12m (CNY)"),
            ("wealth_aum_amount", "理财资产(元)", "Wealth AUM (CNY)"),
            ("total_assets_amount", "总资产(元)", "Total assets (CNY)"),
            ("loans_outstanding_amount", "贷款余额(元)", "Loans outstanding (CNY)"),
            ("credit_card_utilisation_pct", "信用卡使用率", "Card utilisation"),
        ],
    ),
    (
        "持有产品",
        "Holdings",
        [
            ("products_held_count", "产品数", "Products held"),
            ("deposit_accounts_count", "存款账户", "Deposit accounts"),
            ("wealth_products_count", "理财产品", "Wealth products"),
            ("insurance_products_count", "保险", "Insurance"),
            ("credit_cards_count", "信用卡", "Credit cards"),
            ("mortgages_count", "房贷", "Mortgages"),
            ("consumer_loans_count", "消费贷", "Consumer loans"),
            ("business_loans_count", "经营贷", "Business loans"),
        ],
    ),
    (
        "近12个月行为",
        "Last 12 months",
        [
            ("recency_days", "距最近消费(天)", "Days since last spend"),
            ("frequency_12m", "消费笔数", "Spend transactions"),
            ("monetary_12m_amount", "消费金额(元)", "Spend (CNY)"),
            ("rfm_code", "RFM", "RFM"),
            ("top_category_1_label_zh", "消费第一类", "Top category 1"),
            ("top_category_2_label_zh", "消费第二类", "Top category 2"),
            ("top_category_3_label_zh", "消费第三类", "Top category 3"),
            ("preferred_channel_label_zh", "偏好渠道", "Preferred channel"),
            ("logins_30d", "30天登录", "Logins 30d"),
        ],
    ),
    (
        "服务记录",
        "Service",
        [
            ("last_interaction_date", "最近接触", "Last interaction"),
            ("last_interaction_type", "接触方式", "Type"),
            ("last_interaction_topic_label_zh", "主题", "Topic"),
            ("is_last_interaction_resolved", "已解决", "Resolved"),
            ("branch_visits_12m", "12个月到店", "Branch visits 12m"),
            ("calls_12m", "12个月来电", "Calls 12m"),
            ("complaints_12m", "12个月投诉", "Complaints 12m"),
            ("last_complaint_date", "最近投诉", "Last complaint"),
        ],
    ),
    (
        "分群与策略",
        "Segment and strategy",
        [
            ("segment_label_zh", "客群", "Segment"),
            ("value_tier", "价值等级", "Value tier"),
            ("lifecycle_stage", "生命周期", "Lifecycle stage"),
            ("service_strategy_zh", "服务策略", "Service strategy"),
        ],
    ),
    (
        "风险与授信",
        "Risk and credit",
        [
            ("risk_grade", "风险等级", "Risk grade"),
            ("credit_limit_amount", "授信额度(元)", "Credit limit (CNY)"),
            ("interest_rate", "利率", "Interest rate"),
            ("credit_decision", "授信决定", "Credit decision"),
            ("is_guarantee_required", "需担保", "Guarantee required"),
            ("credit_reason_codes", "原因码", "Reason codes"),
        ],
    ),
    ("营销", "Marketing", [("next_best_offers", "推荐产品", "Next best offers")]),
]

# English readers see the English label column where a *_zh column is laid out.
ENGLISH_VARIANTS = {
    "occupation_label_zh": "occupation",
    "top_category_1_label_zh": "top_category_1_label_en",
    "top_category_2_label_zh": "top_category_2_label_en",
    "top_category_3_label_zh": "top_category_3_label_en",
    "preferred_channel_label_zh": "preferred_channel",
    "last_interaction_topic_label_zh": "last_interaction_topic_label_en",
    "segment_label_zh": "segment_label_en",
    "service_strategy_zh": "service_strategy_en",
}


class CustomerNotFound(Exception):
    pass


def fetch_customer(bi_database: Path, customer_id: str) -> dict:
    """The customer_360 row as a dict, from a read-only connection to the published copy."""
    with duckdb.connect(str(bi_database), read_only=True) as con:
        cursor = con.execute(
            "select * from customer.customer_360 where customer_id = ?", [customer_id]
        )
        row = cursor.fetchone()
        if row is None:
            raise CustomerNotFound(customer_id)
        return dict(zip([column[0] for column in cursor.description], row, strict=True))


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def as_json(record: dict) -> str:
    return json.dumps({k: _plain(v) for k, v in record.items()}, ensure_ascii=False, indent=2)


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes/是" if value else "no/否"
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    return str(_plain(value))


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - shown, 1)


def as_text(record: dict, lang: str = "zh") -> str:
    """A terminal page: one section per block, label then value."""
    lines: list[str] = []
    laid_out: set[str] = set()
    for section_zh, section_en, fields in LAYOUT:
        lines.append(f"\n■ {section_zh if lang == 'zh' else section_en}")
        for column, label_zh, label_en in fields:
            source = ENGLISH_VARIANTS.get(column, column) if lang == "en" else column
            laid_out.update({column, ENGLISH_VARIANTS.get(column, column)})
            if source not in record:
                continue
            label = label_zh if lang == "zh" else label_en
            lines.append(f"  {_pad(label, 26)}{_shown(record[source])}")
    others = [column for column in record if column not in laid_out]
    if others:
        lines.append("\n■ " + ("其他" if lang == "zh" else "Other"))
        lines.extend(f"  {_pad(column, 34)}{_shown(record[column])}" for column in others)
    return "\n".join(lines).lstrip("\n")
