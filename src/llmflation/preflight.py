"""Checks of the configuration against the data, at start-up, before any request is made.

:func:`llmflation.config.load_settings` checks every key and value on its own; what needs the
data to be judged is checked here: a quality level must name a benchmark some score has, on
that benchmark's scale. A typo (``gpqa_dimond``) would otherwise run the whole capture and then
publish a release with no analysis for that level.
"""

from __future__ import annotations

import difflib
import logging

import pyarrow.parquet as pq

from llmflation.config import ConfigError, Settings
from llmflation.publish import latest_release
from llmflation.reference import ELO_BENCHMARKS, SCORES_FILE, ReferenceDataError, load_scores

log = logging.getLogger(__name__)

#: Scores of every benchmark but the Elo ones are percent correct (checked by the reference loader).
PERCENT_SCALE_MAX = 100.0


def known_benchmarks(settings: Settings) -> set[str]:
    """Benchmark ids that have scores: the curated ``scores.csv`` and the latest release's ``scores`` table.

    Derived from the data, so a benchmark a leaderboard parser starts to yield becomes known with
    the first release that holds it, and nothing here can drift from what the scores say.
    """
    known: set[str] = set()
    try:
        known.update(load_scores(settings.reference_dir)["benchmark"])
    except (ReferenceDataError, FileNotFoundError) as exc:
        log.warning("benchmarks of %s unknown (%s): the build will say what is wrong", SCORES_FILE, exc)
    release = latest_release(settings.published_dir)
    if release is not None and (release / "scores.parquet").exists():
        try:
            known.update(pq.read_table(release / "scores.parquet", columns=["benchmark"]).column("benchmark").to_pylist())
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read the benchmarks of release %s: %s", release.name, exc)
    known.discard(None)  # type: ignore[arg-type]
    return known


def check_analysis_levels(settings: Settings) -> None:
    """``ConfigError`` for a level naming a benchmark no score has, or a threshold off its scale."""
    where = f"{settings.config_path or 'configuration'}: [analysis] levels"
    known = known_benchmarks(settings)
    for benchmark, threshold in settings.analysis.levels:
        if known and benchmark not in known:
            close = difflib.get_close_matches(benchmark, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown benchmark {benchmark!r}{hint}; the benchmarks with scores are "
                              f"{', '.join(sorted(known))}")
        if threshold <= 0:
            raise ConfigError(f"{where}: {benchmark} threshold must be > 0, got {threshold:g}")
        if benchmark not in ELO_BENCHMARKS and threshold > PERCENT_SCALE_MAX:
            raise ConfigError(f"{where}: {benchmark} threshold {threshold:g} is above 100: "
                              f"{benchmark} scores are percent correct (0-100)")
