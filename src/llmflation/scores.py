"""The ``scores`` table: benchmark results from every source, all kept, one chosen per model, benchmark and comparable setting.

Score rows come from the leaderboard parsers (``ScoreRecord``s, each with the id of the source it
was captured from) and from the curated ``data/reference/scores.csv``. Each row's name is matched
to a catalog ``model_id`` (``llmflation.match``); rows that match nothing stay out of the table and
are counted in the run report.

When several sources state a score for the same model and benchmark, every row is kept and one is
**chosen** for the analysis, by a preference order of sources (first listed wins; the registry
says where each leaderboard stands, ``Source.score_rank``):

1. ``reference``: the curated table, each row cited and checked by a person;
2. independent evaluations, where someone other than the model's creator ran the test:
   ``artificial_analysis``, ``epoch_benchmarks``, ``open_llm_leaderboard_v2``,
   ``open_llm_leaderboard_v1``, ``lmarena_dataset``, ``lmarena``, ``lmarena_vision``;
3. ``*``: any other source (``llm_stats``: the creators' self-reported numbers).

Only rows in a **comparable setting** are ever chosen (:mod:`llmflation.benchmarks` says, per
benchmark, which settings compare: MMLU 5-shot only, GPQA Diamond single attempt without tools,
ECI on Epoch's anchored scale, an Arena rating within its dated snapshot, an Artificial Analysis
index within its version). Each row gets its ``comparable_as`` class (null when it compares with
nothing, such as an MMLU of "0-shot CoT" or "Without tools"), and one row is chosen per model,
benchmark and class: the first by source preference, then an independently measured row over a
self-reported one, then the most recently reported (the latest ECI release). A model whose
only scores for a level are not comparable does not qualify for it; the run report lists it
with the reason (:func:`not_comparable_for_levels`).

The order is configurable in the TOML file::

    [scores]
    preference = ["reference", "artificial_analysis", "*"]
    disagreement_points = 3.0

Sources that disagree by more than ``disagreement_points`` (on the 0-100 scale; Elo points for
ratings) on the same model and benchmark are listed for the run report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from llmflation.benchmarks import benchmark as benchmark_row
from llmflation.benchmarks import comparable_as
from llmflation.config import ConfigError, ScoresSettings, Settings
from llmflation.match import HUB_CREATOR_ORGS, Catalog
from llmflation.records import ScoreRecord
from llmflation.schema import SCORES
from llmflation.sources import REFERENCE_SOURCE_ID, SCORE_PREFERENCE, SOURCES

log = logging.getLogger(__name__)

REFERENCE_SOURCE = REFERENCE_SOURCE_ID
DEFAULT_PREFERENCE: tuple[str, ...] = (REFERENCE_SOURCE, *SCORE_PREFERENCE, "*")
DEFAULT_DISAGREEMENT_POINTS = ScoresSettings.disagreement_points
#: Sources whose model names are Hugging Face Hub repository ids: only creators' repositories match.
HUB_REPO_SOURCES = frozenset(source.id for source in SOURCES if source.hub_repo_names)

#: The published ``scores`` table; a row before matching has its source's columns (no model_id yet,
#: nothing decided about comparability or choice).
TABLE_COLUMNS = SCORES.column_names
ROW_COLUMNS = [c for c in TABLE_COLUMNS if c not in ("model_id", "comparable_as", "chosen")]
#: What the analysis reads of a chosen score, and shows beside the cheapest model of a level.
CHOSEN_COLUMNS = ["model_id", "benchmark", "comparable_as", "score", "setting", "source_id", "self_reported", "source_url"]
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
            "ci90_low": record.ci90_low,
            "ci90_high": record.ci90_high,
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
    for column in ("ci95_low", "ci95_high", "ci90_low", "ci90_high"):
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
    pairs = [(b, s if isinstance(s, str) else None) for b, s in zip(table["benchmark"], table["setting"])]
    classes = {pair: comparable_as(*pair)[0] for pair in set(pairs)}  # a few hundred distinct settings
    table["comparable_as"] = [classes[pair] for pair in pairs]
    table = _ordered(table, policy)
    comparable = table["comparable_as"].notna()
    first = ~table.duplicated(["model_id", "benchmark", "comparable_as"], keep="first")
    table["chosen"] = comparable & first
    return table.reindex(columns=TABLE_COLUMNS).reset_index(drop=True)


def _ordered(table: pd.DataFrame, policy: ScorePolicy) -> pd.DataFrame:
    """Rows sorted best first within each (model_id, benchmark), by the policy: comparable rows first."""
    table = table.copy()
    table["_rank"] = [policy.rank(s) for s in table["source_id"]]
    table["_comparable"] = table["comparable_as"].isna().astype(int)  # 0 = comparable, first
    table["_independent"] = table["self_reported"].fillna(True).astype(bool).astype(int)  # 0 = independent
    table["_when"] = table["reported_at"].fillna(pd.Timestamp.min.tz_localize("UTC"))
    return table.sort_values(
        ["model_id", "benchmark", "_comparable", "_rank", "_independent", "_when", "votes", "model_key", "setting"],
        ascending=[True, True, True, True, True, False, False, True, True],
        na_position="last",
        kind="stable",
    )


def chosen_scores(table: pd.DataFrame) -> pd.DataFrame:
    """The chosen rows: one per (model_id, benchmark, comparable_as), all in comparable settings."""
    chosen = table[table["chosen"].astype(bool)]
    return chosen.reindex(columns=CHOSEN_COLUMNS).reset_index(drop=True)


def level_classes(levels: Sequence[tuple[str, float]], level_settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """For each benchmark of the levels, the comparable class its levels compare within.

    A one-standard benchmark (MMLU, GPQA Diamond, ECI) compares within its standard; any other
    (an Arena snapshot, an index version) must be named in ``level_settings`` (the ``setting``
    key of ``[analysis] levels``): a ``ConfigError`` says so otherwise.
    """
    level_settings = level_settings or {}
    classes: dict[str, str] = {}
    for benchmark_id, _threshold in levels:
        row = benchmark_row(benchmark_id)
        named = level_settings.get(benchmark_id)
        if named is not None:
            found, reason = row.comparable_as(named)
            if found is None:
                raise ConfigError(f"[analysis] levels: {benchmark_id} setting {named!r} is not comparable ({reason})")
            classes[benchmark_id] = found
        elif row.standard is not None:
            classes[benchmark_id] = row.standard
        else:
            raise ConfigError(
                f"[analysis] levels: {benchmark_id} scores compare only within {row.comparable}; "
                f"name it with setting = \"...\" beside the threshold"
            )
    return classes


def scores_for_levels(chosen: pd.DataFrame, classes: Mapping[str, str]) -> pd.DataFrame:
    """The chosen scores the levels compare: per benchmark, only those of its level class (one per model)."""
    keep = [classes.get(b) == c for b, c in zip(chosen["benchmark"], chosen["comparable_as"])]
    return chosen[keep].reset_index(drop=True)


def not_comparable_for_levels(table: pd.DataFrame, levels: Sequence[tuple[str, float]],
                              classes: Mapping[str, str]) -> pd.DataFrame:
    """Models kept out of a level only because their reaching scores are not comparable.

    For each level, the models with some score at or above the threshold, none of it in the
    level's comparable class at or above it: ``model_id, benchmark, threshold, score, setting,
    source_id, self_reported, reason`` (their best such row), for the run report.
    """
    rows = []
    for benchmark_id, threshold in levels:
        bench = table[table["benchmark"] == benchmark_id]
        reaching = bench[bench["score"].astype(float) >= float(threshold)]
        in_class = reaching["comparable_as"] == classes.get(benchmark_id)
        qualified = set(reaching.loc[in_class & reaching["chosen"].astype(bool), "model_id"])
        others = reaching[~reaching["model_id"].isin(qualified)].sort_values("score", ascending=False, kind="stable")
        for row in others.drop_duplicates("model_id").itertuples():
            found, reason = comparable_as(benchmark_id, row.setting)
            if found is not None:
                reason = f"setting {row.setting!r} is {found!r}, not the level's {classes.get(benchmark_id)!r}"
            rows.append({"model_id": row.model_id, "benchmark": benchmark_id, "threshold": float(threshold),
                         "score": float(row.score), "setting": row.setting, "source_id": row.source_id,
                         "self_reported": row.self_reported, "reason": reason})
    columns = ["model_id", "benchmark", "threshold", "score", "setting", "source_id", "self_reported", "reason"]
    return pd.DataFrame(rows, columns=columns)


def format_not_comparable(found: pd.DataFrame) -> list[str]:
    """Run-report lines: ``gpt-oss-20b not at mmlu >= 83: 85.3 (llm_stats, self-reported), setting 'Without tools': not 5-shot``."""
    lines = []
    for r in found.itertuples():
        claimed = r.self_reported is not None and not pd.isna(r.self_reported) and bool(r.self_reported)
        who = f"{r.source_id}, self-reported" if claimed else str(r.source_id)
        lines.append(f"{r.model_id} not at {r.benchmark} >= {r.threshold:g}: {r.score:g} ({who}); {r.reason}")
    return lines


def disagreements(table: pd.DataFrame, policy: ScorePolicy | None = None) -> pd.DataFrame:
    """Sources that disagree with the chosen score by more than ``policy.disagreement_points``.

    Only scores of one comparable class are compared (an MMLU 0-shot CoT does not disagree with
    a 5-shot one: it measures something else). Each other source is represented by its own best
    row in that class (the one it would contribute if it were first in the preference). Rows ranked by the size of the difference, largest first.
    """
    policy = policy or ScorePolicy()
    if table.empty:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    ordered = _ordered(table[table["comparable_as"].notna()], policy)
    per_source = ordered.drop_duplicates(["model_id", "benchmark", "comparable_as", "source_id"], keep="first")
    chosen = table[table["chosen"].astype(bool)][["model_id", "benchmark", "comparable_as", "source_id", "score"]]
    chosen = chosen.rename(columns={"source_id": "chosen_source_id", "score": "chosen_score"})
    pairs = per_source.merge(chosen, on=["model_id", "benchmark", "comparable_as"])
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
