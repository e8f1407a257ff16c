"""The gate on the analysis: a release never loses the analysis the previous release had, unless configured to.

Checked after the analysis, before publishing (each tested with the bad data it exists to catch):

- ``unreached_level`` (warning): a configured level that no priced model reaches in the months
  analysed, with the highest chosen score of its benchmark, so a typo'd threshold shows itself.
- ``empty_analysis`` (error): no configured level has a single month. A release without an
  analysis is never published, first release or not.
- ``analysis_drift`` (error): a level (benchmark, threshold, blend) or a month of a level that the
  previous release had and this one lacks, like a source losing its rows. The run refuses to
  publish and the previous release stays ``latest``.

What the configuration changes on purpose is not a loss. Every release records its analysis
configuration (``analysis`` in ``datapackage.json``: levels, blends, start, evidence horizon), and
the next release compares only what both configure: a level or blend dropped from
``[analysis]`` is reported (warning) and not compared, months before a later ``start`` are not
compared, and months lost when the evidence horizon changed (or against a release that did not
record one) are warnings. A loss the data really makes (a score corrected, a price withdrawn) is
accepted by an allowlist entry with source ``analysis`` and model_key the benchmark (or ``*``),
dated on or after the day of the last release it accepts losses against: it lets the next release
through and no later one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from llmflation.analyze.chart import level_label
from llmflation.analyze.pertask import PER_TASK
from llmflation.config import AnalysisSettings
from llmflation.validate import AllowEntry, Finding

log = logging.getLogger(__name__)

#: The ``source`` of allowlist entries that accept a loss in the analysis.
ALLOWLIST_SOURCE = "analysis"
_LEVEL = ["benchmark", "threshold", "blend"]


def previous_configuration(release: Path | None) -> dict[str, Any] | None:
    """The analysis configuration a release recorded (None: no release, or one made before releases recorded it)."""
    if release is None:
        return None
    try:
        return json.loads((release / "datapackage.json").read_text(encoding="utf-8")).get("analysis")
    except (OSError, ValueError) as exc:
        log.warning("cannot read the analysis configuration of release %s: %s", release.name, exc)
        return None


def check_analysis(
    cheapest: pd.DataFrame,
    scores: pd.DataFrame,
    configured: AnalysisSettings,
    previous: pd.DataFrame | None = None,
    previous_config: Mapping[str, Any] | None = None,
    previous_version: str | None = None,
    allowlist: Iterable[AllowEntry] = (),
) -> list[Finding]:
    """Findings on this build's ``cheapest_by_quality`` against its configuration and the previous release's.

    ``scores``: the chosen scores (model_id, benchmark, score), to say how far an unreached level is.
    ``previous``: the last release's ``cheapest_by_quality``; ``previous_config`` what it recorded;
    ``previous_version``: its version (``20261122T030000Z``), for dated allowlist entries.
    """
    findings = [_unreached(cheapest, scores, benchmark, threshold) for benchmark, threshold, _setting in configured.levels
                if not ((cheapest["benchmark"] == benchmark) & (cheapest["threshold"] == threshold)).any()]
    findings = [f for f in findings if f is not None]
    if cheapest.empty:
        findings.append(Finding("empty_analysis", "error", "cheapest_by_quality",
                                "no configured quality level is reached by any priced model in any month: "
                                "a release without an analysis is not published"))
    if previous is not None and not previous.empty:
        findings.extend(_losses(cheapest, configured, previous, previous_config, previous_version, list(allowlist)))
    return findings


def _unreached(cheapest: pd.DataFrame, scores: pd.DataFrame, benchmark: str, threshold: float) -> Finding:
    bench = scores[scores["benchmark"] == benchmark]
    if bench.empty:
        best = f"no model has a {benchmark} score in this build"
    else:
        top = bench.loc[bench["score"].astype(float).idxmax()]
        best = f"the highest chosen {benchmark} score is {float(top['score']):g} ({top['model_id']})"
    return Finding("unreached_level", "warning", "cheapest_by_quality",
                   f"{level_label(benchmark, threshold)}: no priced model reaches this level in any month analysed; {best}")


def _losses(cheapest: pd.DataFrame, configured: AnalysisSettings, previous: pd.DataFrame,
            previous_config: Mapping[str, Any] | None, previous_version: str | None,
            allowlist: list[AllowEntry]) -> list[Finding]:
    findings: list[Finding] = []
    levels = {(level.benchmark, float(level.threshold)) for level in configured.levels}
    start = pd.Timestamp(configured.start, tz="UTC")
    horizon_changed = (previous_config or {}).get("evidence_horizon_days") != configured.evidence_horizon_days
    now_months = {key: set(group["month"]) for key, group in cheapest.groupby(_LEVEL)}
    for (benchmark, threshold, blend), group in previous.groupby(_LEVEL):
        label = f"{level_label(benchmark, threshold)} ({blend} blend)"
        # per_task (cost per suite run) is computed for every configured level, beside the blends
        if (benchmark, float(threshold)) not in levels or blend not in (*configured.blends, PER_TASK):
            findings.append(Finding("analysis_drift", "warning", "cheapest_by_quality",
                                    f"{label}: no longer configured in [analysis]; its {len(group)} months of the "
                                    f"last release are not in this one"))
            continue
        before = {m for m in pd.to_datetime(group["month"], utc=True) if m >= start}
        lost = sorted(before - now_months.get((benchmark, float(threshold), blend), set()))
        if not lost:
            continue
        whole = (benchmark, float(threshold), blend) not in now_months
        what = (f"{label}: lost all {len(lost)} months the last release had" if whole else
                f"{label}: lost {len(lost)} month(s) the last release had ({_months(lost)})")
        rows = [{"benchmark": benchmark, "threshold": float(threshold), "blend": blend, "month": m} for m in lost]
        entry = _accepting(allowlist, benchmark, previous_version)
        if blend == PER_TASK and entry is None:  # it follows the suite version most models have: it may move
            findings.append(Finding("analysis_drift", "warning", "cheapest_by_quality",
                                    f"{what}; the per-task series follows the token counts' newest suite version", rows))
        elif entry is not None:
            findings.append(Finding("analysis_drift", "accepted", "cheapest_by_quality",
                                    f"{what}; accepted by allowlist line {entry.line}: {entry.reason}", rows))
        elif horizon_changed and not whole:
            findings.append(Finding("analysis_drift", "warning", "cheapest_by_quality",
                                    f"{what}; the evidence horizon changed since the last release "
                                    f"({(previous_config or {}).get('evidence_horizon_days', 'not recorded')} -> "
                                    f"{configured.evidence_horizon_days} days), so prices age out differently", rows))
        else:
            findings.append(Finding("analysis_drift", "error", "cheapest_by_quality",
                                    f"{what}: refused like any drift; if the loss is real, add an allowlist entry "
                                    f"'<today>,{ALLOWLIST_SOURCE},{benchmark},<reason>,<link>'", rows))
    return findings


def _accepting(allowlist: list[AllowEntry], benchmark: str, previous_version: str | None) -> AllowEntry | None:
    """An ``analysis`` entry for this benchmark (or ``*``) dated on or after the previous release's day."""
    made = _version_time(previous_version)
    for entry in allowlist:
        if entry.source == ALLOWLIST_SOURCE and entry.model_key in (benchmark, "*") and made is not None \
                and made.date() <= entry.since:
            return entry
    return None


def _version_time(version: str | None) -> datetime | None:
    try:
        return datetime.strptime(version or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _months(months: list[pd.Timestamp]) -> str:
    shown = ", ".join(f"{m:%b %Y}" for m in months[:6])
    return shown + (f" and {len(months) - 6} more" if len(months) > 6 else "")
