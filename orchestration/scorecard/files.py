"""Reading and writing analysts' CSV/Parquet files, with one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from orchestration.scorecard.errors import ScorecardInputError

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        raise ScorecardInputError(f"{path} is neither .csv nor .parquet, so it cannot be read.")
    return suffix


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV (UTF-8, optional BOM) or Parquet file as a DataFrame with at least one row."""
    file = Path(path)
    if not file.exists():
        raise ScorecardInputError(f"cannot find the data file {file}.")
    if not file.is_file():
        raise ScorecardInputError(f"{file} is a directory, not a data file.")
    suffix = _suffix(file)
    if file.stat().st_size == 0:
        raise ScorecardInputError(f"the data file {file} is empty.")
    try:
        if suffix in CSV_SUFFIXES:
            frame = pd.read_csv(file, encoding="utf-8-sig", low_memory=False)
        else:
            frame = pd.read_parquet(file)
    except pd.errors.EmptyDataError as error:
        raise ScorecardInputError(f"the data file {file} is empty.") from error
    except UnicodeDecodeError as error:
        raise ScorecardInputError(f"{file} is not UTF-8 text; save it as UTF-8 CSV.") from error
    except (pd.errors.ParserError, pa.ArrowException, OSError, ValueError) as error:
        kind = "CSV" if suffix in CSV_SUFFIXES else "Parquet"
        raise ScorecardInputError(f"{file} is not a readable {kind} file.") from error
    if frame.empty:
        raise ScorecardInputError(f"the data file {file} has no rows.")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV or Parquet by the file's extension, creating its folder if needed."""
    file = Path(path)
    suffix = _suffix(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    if suffix in CSV_SUFFIXES:
        frame.to_csv(file, index=False)
    else:
        frame.to_parquet(file, index=False)
    return file
