"""Columns of a DataFrame as plain Python values, for the analyses and checks that walk rows one by one.

A year of nightly captures gives a hundred thousand price rows but only a few hundred distinct
times: pandas turns every datetime into a ``Timestamp`` one value at a time, which was most of
the cost of walking those rows. Here each distinct time becomes one ``Timestamp`` (the same
value, shared by every row that holds it); other columns are as ``Series.tolist`` gives them.
"""

from __future__ import annotations

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
