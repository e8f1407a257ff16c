"""Columns of a DataFrame as plain Python values, for the analyses and checks that walk rows one by one.

A year of nightly captures gives a hundred thousand price rows but only a few hundred distinct
times: pandas turns every datetime into a ``Timestamp`` one value at a time, which was most of
the cost of walking those rows. Here each distinct time becomes one ``Timestamp`` (the same
value, shared by every row that holds it); other columns are as ``Series.tolist`` gives them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def timestamps(column: pd.Series) -> list[Any]:
    """A datetime column as a list of ``Timestamp`` (``NaT`` where missing), each distinct time boxed once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    boxed = np.empty(len(uniques) + 1, dtype=object)
    boxed[: len(uniques)] = list(uniques)
    boxed[-1] = pd.NaT  # code -1: missing
    return boxed[codes].tolist()


def column_values(column: pd.Series) -> list[Any]:
    """``column.tolist()``, a datetime column's times boxed once per distinct time."""
    return timestamps(column) if pd.api.types.is_datetime64_any_dtype(column.dtype) else column.tolist()


def per_distinct(values: pd.Series | Sequence[Any], fn: Callable[[Any], Any], dtype: Any = object) -> np.ndarray:
    """``fn`` of every value as an array, ``fn`` called once per distinct value (once with ``None`` for the
    missing ones): a year's 100k rows repeat a few thousand names, prices and hashes.

    Values equal under ``==`` share one call (``Decimal("1")`` and ``Decimal("1.0")``): ``fn`` must
    give them the same answer.
    """
    column = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=dtype)
    for i, value in enumerate(uniques):
        table[i] = fn(value)
    table[-1] = fn(None)  # code -1: missing
    return table[codes]
