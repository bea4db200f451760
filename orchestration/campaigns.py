"""`bankprofile campaign export <campaign_id> --out FILE`: the contact list of a planned campaign.

Reads the published copy (published/bi.duckdb, never the live warehouse): the contacted part
of marketing.campaign_audiences, i.e. the holdout excluded, with masked identity only. The
format follows the extension of --out: .csv or .parquet. A mistake the user can fix (no
published build, an unknown campaign, another extension) prints one sentence and exits 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.settings import SEEDS_DIR, DataPaths, data_paths

AUDIENCES = "marketing.campaign_audiences"
DEFINITIONS = SEEDS_DIR / "marketing_campaign_definitions.csv"
# Masked identity only: never a clear name, ID number, phone, e-mail or address.
EXPORT_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "product_code",
    "channel",
    "start_date",
    "end_date",
    "customer_id",
    "audience_rank",
    "score",
    "full_name_masked",
    "mobile_phone_masked",
    "email_masked",
)
FORMATS = {".csv": "csv", ".parquet": "parquet"}


class CampaignExportError(Exception):
    """A mistake the user can fix; printed as one sentence, exit status 2."""


def defined_campaigns(definitions: Path = DEFINITIONS) -> list[str]:
    with definitions.open(newline="", encoding="utf-8") as handle:
        return [row["campaign_id"] for row in csv.DictReader(handle)]


def contact_list(bi_database: Path, campaign_id: str) -> pd.DataFrame:
    """The campaign's contacted customers (holdout excluded), best first."""
    if not bi_database.exists():
        raise CampaignExportError(
            f"Nothing published yet at {bi_database}; run `bankprofile build` first."
        )
    columns = ", ".join(EXPORT_COLUMNS)
    with duckdb.connect(str(bi_database), read_only=True) as con:
        try:
            known = con.execute(
                f"select count(*) from {AUDIENCES} where campaign_id = ?", [campaign_id]
            ).fetchone()[0]
            frame = con.execute(
                f"select {columns} from {AUDIENCES} "
                "where campaign_id = ? and not is_holdout order by audience_rank",
                [campaign_id],
            ).df()
        except duckdb.CatalogException as error:
            raise CampaignExportError(
                f"{bi_database} has no {AUDIENCES}; run `bankprofile build` first."
            ) from error
    if known == 0:
        defined = defined_campaigns()
        if campaign_id in defined:
            raise CampaignExportError(
                f"Campaign '{campaign_id}' has no audience in the published build; "
                "run `bankprofile build` to select it."
            )
        raise CampaignExportError(
            f"Unknown campaign '{campaign_id}': not in {DEFINITIONS.name} "
            f"(known: {', '.join(defined) or 'none'})."
        )
    return frame


def write_contact_list(frame: pd.DataFrame, out: Path) -> None:
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise CampaignExportError(
            f"--out {out}: the file must end in .csv or .parquet, not '{out.suffix or '(none)'}'."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(out, index=False, encoding="utf-8")
    else:
        frame.to_parquet(out, index=False)


def run_export(args: argparse.Namespace, paths: DataPaths | None = None) -> int:
    paths = paths or data_paths()
    try:
        out = Path(args.out)
        if out.suffix.lower() not in FORMATS:  # check before reading anything
            write_contact_list(pd.DataFrame(), out)
        frame = contact_list(paths.bi_database, args.campaign_id)
        write_contact_list(frame, out)
    except CampaignExportError as error:
        print(f"bankprofile: {error}", file=sys.stderr)
        return 2
    print(
        f"Wrote {len(frame):,} contacts of campaign {args.campaign_id} (holdout excluded) to {out}."
    )
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `campaign export` to the bankprofile command line."""
    campaign = subparsers.add_parser("campaign", help="planned campaigns: export a contact list")
    actions = campaign.add_subparsers(dest="campaign_command", required=True)
    export = actions.add_parser(
        "export", help="write a campaign's contact list (holdout excluded, masked identity)"
    )
    export.add_argument(
        "campaign_id", help="a campaign_id of seeds/marketing_campaign_definitions.csv"
    )
    export.add_argument("--out", required=True, help="file to write: .csv or .parquet")
    export.set_defaults(handler=run_export)
