"""The raw data contract: the tables the core-banking extracts deliver.

One place names every landing table, its columns, its key and its version column. The
simulator writes these columns, the loader creates the raw tables from them, and
`docs/data-contract.md` explains them. Landing files carry every business column as text
(as a core-banking export does); staging casts them to the types given here and sends a
row that does not cast to quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the type staging casts to
    description: str
    pii: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    version_column: str = "updated_at"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


# Columns the loader adds to every raw table.
LOAD_COLUMNS: tuple[Column, ...] = (
    Column("_source_file", "varchar", "Landing file the row came from (path below landing/)."),
    Column("_row_number", "bigint", "Row position within its landing file, from 0."),
    Column("_extract_date", "date", "Business day of the extract, from the file name."),
    Column("_loaded_at", "timestamp", "When the loader inserted the row (UTC)."),
)

UPDATED_AT = Column("updated_at", "timestamp", "When the source system last wrote the row.")

TABLES: tuple[Table, ...] = (
    Table(
        name="customers",
        description="Customer master: one row per version of a customer record.",
        key=("customer_id",),
        columns=(
            Column("customer_id", "varchar", "Customer number, 'C' and 8 digits."),
            Column("full_name", "varchar", "Name in Chinese characters.", pii=True),
            Column("gender", "varchar", "M or F. Protected: never a credit input."),
            Column("birth_date", "date", "Date of birth."),
            Column("id_number", "varchar", "18-digit PRC resident ID (GB 11643).", pii=True),
            Column("mobile_phone", "varchar", "11-digit mainland mobile number.", pii=True),
            Column("email", "varchar", "E-mail address.", pii=True),
            Column("address", "varchar", "Home address.", pii=True),
            Column("city", "varchar", "City of residence (Chinese name)."),
            Column("city_tier", "integer", "City tier 1 (largest) to 4."),
            Column("occupation", "varchar", "Code list `occupation`."),
            Column("employer_type", "varchar", "Code list `employer_type`."),
            Column("employer_id", "varchar", "Employer's counterparty id, when employed."),
            Column("employment_start_date", "date", "Start of the current employment."),
            Column("education", "varchar", "Code list `education`."),
            Column("marital_status", "varchar", "Code list `marital_status`. Protected."),
            Column("declared_monthly_income", "decimal(18,2)", "Self-declared income, CNY/month."),
            Column("kyc_risk_tolerance", "varchar", "KYC risk tolerance R1 (lowest) to R5."),
            Column("marketing_consent", "boolean", "Customer agreed to marketing."),
            Column("do_not_contact", "boolean", "Customer asked not to be contacted."),
            Column("created_at", "timestamp", "When the customer was onboarded."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="accounts",
        description="Accounts: current, savings, credit card, business and wealth.",
        key=("account_id",),
        columns=(
            Column("account_id", "varchar", "Account number, 'A' and 10 digits."),
            Column("customer_id", "varchar", "Owner, references customers."),
            Column("account_type", "varchar", "Code list `account_type`."),
            Column("currency", "varchar", "ISO 4217 currency code."),
            Column("opened_date", "date", "Date the account was opened."),
            Column("closed_date", "date", "Date the account was closed, if closed."),
            Column("credit_limit", "decimal(18,2)", "Credit limit, credit cards only."),
            Column("status", "varchar", "Code list `account_status`."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="transactions",
        description="Booked transactions on every account; amount signed, inflow positive.",
        key=("transaction_id",),
        columns=(
            Column("transaction_id", "varchar", "Transaction number, 'T' and 12 digits."),
            Column("account_id", "varchar", "Account booked on, references accounts."),
            Column("booked_at", "timestamp", "When the transaction was booked."),
            Column("amount", "decimal(18,2)", "Signed amount in the account currency."),
            Column("currency", "varchar", "ISO 4217 currency code."),
            Column("channel", "varchar", "Code list `channel`."),
            Column("mcc", "varchar", "4-digit merchant category code, card payments."),
            Column("counterparty_type", "varchar", "Code list `counterparty_type`."),
            Column("counterparty_id", "varchar", "The other party's id."),
            Column("balance_after", "decimal(18,2)", "Account balance after booking."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="wealth_orders",
        description="Purchases and redemptions of wealth, fund and insurance products.",
        key=("order_id",),
        columns=(
            Column("order_id", "varchar", "Order number, 'W' and 10 digits."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("account_id", "varchar", "Wealth account, references accounts."),
            Column("product_code", "varchar", "Product, references seeds/products.csv."),
            Column("order_type", "varchar", "Code list `order_type`."),
            Column("amount", "decimal(18,2)", "Order amount, positive."),
            Column("ordered_at", "timestamp", "When the order was placed."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="holdings",
        description="Month-end product holdings per customer.",
        key=("customer_id", "product_code", "snapshot_date"),
        columns=(
            Column("snapshot_date", "date", "Month-end date of the snapshot."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("product_code", "varchar", "Product, references seeds/products.csv."),
            Column("market_value", "decimal(18,2)", "Value held at month end."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="loans",
        description="Loans and credit facilities, one row per version.",
        key=("loan_id",),
        columns=(
            Column("loan_id", "varchar", "Loan number, 'L' and 10 digits."),
            Column("customer_id", "varchar", "Borrower, references customers."),
            Column("account_id", "varchar", "Linked account (the card for card loans)."),
            Column("loan_type", "varchar", "Code list `loan_type`."),
            Column("principal_amount", "decimal(18,2)", "Amount lent (limit for cards)."),
            Column("interest_rate", "decimal(8,5)", "Annual rate as a fraction."),
            Column("term_months", "integer", "Contract term in months."),
            Column("originated_date", "date", "Disbursement date."),
            Column("maturity_date", "date", "Contractual end date."),
            Column("collateral_type", "varchar", "Code list `collateral_type`."),
            Column("status", "varchar", "Code list `loan_status`."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="loan_repayments",
        description="Monthly instalments: due, paid, and days past due.",
        key=("repayment_id",),
        columns=(
            Column("repayment_id", "varchar", "Instalment id, 'R' and 12 digits."),
            Column("loan_id", "varchar", "Loan, references loans."),
            Column("installment_number", "integer", "1 for the first instalment."),
            Column("due_date", "date", "Due date."),
            Column("paid_date", "date", "Date paid in full; empty while unpaid."),
            Column("amount_due", "decimal(18,2)", "Amount due."),
            Column("amount_paid", "decimal(18,2)", "Amount paid so far."),
            Column("days_past_due", "integer", "Days past due at the last update."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="credit_bureau_reports",
        description="Quarterly credit bureau pulls per customer.",
        key=("report_id",),
        columns=(
            Column("report_id", "varchar", "Report id, 'B' and 10 digits."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("report_date", "date", "Date of the bureau pull."),
            Column("external_debt_amount", "decimal(18,2)", "Debt at other lenders, CNY."),
            Column("delinquencies_24m", "integer", "Delinquencies reported in 24 months."),
            Column("inquiries_6m", "integer", "Credit inquiries in 6 months."),
            Column("worst_days_past_due_24m", "integer", "Worst days past due, 24 months."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="digital_events",
        description="Mobile app and online banking events.",
        key=("event_id",),
        columns=(
            Column("event_id", "varchar", "Event id, 'E' and 12 digits."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("event_at", "timestamp", "When the event happened."),
            Column("event_type", "varchar", "Code list `event_type`."),
            Column("page", "varchar", "Code list `page` (page views only)."),
            Column("channel", "varchar", "Code list `channel` (mobile_app or online)."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="service_interactions",
        description="Branch visits, calls, chats and complaints.",
        key=("interaction_id",),
        columns=(
            Column("interaction_id", "varchar", "Interaction id, 'S' and 10 digits."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("interaction_at", "timestamp", "When it happened."),
            Column("interaction_type", "varchar", "Code list `interaction_type`."),
            Column("channel", "varchar", "Code list `channel`."),
            Column("topic", "varchar", "Code list `topic`."),
            Column("is_resolved", "boolean", "Resolved at first contact."),
            Column("satisfaction_score", "integer", "1 (worst) to 5, when surveyed."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="campaigns",
        description="Past marketing campaigns.",
        key=("campaign_id",),
        columns=(
            Column("campaign_id", "varchar", "Campaign id, 'K' and 4 digits."),
            Column("campaign_name", "varchar", "Name."),
            Column("product_code", "varchar", "Product offered, references seeds/products.csv."),
            Column("channel", "varchar", "Code list `channel`."),
            Column("start_date", "date", "First contact day."),
            Column("end_date", "date", "Last day a response counts."),
            Column("holdout_share", "decimal(5,4)", "Share of the audience held out."),
            UPDATED_AT,
        ),
    ),
    Table(
        name="campaign_contacts",
        description="Who was targeted by a campaign, contacted or held out, and the response.",
        key=("contact_id",),
        columns=(
            Column("contact_id", "varchar", "Contact id, 'X' and 10 digits."),
            Column("campaign_id", "varchar", "Campaign, references campaigns."),
            Column("customer_id", "varchar", "Customer, references customers."),
            Column("is_holdout", "boolean", "In the control group, not contacted."),
            Column("contacted_at", "timestamp", "When contacted; empty for holdout."),
            Column("responded", "boolean", "Took the product within the campaign window."),
            Column("responded_at", "timestamp", "When they took it."),
            UPDATED_AT,
        ),
    ),
)

TABLES_BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}

# Reason codes a quarantined row can carry (first failing rule wins, in this order).
QUARANTINE_REASONS: tuple[str, ...] = (
    "missing_key",
    "missing_value",
    "invalid_date",
    "invalid_amount",
    "invalid_number",
    "unknown_code",
    "impossible_age",
    "future_date",
    "orphan_key",
    "duplicate_key",
)


def table(name: str) -> Table:
    """The contract for one landing table, or a clear error naming the known tables."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"Unknown table '{name}'; the contract has: {known}.") from None
