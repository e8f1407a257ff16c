"""Per-distinct-value helpers: each distinct value asked once, missing values once with None."""

from __future__ import annotations

import pandas as pd

from llmflation.frames import per_distinct


def test_per_distinct_calls_once_per_distinct_value_and_once_for_missing() -> None:
    asked: list[object] = []

    def length(value: object) -> int:
        asked.append(value)
        return -1 if value is None else len(str(value))

    values = pd.Series(["ab", None, "ab", "abc", None], dtype="str")
    assert per_distinct(values, length, dtype=int).tolist() == [2, -1, 2, 3, -1]
    assert len(asked) == 3 and set(asked) == {"ab", "abc", None}
    assert per_distinct([1.5, None], lambda v: v is None, dtype=bool).tolist() == [False, True]
