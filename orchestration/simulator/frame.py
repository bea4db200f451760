"""Numeric tables and their text rendering.

Generators build each landing table as a `Frame`: numpy arrays (ids, epoch days and
seconds, cents, code positions) plus a `Col` per contract column saying how to render it
as text. Rendering to Arrow strings happens late, in slices, with pyarrow.compute, so a
large table is never held as Python strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration import contract

NULL = np.iinfo(np.int64).min  # missing value in every int64 column
XID_BASE = 10**13  # prefixed ids: prefix position * XID_BASE + number
STRING_NULL = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class Col:
    """How one column is stored and rendered.

    kind: id (prefix + number), xid (prefix from `labels` + number), date (epoch days),
    ts (epoch seconds), dec (integer in units of 10**-scale), int, bool (0/1, -1 null),
    code (position in `labels`, -1 null), str (already an Arrow string array).
    """

    kind: str
    prefix: str = ""
    labels: tuple[str, ...] = ()
    scale: int = 2


@dataclass
class Frame:
    table: str
    data: dict[str, np.ndarray | pa.Array]
    cols: dict[str, Col]
    extract_day: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.extract_day)

    @property
    def updated_at(self) -> np.ndarray:
        return self.data["updated_at"]

    def take(self, index: np.ndarray) -> Frame:
        """The rows at `index`; columns that share one array (an event time that is also
        updated_at) still share one array, taken once."""
        index = np.asarray(index, dtype=np.int64)
        taken: dict[int, np.ndarray | pa.Array] = {}
        data = {}
        for name, values in self.data.items():
            if id(values) not in taken:
                taken[id(values)] = (
                    values.take(pa.array(index)) if isinstance(values, pa.Array) else values[index]
                )
            data[name] = taken[id(values)]
        return Frame(self.table, data, self.cols, self.extract_day[index])

    def copy_arrays(self) -> Frame:
        data = {
            name: (values if isinstance(values, pa.Array) else values.copy())
            for name, values in self.data.items()
        }
        return Frame(self.table, data, self.cols, self.extract_day.copy())


def concat_frames(frames: list[Frame]) -> Frame:
    first = frames[0]
    data: dict[str, np.ndarray | pa.Array] = {}
    for name, values in first.data.items():
        if isinstance(values, pa.Array):
            data[name] = pa.concat_arrays([frame.data[name] for frame in frames])
        else:
            data[name] = np.concatenate([frame.data[name] for frame in frames])
    extract = np.concatenate([frame.extract_day for frame in frames])
    return Frame(first.table, data, first.cols, extract)


def _decimal_text(units: np.ndarray, scale: int) -> pa.Array:
    """Integers in units of 10**-scale as plain decimal text, e.g. -123450 -> '-1234.50'."""
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63  # sign extension to 128 bits
    decimal = pa.Array.from_buffers(
        pa.decimal128(38, scale), len(units), [None, pa.py_buffer(words)]
    )
    return decimal.cast(pa.string())


def render(values: np.ndarray | pa.Array, col: Col) -> pa.Array:
    """One column as an Arrow string array."""
    if col.kind == "str":
        return values
    values = np.asarray(values)
    if col.kind in ("code", "bool"):
        missing = values < 0
        labels = col.labels if col.kind == "code" else ("false", "true")
        text = pa.array(labels, pa.string()).take(pa.array(np.where(missing, 0, values)))
    else:
        missing = values == NULL
        clean = np.where(missing, 0, values) if missing.any() else values
        if col.kind == "id":
            text = pc.binary_join_element_wise(col.prefix, pa.array(clean).cast(pa.string()), "")
        elif col.kind == "xid":
            prefixes = pa.array(col.labels, pa.string()).take(pa.array(clean // XID_BASE))
            numbers = pa.array(clean % XID_BASE).cast(pa.string())
            text = pc.binary_join_element_wise(prefixes, numbers, "")
        elif col.kind == "date":
            text = pa.array(clean.astype(np.int32), pa.date32()).cast(pa.string())
        elif col.kind == "ts":
            text = pa.array(clean, pa.timestamp("s")).cast(pa.string())
        elif col.kind == "dec":
            text = _decimal_text(clean.astype(np.int64), col.scale)
        elif col.kind == "int":
            text = pa.array(clean).cast(pa.string())
        else:
            raise ValueError(f"Unknown column kind '{col.kind}'.")
    if missing.any():
        text = pc.if_else(pa.array(missing), STRING_NULL, text)
    return text


def to_arrow(frame: Frame) -> pa.Table:
    """The frame as the landing table: contract columns, in contract order, all strings."""
    names = contract.table(frame.table).column_names
    rendered: dict[tuple[int, Col], pa.Array] = {}  # columns sharing one array render once
    arrays = []
    for name in names:
        key = (id(frame.data[name]), frame.cols[name])
        if key not in rendered:
            rendered[key] = render(frame.data[name], frame.cols[name])
        arrays.append(rendered[key])
    return pa.Table.from_arrays(arrays, names=names)


def landing_schema(table: str) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in contract.table(table).column_names])
