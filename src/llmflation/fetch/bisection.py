"""Sample, then bisect: which listed captures of an address to read to find every change, and where.

The Wayback Machine can hold thousands of captures of one pricing page, nearly every one with
its own digest (build ids and nonces change on every load), while its prices change a dozen
times. Reading them all costs hours at a polite pace; reading a sample and then bisecting
between samples that differ costs about ``changes x log2(captures per step)`` requests.

This module is the decision, with no network and no clock: given the listing of one address
(every status-200 capture, oldest first, not collapsed) and what is known so far about each
position of it, :func:`next_positions` says which positions to read next, and
:func:`changes` says where the content changed. The backfill (``llmflation.fetch.backfill_bisect``) reads
the positions (from the raw store when the bytes are already there, else by fetching them)
and calls again, until nothing is left to read.

Rules:

- **Sample** first: the first listed capture of each step (a calendar month by default, see
  :func:`sample_positions`), and always the first and the last.
- **Bisect**: between two neighbouring *known* positions whose signatures (the parser's
  records, as a set) differ, read the unread position nearest the middle, until the two
  are adjacent in the listing. Between two known positions with equal signatures, read
  nothing more: a change that is reverted before the next known position is not seen (the
  known limit; a finer step over ``--since/--until`` looks closer).
- **Unknown** positions (bytes the parser cannot read, a page kept as ``rejected``) are neither
  equal nor different: they are never one side of a change. Inside a change, bisection goes on
  past them until the change sits between the two nearest readable captures (the unreadable
  ones between are counted with it, and ``exact`` then means: as exact as the readable
  captures allow). Before the first known position and after the last, it looks for the edge
  of the unreadable stretch, so an unreadable sampled capture does not hide what follows it.
  Between known positions that agree, unknown ones change nothing.
- **Failed** positions (the fetch failed this run, after the spider's own retries) are not
  asked again in the same run, and the gap they sit in is not bisected further in this run
  (asking the archive for its neighbours one by one would be impolite and rarely helps); the
  address stays open and the next run goes on from what is stored.
- **Boundaries**: both captures around a pinned change must be in the raw store (the build
  dates the new price from the first and the old price's last evidence from the one before):
  a boundary known only from another capture with the same bytes is fetched too.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence, Set
from dataclasses import dataclass
from datetime import date
from typing import Literal

#: How a backfill chooses what to fetch (``[wayback] strategy``): sample then bisect, or every
#: distinct digest the archive lists.
STRATEGIES = ("bisect", "every_version")

#: How far apart the sample is taken: a calendar period, a number of days, or every capture.
STEP_NAMES = ("month", "week", "day", "every")
DEFAULT_STEP = "month"


class StepError(ValueError):
    """A sample step that is not ``month``, ``week``, ``day``, ``every`` or ``<N>d``."""


def parse_step(value: str) -> str:
    """The step, checked: ``month`` (default), ``week``, ``day``, ``every`` or ``<N>d`` (N >= 1 days)."""
    text = str(value).strip().lower()
    if text in STEP_NAMES:
        return text
    if text.endswith("d") and text[:-1].isdigit() and int(text[:-1]) >= 1:
        return text
    raise StepError(f"sample step must be one of {', '.join(STEP_NAMES)} or a number of days like '3d', got {value!r}")


def step_key(timestamp: str, step: str) -> Hashable:
    """Which sample period a 14-digit Wayback timestamp falls in (``every``: its own)."""
    day = date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))
    if step == "month":
        return timestamp[:6]
    if step == "week":
        return day.isocalendar()[:2]
    if step == "day":
        return timestamp[:8]
    if step == "every":
        return timestamp
    return day.toordinal() // int(step[:-1])


def sample_positions(timestamps: Sequence[str], step: str) -> list[int]:
    """The first position of each step period, plus the first and the last position."""
    if not timestamps:
        return []
    chosen: dict[Hashable, int] = {}
    for position, timestamp in enumerate(timestamps):
        chosen.setdefault(step_key(timestamp, step), position)
    return sorted(set(chosen.values()) | {0, len(timestamps) - 1})


@dataclass(frozen=True)
class Outcome:
    """What is known about one listed position.

    ``known``: the parser read it; ``signature`` stands for its records (equal signatures,
    equal records). ``stored`` says the capture at this very timestamp is in the raw store
    (not only its bytes, under another capture). ``unknown``: read but not readable (parse
    error, rejected page). ``failed``: the fetch failed in this run.
    """

    kind: Literal["known", "unknown", "failed"]
    signature: Hashable = None
    stored: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """The content changed between two listed positions, ``before`` < ``after``.

    ``exact``: nothing readable lies between them (adjacent in the listing, or only unknown
    positions between). ``unreadable_between``: positions between them that could not be read.
    ``unresolved_between``: positions between them not read, or whose fetch failed (the change
    is not pinned yet).
    """

    before: int
    after: int
    unreadable_between: int
    unresolved_between: int

    @property
    def exact(self) -> bool:
        return self.unresolved_between == 0


def _open_gaps(outcomes: dict[int, Outcome]) -> list[tuple[int, int]]:
    """Neighbouring known positions whose signatures differ: a change lies between them."""
    anchors = sorted(p for p, o in outcomes.items() if o.kind == "known")
    return [(a, b) for a, b in zip(anchors, anchors[1:], strict=False)
            if outcomes[a].signature != outcomes[b].signature]


def _segments_to_split(outcomes: dict[int, Outcome]) -> list[tuple[int, int]]:
    """Neighbouring read positions with unread ones between, worth reading between.

    Inside a change (between neighbouring known positions that differ) every such segment is
    split, unreadable ends or not, until the change sits between two adjacent readable
    captures. Before the first known position and after the last, a segment from an
    unreadable capture to a readable one is split to find the edge of the unreadable stretch
    (a sampled first capture that cannot be read must not hide the content after it).
    Between known positions that agree, nothing is read.
    """
    read = sorted(p for p, o in outcomes.items() if o.kind != "failed")
    known = [p for p in read if outcomes[p].kind == "known"]
    gaps = _open_gaps(outcomes)
    segments = []
    for p, q in zip(read, read[1:], strict=False):
        if q == p + 1:
            continue
        if any(a <= p and q <= b for a, b in gaps):
            segments.append((p, q))
        elif known and (q <= known[0] or p >= known[-1]) and outcomes[p].kind != outcomes[q].kind:
            segments.append((p, q))
    return segments


def next_positions(
    size: int, sample: Sequence[int], outcomes: dict[int, Outcome], fetched: Set[int] = frozenset()
) -> list[int]:
    """The positions to read next, oldest first; empty when the listing is resolved.

    First the sample positions not read yet; then, once the whole sample is read, the middle
    of each segment worth splitting; then the ends of pinned changes not yet stored (a known
    position is returned only for that reason, and never when ``fetched`` says it was already
    asked for in this run).
    """
    unread_sample = [p for p in sample if 0 <= p < size and p not in outcomes]
    if unread_sample:
        return sorted(unread_sample)
    wanted: set[int] = set()
    for p, q in _segments_to_split(outcomes):
        if any(r in outcomes for r in range(p + 1, q)):
            continue  # a failed fetch lies here: this segment waits for the next run
        wanted.add((p + q) // 2)
    for a, b in _open_gaps(outcomes):
        if all(r in outcomes and outcomes[r].kind == "unknown" for r in range(a + 1, b)):
            # pinned as closely as the archive allows: both ends must be in the raw store
            wanted.update(end for end in (a, b) if not outcomes[end].stored and end not in fetched)
    return sorted(wanted)


def changes(outcomes: dict[int, Outcome]) -> list[Change]:
    """Every change between neighbouring known positions, as pinned as the outcomes allow."""
    found = []
    for a, b in _open_gaps(outcomes):
        between = [outcomes.get(p) for p in range(a + 1, b)]
        found.append(Change(
            before=a,
            after=b,
            unreadable_between=sum(1 for o in between if o is not None and o.kind == "unknown"),
            unresolved_between=sum(1 for o in between if o is None or o.kind == "failed"),
        ))
    return found


def bisection_fetches_per_change(size: int, sample_size: int) -> int:
    """About how many reads pin one change inside one sample step: log2 of the captures per step."""
    if size <= 1 or sample_size <= 1:
        return 0
    per_step = max(1.0, size / (sample_size - 1))
    return math.ceil(math.log2(per_step)) if per_step > 1 else 0
