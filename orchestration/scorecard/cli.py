"""`bankprofile scorecard fit|apply`: fit a scorecard on a CSV/Parquet development sample,
and score a file with a saved scorecard.

    bankprofile scorecard fit --data dev.csv --target bad_flag --out models/app_v1
        [--exclude COL ...] [--time-column COL] [--min-iv 0.02] [--features COL ...]
        [--cv-folds K]
    bankprofile scorecard apply --model models/app_v1 --data new.parquet --out scores.csv

Also runnable on its own: `python -m orchestration.scorecard.cli fit ...`. A mistake in the
input prints `bankprofile: <one sentence>` to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from orchestration.scorecard.errors import ScorecardInputError
from orchestration.scorecard.files import read_table, write_table

if TYPE_CHECKING:
    from orchestration.scorecard.model import FittedScorecard


def id_columns(columns: list[object]) -> list[str]:
    """Columns to carry into the scores: `id` or any name ending in `_id` (any case)."""
    return [str(c) for c in columns if str(c).lower() == "id" or str(c).lower().endswith("_id")]


def run_fit(args: argparse.Namespace) -> int:
    # imported here: scikit-learn and optbinning would slow every `bankprofile` command
    from orchestration.scorecard.model import PointsScaling, fit

    data = read_table(args.data)
    try:
        model = fit(
            data,
            args.target,
            features=args.features,
            exclude=args.exclude,
            scaling=PointsScaling(args.base_score, args.base_odds, args.pdo),
            min_iv=args.min_iv,
            max_features=args.max_features,
            max_correlation=None if args.max_correlation >= 1 else args.max_correlation,
            time_column=args.time_column,
            seed=args.seed,
            cv_folds=args.cv_folds,
        )
    except ScorecardInputError as error:
        raise ScorecardInputError(f"{args.data}: {error}") from error
    out = model.save(args.out)
    validation = model.metrics["validation"]
    left_out = model.metrics["left_out_columns"]
    print(
        f"Fitted scorecard {model.model_id} on {args.data} with {len(model.features)} "
        f"features: {', '.join(model.features)}"
    )
    print(
        f"Out-of-sample ({model.metrics['split']['method']}, {validation['rows']:,} rows): "
        f"AUC {validation['auc']:.3f}, KS {validation['ks']:.3f}, "
        f"Gini {validation['gini']:.3f}"
    )
    cv = model.metrics.get("cross_validation")
    if cv:
        print(
            f"Cross-validated ({cv['folds']} stratified folds, seed {cv['seed']}): "
            f"AUC {cv['auc_mean']:.3f} +- {cv['auc_sd']:.3f}, "
            f"KS {cv['ks_mean']:.3f} +- {cv['ks_sd']:.3f} (mean +- sd over folds)"
        )
    if left_out:
        print("Left out: " + ", ".join(f"{c} ({r})" for c, r in left_out.items()))
    print(f"Wrote scorecard.csv, scorecard.parquet, model.json and report.md to {out}")
    return 0


def scored_rows(model: FittedScorecard, data: pd.DataFrame) -> pd.DataFrame:
    """What `apply` writes: the id columns (or row_number), model_id, score, pd and the
    reason codes of every row of `data`."""
    scores = model.apply(data)
    ids = id_columns(list(data.columns))
    keys = (
        data[ids].reset_index(drop=True)
        if ids
        else pd.DataFrame({"row_number": range(1, len(data) + 1)})
    )
    out = pd.concat([keys, scores.reset_index(drop=True)], axis=1)
    out.insert(len(keys.columns), "model_id", model.model_id)
    return out


def run_apply(args: argparse.Namespace) -> int:
    if Path(args.out).resolve() == Path(args.data).resolve():
        raise ScorecardInputError(f"--out {args.out} would overwrite the input data file.")
    from orchestration.scorecard.model import FittedScorecard

    model = FittedScorecard.load(args.model)
    data = read_table(args.data)
    try:
        out = scored_rows(model, data)
    except ScorecardInputError as error:
        raise ScorecardInputError(f"{args.data}: {error}") from error
    write_table(out, args.out)
    print(
        f"Scored {len(out):,} rows of {args.data} with {model.model_id} into {args.out} "
        f"(mean score {out['score'].mean():.1f}, mean PD {out['pd'].mean():.2%})."
    )
    return 0


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """A handler that turns a ScorecardInputError into one line on stderr and status 2."""

    def handler(args: argparse.Namespace, paths: object = None) -> int:
        try:
            return run(args)
        except ScorecardInputError as error:
            print(f"bankprofile: {error}", file=sys.stderr)
            return 2

    return handler


def _add_fit_apply(commands: argparse._SubParsersAction) -> None:
    fit_parser = commands.add_parser("fit", help="fit a scorecard on a development sample")
    fit_parser.add_argument("--data", required=True, type=Path, help="CSV or Parquet file")
    fit_parser.add_argument("--target", required=True, help="binary target column, 1 = bad")
    fit_parser.add_argument("--out", required=True, type=Path, help="directory to write")
    fit_parser.add_argument(
        "--exclude",
        nargs="+",
        action="extend",
        default=[],
        metavar="COL",
        help="columns never to use (protected attributes always are)",
    )
    fit_parser.add_argument(
        "--features",
        nargs="+",
        default=None,
        metavar="COL",
        help="candidate features (default: every other column)",
    )
    fit_parser.add_argument(
        "--time-column", default=None, help="validate out of time on the latest ~30%% of rows"
    )
    fit_parser.add_argument("--min-iv", type=float, default=0.02)
    fit_parser.add_argument("--max-features", type=int, default=None)
    fit_parser.add_argument(
        "--max-correlation",
        type=float,
        default=0.8,
        help="drop a feature whose WoE correlates above this (1 = keep all)",
    )
    fit_parser.add_argument("--base-score", type=float, default=600.0)
    fit_parser.add_argument("--base-odds", type=float, default=50.0, help="good:bad odds")
    fit_parser.add_argument("--pdo", type=float, default=20.0, help="points to double the odds")
    fit_parser.add_argument(
        "--seed", type=int, default=0, help="random validation split and cross-validation folds"
    )
    fit_parser.add_argument(
        "--cv-folds",
        type=int,
        default=None,
        metavar="K",
        help="also cross-validate: stratified K-fold, out-of-fold AUC and KS per fold",
    )
    fit_parser.set_defaults(handler=_guarded(run_fit))

    apply_parser = commands.add_parser("apply", help="score a file with a saved scorecard")
    apply_parser.add_argument("--model", required=True, type=Path, help="directory from fit")
    apply_parser.add_argument("--data", required=True, type=Path, help="CSV or Parquet file")
    apply_parser.add_argument("--out", required=True, type=Path, help="CSV or Parquet file")
    apply_parser.set_defaults(handler=_guarded(run_apply))


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `scorecard fit` and `scorecard apply` on the `bankprofile` command line."""
    scorecard = subparsers.add_parser(
        "scorecard", help="fit a credit scorecard on a CSV/Parquet sample, or apply one"
    )
    _add_fit_apply(scorecard.add_subparsers(dest="scorecard_command", required=True))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bankprofile scorecard", description="Fit or apply a credit scorecard."
    )
    _add_fit_apply(parser.add_subparsers(dest="scorecard_command", required=True))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
