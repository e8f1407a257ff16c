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

from llmflation.config import Settings, load_settings
from llmflation.preflight import check_analysis_levels
from llmflation.report import RunReport, new_run_id
from llmflation.runlock import run_lock
from llmflation.stages import (
    ReleaseSteps,
    analyze_stage,
    backfill_stage,
    build_stage,
    capture_stage,
    publish_stage,
    release,
    validate_stage,
)

log = logging.getLogger(__name__)


class ValidationRefused(RuntimeError):
    """Validation found errors: nothing was published."""


# Every task has a side effect that must happen every night (a fetch, a build of what is new in the
# raw store, a release): none may be skipped because its arguments look like yesterday's, so no
# result caching. The run's report is a log the stages append to, passed to each.
@task(name="capture-live", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE)
def capture_live_task(settings: Settings, report: RunReport, source_ids: list[str] | None) -> None:
    """Retried when the crawl could not run at all; a source that failed inside a crawl is a report line."""
    capture_stage(settings, report, source_ids)


@task(name="backfill-history", cache_policy=NO_CACHE)
def backfill_task(settings: Settings, report: RunReport, source_ids: list[str] | None) -> None:
    """Wayback history since the newest stored capture; listing retries are inside (Retry-After, backoff)."""
    backfill_stage(settings, report, source_ids)


#: The release sequence (``stages.release``) with each stage as a task of this flow.
RELEASE_TASKS = ReleaseSteps(
    build=task(name="build", cache_policy=NO_CACHE)(build_stage),
    validate=task(name="validate", cache_policy=NO_CACHE)(validate_stage),
    analyze=task(name="analyze", cache_policy=NO_CACHE)(analyze_stage),
    publish=task(name="publish", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)(publish_stage),
)


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
        state = capture_live_task(settings, report, sources, return_state=True)
        if state.is_failed():  # after its retries: the report says why; the stored history still builds
            log.error("capture failed after retries: %s", state.message)
    if capture and not skip_history:
        backfill_task(settings, report, sources)
    done = release(settings, report, steps=RELEASE_TASKS)
    if not done.validation.ok:
        raise ValidationRefused("validation refused to publish: " + "; ".join(
            f.message for f in done.validation.findings if f.severity == "error"))
    assert done.published is not None
    lines = report.lines() + report.sections.get("backfill", {}).get("lines", []) + done.validation.lines()
    for line in lines:
        log.info(line)
    log.info("release: %s (report %s)", done.published.reason, done.report_path)
    return {
        "run_id": report.run_id,
        "publish": done.published.to_json(),
        "lines": lines,
        "headline": report.sections.get("analysis", {}).get("headline", []),
        "report_path": str(done.report_path),
    }
