"""The nightly flow: capture (live) -> backfill (history) -> build -> validate -> analyze -> publish.

Leaderboards are sources like any other: the capture step fetches them, the build parses them.

Run once with ``llmflation run``; served on a cron schedule with ``llmflation serve``.
A source that fails is a line in the run report, never the end of the run. The flow fails
only when the build itself fails or validation refuses to publish, and then the last good
release stays ``latest``.
"""

from __future__ import annotations

import logging

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from llmflation.build import BuildResult
from llmflation.config import Settings, load_settings
from llmflation.preflight import check_analysis_levels
from llmflation.publish import PublishResult
from llmflation.report import RunReport, new_run_id
from llmflation.runlock import run_lock
from llmflation.stages import (
    analyze_stage,
    backfill_stage,
    build_stage,
    capture_stage,
    publish_stage,
    validate_stage,
    write_run_report,
)
from llmflation.validate import ValidationResult

log = logging.getLogger(__name__)


class ValidationRefused(RuntimeError):
    """Validation found errors: nothing was published."""


# Tasks share the run's report object and must run every time: no result caching.
@task(name="capture-live", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def capture_live_task(settings: Settings, report: RunReport, source_ids: list[str] | None) -> RunReport:
    capture_stage(settings, report, source_ids)
    return report


@task(name="backfill-history", cache_policy=NO_CACHE)
def backfill_task(settings: Settings, report: RunReport, source_ids: list[str] | None) -> RunReport:
    """Wayback history since the newest stored capture; listing retries are inside (Retry-After, backoff)."""
    backfill_stage(settings, report, source_ids)
    return report


@task(name="build", cache_policy=NO_CACHE)
def build_task(settings: Settings, report: RunReport) -> BuildResult:
    return build_stage(settings, report)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(report: RunReport, result: BuildResult, settings: Settings) -> ValidationResult:
    return validate_stage(report, result, settings)


@task(name="analyze", cache_policy=NO_CACHE)
def analyze_task(settings: Settings, report: RunReport, result: BuildResult, earlier: ValidationResult) -> ValidationResult:
    return analyze_stage(settings, report, result, earlier)


@task(name="publish", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)
def publish_task(settings: Settings, report: RunReport, validation: ValidationResult, result: BuildResult) -> PublishResult:
    return publish_stage(settings, report, validation, result)


@flow(name="llmflation-nightly", log_prints=False)
def nightly(sources: list[str] | None = None, skip_history: bool = False, capture: bool = True) -> dict:
    """One full run. ``sources`` limits what is fetched; the build always covers the whole store.

    Holds the data folder's run lock throughout: a second run at the same time raises
    ``LockHeld`` naming the holder before touching anything.
    """
    settings = load_settings()
    check_analysis_levels(settings)  # a misspelt level fails here, not after the capture
    with run_lock(settings.state_dir, "llmflation nightly"):
        return _nightly(settings, sources, skip_history, capture)


def _nightly(settings: Settings, sources: list[str] | None, skip_history: bool, capture: bool) -> dict:
    report = RunReport(run_id=new_run_id())
    report.sections["options"] = {"sources": sources, "skip_history": skip_history, "capture": capture}
    if capture:
        capture_live_task(settings, report, sources)
    if capture and not skip_history:
        backfill_task(settings, report, sources)
    result = build_task(settings, report)
    validation = validate_task(report, result, settings)
    if validation.ok:
        validation = analyze_task(settings, report, result, validation)
    if not validation.ok:
        write_run_report(settings, report)
        raise ValidationRefused("validation refused to publish: " + "; ".join(
            f.message for f in validation.findings if f.severity == "error"))
    outcome = publish_task(settings, report, validation, result)
    path = write_run_report(settings, report)
    lines = report.lines() + report.sections.get("backfill", {}).get("lines", []) + validation.lines()
    for line in lines:
        log.info(line)
    log.info("release: %s (report %s)", outcome.reason, path)
    return {
        "run_id": report.run_id,
        "publish": outcome.to_json(),
        "lines": lines,
        "headline": report.sections.get("analysis", {}).get("headline", []),
        "report_path": str(path),
    }
