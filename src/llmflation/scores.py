"""The ``scores`` table: benchmark results from every source, all kept, one chosen per model and benchmark.

Score rows come from the leaderboard parsers (``ScoreRecord``s, each with the id of the source it
was captured from) and from the curated ``data/reference/scores.csv``. Each row's name is matched
to a catalog ``model_id`` (``llmflation.match``); rows that match nothing stay out of the table and
are counted in the run report.

When several sources state a score for the same model and benchmark, every row is kept and one is
**chosen** for the analysis, by a preference order of sources (first listed wins):

1. ``reference``: the curated table, each row cited and checked by a person;
2. independent evaluations, where someone other than the model's creator ran the test:
   ``artificial_analysis``, ``open_llm_leaderboard_v2``, ``open_llm_leaderboard_v1``, ``lmarena``,
   ``lmarena_vision``;
3. ``*``: any other source (``llm_stats``: the creators' self-reported numbers).

Within one source, a row in the benchmark's standard setting (:data:`STANDARD_SETTINGS`: MMLU
5-shot without chain of thought, the setting of GPT-3's 43.9 that the MMLU levels come from) beats
any other setting, since scores of different settings are not comparable (Llama 2 7B: 45.3
5-shot, 13 by Artificial Analysis's own method); then an independently measured row beats a
self-reported one; then the most recently reported row wins (the latest arena rating).
The order is configurable in the TOML file::

    [scores]
    preference = ["reference", "artificial_analysis", "*"]
    disagreement_points = 3.0

Sources that disagree by more than ``disagreement_points`` (on the 0-100 scale; Elo points for
ratings) on the same model and benchmark are listed for the run report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from llmflation.config import ScoresSettings, Settings
from llmflation.match import HUB_CREATOR_ORGS, Catalog
from llmflation.records import ScoreRecord

log = logging.getLogger(__name__)

REFERENCE_SOURCE = "reference"
DEFAULT_PREFERENCE: tuple[str, ...] = (
    REFERENCE_SOURCE,
    "artificial_analysis",
    "open_llm_leaderboard_v2",
    "open_llm_leaderboard_v1",
    "lmarena",
    "lmarena_vision",
    "*",
)
DEFAULT_DISAGREEMENT_POINTS = ScoresSettings.disagreement_points
#: The setting a benchmark is normally reported in; rows in it are preferred within a source.
STANDARD_SETTINGS = {"mmlu": "5-shot"}
#: Sources whose model names are Hugging Face Hub repository ids: only creators' repositories match.
HUB_REPO_SOURCES = frozenset({"open_llm_leaderboard_v1", "open_llm_leaderboard_v2"})

ROW_COLUMNS = [
    "model_key",
    "benchmark",
    "score",
    "setting",
    "self_reported",
    "source_id",
    "source_url",
    "reported_at",
    "ci95_low",
    "ci95_high",
    "votes",
]
TABLE_COLUMNS = ["model_id", *ROW_COLUMNS, "chosen"]
DISAGREEMENT_COLUMNS = [
    "model_id",
    "benchmark",
    "chosen_source_id",
    "chosen_score",
    "other_source_id",
    "other_score",
    "difference",
]


@dataclass(frozen=True)
class ScorePolicy:
    """How one score is chosen among sources, and how far apart counts as a disagreement."""

    preference: tuple[str, ...] = DEFAULT_PREFERENCE
    disagreement_points: float = DEFAULT_DISAGREEMENT_POINTS
    hub_repo_sources: frozenset[str] = field(default=HUB_REPO_SOURCES)

    def __post_init__(self) -> None:
        if not self.preference or len(set(self.preference)) != len(self.preference):
            raise ValueError(f"score preference must list each source once, got {list(self.preference)}")
        if self.disagreement_points < 0:
            raise ValueError(f"disagreement_points must be >= 0, got {self.disagreement_points}")

    def rank(self, source_id: str) -> int:
        """Position of ``source_id`` in the preference (lower wins); unlisted sources rank at ``*``."""
        if source_id in self.preference:
            return self.preference.index(source_id)
        return self.preference.index("*") if "*" in self.preference else len(self.preference)

    @classmethod
    def from_settings(cls, settings: Settings) -> ScorePolicy:
        """From the ``[scores]`` table of the configuration file; defaults for what it leaves out."""
        preference = settings.scores.preference or DEFAULT_PREFERENCE
        return cls(preference=preference, disagreement_points=settings.scores.disagreement_points)


def score_rows(records: Iterable[tuple[str, ScoreRecord]]) -> pd.DataFrame:
    """Score rows from ``(source_id, record)`` pairs, as the build collects them from parse results."""
    rows = [
        {
            "model_key": record.model_key,
            "benchmark": record.benchmark,
            "score": float(record.score),
            "setting": record.setting,
            "self_reported": record.self_reported,
            "source_id": source_id,
            "source_url": record.source_url,
            "reported_at": record.reported_at,
            "ci95_low": record.ci95_low,
            "ci95_high": record.ci95_high,
            "votes": record.votes,
        }
        for source_id, record in records
    ]
    return _typed(pd.DataFrame(rows, columns=ROW_COLUMNS))


def reference_score_rows(reference_scores: pd.DataFrame) -> pd.DataFrame:
    """The curated ``scores.csv`` (as ``reference.load_scores`` returns it) as score rows of source ``reference``.

    Its ``model_id`` is already a catalog id; it becomes the row's ``model_key``.
    """
    frame = pd.DataFrame(
        {
            "model_key": reference_scores["model_id"],
            "benchmark": reference_scores["benchmark"],
            "score": reference_scores["score"].astype("float64"),
            "setting": reference_scores["setting"],
            "self_reported": reference_scores["self_reported"],
            "source_id": REFERENCE_SOURCE,
            "source_url": reference_scores["source_url"],
            "reported_at": reference_scores["reported_at"],
        },
        columns=ROW_COLUMNS,
    )
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["score"] = frame["score"].astype("float64")
    frame["reported_at"] = pd.to_datetime(frame["reported_at"], utc=True)
    for column in ("ci95_low", "ci95_high"):
        frame[column] = frame[column].astype("float64")
    frame["votes"] = frame["votes"].astype("Int64")
    frame["self_reported"] = frame["self_reported"].astype("boolean")
    return frame


def match_score_rows(rows: pd.DataFrame, catalog: Catalog, policy: ScorePolicy | None = None) -> pd.DataFrame:
    """``rows`` with ``model_id`` and ``match_reason``: reference rows keep their id, others are matched.

    Names from Hub-repository sources match only under a creator's namespace (a re-upload or
    fine-tune under another account is a different model as far as scores go).
    """
    policy = policy or ScorePolicy()
    out = rows.copy()
    cache: dict[tuple[str, bool], tuple[str | None, str]] = {}
    ids: list[str | None] = []
    reasons: list[str] = []
    for key, source_id in zip(out["model_key"].astype(str), out["source_id"]):
        if source_id == REFERENCE_SOURCE:
            ids.append(key)
            reasons.append("curated")
            continue
        hub = source_id in policy.hub_repo_sources
        if (key, hub) not in cache:
            found = catalog.match(key, owners=HUB_CREATOR_ORGS if hub else None)
            cache[(key, hub)] = (found.model_id, found.reason)
        model_id, reason = cache[(key, hub)]
        ids.append(model_id)
        reasons.append(reason)
    out.insert(0, "model_id", pd.Series(ids, index=out.index, dtype="object"))
    out["match_reason"] = reasons
    return out


def scores_table(matched: pd.DataFrame, policy: ScorePolicy | None = None) -> pd.DataFrame:
    """The published ``scores`` table: every matched row, with ``chosen`` marking one per (model, benchmark).

    ``matched`` is the output of :func:`match_score_rows`; unmatched rows are left out here (count
    them with ``matched["model_id"].isna()``).
    """
    policy = policy or ScorePolicy()
    table = matched[matched["model_id"].notna()].copy()
    if table.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    table = _ordered(table, policy)
    table["chosen"] = ~table.duplicated(["model_id", "benchmark"], keep="first")
    return table[TABLE_COLUMNS].reset_index(drop=True)


def _ordered(table: pd.DataFrame, policy: ScorePolicy) -> pd.DataFrame:
    """Rows sorted best first within each (model_id, benchmark), by the policy."""
    table = table.copy()
    table["_rank"] = [policy.rank(s) for s in table["source_id"]]
    table["_standard"] = [int(not _in_standard_setting(b, s)) for b, s in zip(table["benchmark"], table["setting"])]
    table["_independent"] = table["self_reported"].fillna(True).astype(bool).astype(int)  # 0 = independent
    table["_when"] = table["reported_at"].fillna(pd.Timestamp.min.tz_localize("UTC"))
    return table.sort_values(
        ["model_id", "benchmark", "_rank", "_standard", "_independent", "_when", "votes", "model_key", "setting"],
        ascending=[True, True, True, True, True, False, False, True, True],
        na_position="last",
        kind="stable",
    )


def _in_standard_setting(benchmark: object, setting: object) -> bool:
    """True when the row is in the benchmark's standard setting, or the benchmark has none."""
    standard = STANDARD_SETTINGS.get(str(benchmark))
    if standard is None:
        return True
    text = str(setting or "").strip().lower()
    return text.startswith(standard) and "cot" not in text


def chosen_scores(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (model_id, benchmark): the chosen score, for the analysis (``cheapest_by_quality``)."""
    chosen = table[table["chosen"]]
    return chosen[["model_id", "benchmark", "score", "source_id", "setting"]].reset_index(drop=True)


def disagreements(table: pd.DataFrame, policy: ScorePolicy | None = None) -> pd.DataFrame:
    """Sources that disagree with the chosen score by more than ``policy.disagreement_points``.

    Each other source is represented by its own best row (the one it would contribute if it
    were first in the preference). Rows ranked by the size of the difference, largest first.
    """
    policy = policy or ScorePolicy()
    if table.empty:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    ordered = _ordered(table, policy)
    per_source = ordered.drop_duplicates(["model_id", "benchmark", "source_id"], keep="first")
    chosen = table[table["chosen"]][["model_id", "benchmark", "source_id", "score"]]
    chosen = chosen.rename(columns={"source_id": "chosen_source_id", "score": "chosen_score"})
    pairs = per_source.merge(chosen, on=["model_id", "benchmark"])
    pairs = pairs[pairs["source_id"] != pairs["chosen_source_id"]]
    pairs = pairs.assign(
        other_source_id=pairs["source_id"],
        other_score=pairs["score"],
        difference=(pairs["score"] - pairs["chosen_score"]).round(6),
    )
    found = pairs[pairs["difference"].abs() > policy.disagreement_points]
    found = found.reindex(found["difference"].abs().sort_values(ascending=False, kind="stable").index)
    return found[DISAGREEMENT_COLUMNS].reset_index(drop=True)


def format_disagreements(found: pd.DataFrame, limit: int | None = None) -> list[str]:
    """Run-report lines: ``gpt-4o-2024-05-13 mmlu: reference 88.7, llm_stats 85.2 (-3.5)``."""
    rows = found if limit is None else found.head(limit)
    return [
        f"{r.model_id} {r.benchmark}: {r.chosen_source_id} {r.chosen_score:g} (chosen), "
        f"{r.other_source_id} {r.other_score:g} ({r.difference:+g})"
        for r in rows.itertuples()
    ]


def unmatched_score_names(matched: pd.DataFrame, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """Score names that match no catalog model: ``name, source_id, n_score_rows, reason``, most rows first."""
    rows = matched[matched["model_id"].isna()]
    if sources is not None:
        rows = rows[rows["source_id"].isin(list(sources))]
    grouped = rows.groupby(["model_key", "source_id", "match_reason"], sort=False).size().reset_index(name="n_score_rows")
    grouped = grouped.rename(columns={"model_key": "name", "match_reason": "reason"})
    grouped = grouped.sort_values(["n_score_rows", "source_id", "name"], ascending=[False, True, True])
    return grouped[["name", "source_id", "n_score_rows", "reason"]].reset_index(drop=True)
