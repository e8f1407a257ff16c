"""The sample-and-bisect decision (llmflation.fetch.bisection), on listings simulated in memory.

``_resolve`` plays the backfill: it reads whatever ``next_positions`` asks for from a list of
contents, and counts the reads. What is asserted could be false: where the changes are pinned,
how many reads that took, and what is deliberately not seen (a change reverted within a step).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from llmflation.fetch.bisection import (
    Outcome,
    StepError,
    bisection_fetches_per_change,
    changes,
    next_positions,
    parse_step,
    sample_positions,
)


def _stamps(count: int, hours: float = 3.0) -> list[str]:
    start = datetime(2024, 1, 1)
    return [(start + timedelta(hours=hours * i)).strftime("%Y%m%d%H%M%S") for i in range(count)]


def _resolve(contents: list[object], step: str = "month", hours: float = 3.0,
             unreadable: frozenset[int] = frozenset(), failing: frozenset[int] = frozenset(),
             stored: frozenset[int] = frozenset()) -> tuple[dict[int, Outcome], list[int]]:
    """Read positions as asked until nothing is left; the outcomes and every position read, in order."""
    stamps = _stamps(len(contents), hours)
    sample = sample_positions(stamps, step)
    outcomes = {p: Outcome("known", contents[p], stored=True) for p in stored}
    reads: list[int] = []
    fetched: set[int] = set()
    while wanted := next_positions(len(contents), sample, outcomes, fetched):
        for p in wanted:
            reads.append(p)
            fetched.add(p)
            if p in failing:
                outcomes.setdefault(p, Outcome("failed", reason="HTTP 503"))
            elif p in unreadable:
                outcomes[p] = Outcome("unknown", stored=True, reason="no prices")
            else:
                outcomes[p] = Outcome("known", contents[p], stored=True)
    return outcomes, reads


def _history(count: int, starts: list[int]) -> list[object]:
    """Content ``k`` from position ``starts[k]`` on."""
    return [sum(1 for s in starts if s <= i) - 1 for i in range(count)]


def test_every_change_is_pinned_between_adjacent_captures_with_about_log2_reads_each() -> None:
    count, starts = 5000, [0, 311, 320, 1200, 2222, 2223, 3999, 4998]
    outcomes, reads = _resolve(_history(count, starts))
    found = changes(outcomes)
    assert [(c.before, c.after) for c in found] == [(s - 1, s) for s in starts[1:]]
    assert all(c.exact for c in found)
    sample = sample_positions(_stamps(count), "month")
    assert len(set(reads)) == len(reads)  # nothing read twice
    assert len(reads) <= len(sample) + (len(starts) - 1) * math.ceil(math.log2(count))
    assert len(reads) < 150


def test_equal_neighbours_are_not_looked_between_so_a_change_reverted_within_a_step_is_missed() -> None:
    count = 1000  # 3-hourly captures: about 4 months, sampled monthly
    contents = _history(count, [0, 500])
    contents[100:110] = ["promotion"] * 10  # a price that changed and changed back within January
    outcomes, reads = _resolve(contents)
    assert [(c.before, c.after) for c in changes(outcomes)] == [(499, 500)]
    assert not any(100 <= r < 110 for r in reads)
    # A finer step over the same captures sees it: the known limit, and how to look closer.
    outcomes, _ = _resolve(contents, step="day")
    assert [(c.before, c.after) for c in changes(outcomes)] == [(99, 100), (109, 110), (499, 500)]


def test_unreadable_captures_are_neither_equal_nor_different_and_bisection_goes_past_them() -> None:
    count = 400
    contents = _history(count, [0, 200])
    unreadable = frozenset(range(195, 200)) | frozenset({0})  # the first capture too
    outcomes, reads = _resolve(contents, unreadable=unreadable)
    found = changes(outcomes)
    assert [(c.before, c.after) for c in found] == [(194, 200)]
    assert found[0].unreadable_between == 5 and found[0].exact
    assert 1 in reads  # the first readable capture after an unreadable first one is found by bisection too


def test_a_failed_fetch_leaves_its_change_open_and_is_not_asked_again_in_the_run() -> None:
    count = 800
    contents = _history(count, [0, 300, 600])
    failing = frozenset(range(250, 350))
    outcomes, reads = _resolve(contents, failing=failing)
    found = changes(outcomes)
    assert [c.exact for c in found] == [False, True]
    assert found[1].before == 599 and found[1].after == 600
    assert sum(1 for r in reads if r in failing) == 1  # one failure, then that gap waits for the next run


def test_the_ends_of_a_change_known_only_from_stored_bytes_are_fetched_to_be_stored() -> None:
    contents = _history(300, [0, 150])
    stamps = _stamps(300)
    sample = sample_positions(stamps, "month")
    outcomes = {p: Outcome("known", contents[p], stored=True) for p in sample}
    outcomes.update({149: Outcome("known", 0, stored=False), 150: Outcome("known", 1, stored=False)})
    assert next_positions(300, sample, outcomes) == [149, 150]
    assert next_positions(300, sample, outcomes, fetched={149, 150}) == []  # asked once: never again in the run


def test_sample_is_the_first_capture_of_each_step_and_the_first_and_last() -> None:
    stamps = ["20240101000000", "20240115000000", "20240201000000", "20240202000000", "20240420000000",
              "20240421000000"]
    assert sample_positions(stamps, "month") == [0, 2, 4, 5]
    assert sample_positions(stamps, "every") == list(range(6))
    assert sample_positions(stamps, "30d") == sorted(set(sample_positions(stamps, "30d")) | {0, 5})
    assert sample_positions([], "month") == []


@pytest.mark.parametrize("text", ["fortnight", "0d", "-3d", "d", ""])
def test_a_bad_step_is_refused_naming_the_choices(text: str) -> None:
    with pytest.raises(StepError, match="month, week, day, every"):
        parse_step(text)


def test_steps_and_the_estimate_of_reads_per_change() -> None:
    assert [parse_step(s) for s in ("Month", "week", "7d", "every")] == ["month", "week", "7d", "every"]
    assert bisection_fetches_per_change(5000, 23) == 8  # 227 captures per step
    assert bisection_fetches_per_change(10, 10) == 1
    assert bisection_fetches_per_change(1, 1) == 0
