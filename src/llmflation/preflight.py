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

from llmflation.benchmarks import BENCHMARKS, benchmark
from llmflation.config import ConfigError, Settings
from llmflation.publish import latest_release
from llmflation.reference import SCORES_FILE, ReferenceDataError, load_scores

log = logging.getLogger(__name__)

#: Scores of a ``percent`` benchmark (``benchmarks.BENCHMARKS``) are percent correct.
PERCENT_SCALE_MAX = 100.0


def known_benchmarks(settings: Settings) -> set[str]:
    """Benchmark ids a level may name: the benchmark table (``benchmarks.BENCHMARKS``), and any other
    benchmark that has scores in the curated ``scores.csv`` or the latest release's ``scores`` table.

    A benchmark a leaderboard parser starts to yield becomes known with the first release that holds it.
    """
    known: set[str] = set(BENCHMARKS)
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
    known.discard(None)
    return known


def check_analysis_levels(settings: Settings) -> None:
    """``ConfigError`` for a level naming a benchmark no score has, or a threshold off its scale."""
    where = f"{settings.config_path or 'configuration'}: [analysis] levels"
    known = known_benchmarks(settings)
    for level in settings.analysis.levels:
        benchmark_id, threshold = level.benchmark, level.threshold
        if benchmark_id not in known:
            close = difflib.get_close_matches(benchmark_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown benchmark {benchmark_id!r}{hint}; the known benchmarks are "
                              f"{', '.join(sorted(known))}")
        if threshold <= 0:
            raise ConfigError(f"{where}: {benchmark_id} threshold must be > 0, got {threshold:g}")
        if benchmark(benchmark_id).unit == "percent" and threshold > PERCENT_SCALE_MAX:
            raise ConfigError(f"{where}: {benchmark_id} threshold {threshold:g} is above 100: "
                              f"{benchmark_id} scores are percent correct (0-100)")
