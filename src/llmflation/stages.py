"""The stages of a run as plain functions, and the release sequence (:func:`release`) written once.

Each stage takes the settings, the run's report and its inputs, does one job, records what
happened in the report and returns its result; none changes its inputs. The CLI calls
:func:`release` with the functions themselves, the Prefect flow with its tasks around them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from llmflation.fetch.backfill import BackfillResult, backfill
from llmflation.build import BuildResult, analyze, build
from llmflation.fetch.capture import CaptureError, capture_live
from llmflation.config import Settings
from llmflation.analysis_drift import check_analysis, previous_configuration
from llmflation.publish import PublishResult, latest_release, publish, read_latest_table
from llmflation.publish_target import TargetError
from llmflation.fetch.rawstore import write_atomic
from llmflation.report import RunReport
from llmflation.scores import chosen_scores
from llmflation.sources import select_sources
from llmflation.validate import AllowlistError, Finding, ValidationResult, check_tables, load_allowlist, validate

log = logging.getLogger(__name__)


def run_dir(settings: Settings, report: RunReport) -> Path:
    """Where a run keeps its crawl feeds, crawl logs and report."""
    return settings.state_dir / "runs" / report.run_id


def capture_stage(settings: Settings, report: RunReport, source_ids: list[str] | None) -> None:
    """Fetch every selected source's current address; one report line per source, never fatal per source.

    Raises ``CaptureError`` when the crawl could not run at all (no source was tried), after
    marking every selected source failed in the report: the flow's task retries it (a later
    attempt that runs overwrites those lines), and the caller decides whether the run goes on.
    """
    sources = select_sources(source_ids)
    ids = [s.id for s in sources]
    try:
        results = capture_live(settings, ids, run_dir(settings, report))
    except CaptureError as exc:
        log.error("capture could not run: %s", exc)
        for sid in ids:
            entry = report.source(sid)
            entry.capture_status, entry.capture_summary = "failed", f"{sid}: crawl did not run: {exc}"
        raise
    for sid, result in results.items():
        entry = report.source(sid)
        entry.capture_summary = result.summary()
        entry.capture_errors = list(result.errors)
        if result.ok:
            entry.capture_status = "ok"
        elif result.skipped and not result.stored and not result.errors:
            entry.capture_status = "skipped"
        else:
            entry.capture_status = "failed"


def backfill_stage(
    settings: Settings,
    report: RunReport,
    source_ids: list[str] | None,
    since: date | None = None,
    until: date | None = None,
    **how: Any,
) -> BackfillResult:
    """Fetch the archived history of every selected source; recorded in the report's ``backfill`` section.

    ``how``: the keyword options of :func:`llmflation.fetch.backfill.backfill` (step, strategy, dry_run, announce).
    """
    result = backfill(settings, source_ids, run_dir(settings, report), since, until, **how)
    report.sections["backfill"] = {**result.to_json(), "lines": result.lines()}
    return result


def build_stage(settings: Settings, report: RunReport, source_ids: list[str] | None = None, *,
                full: bool = False) -> BuildResult:
    """Parse what is new in the raw store and assemble the tables (all sources: a release is always complete).

    ``full`` rebuilds the build state from the raw store first (``llmflation build --full``).
    """
    return build(settings, report, source_ids, full=full)


def validate_stage(settings: Settings, report: RunReport, result: BuildResult) -> ValidationResult:
    """Hold out suspect rows and check every table, against the last release's prices (drift) and with
    the allowlist; the validated tables are the result's ``tables`` (``result`` itself is not changed)."""
    previous: dict = {}
    allowlist: list = []
    problems: list[Finding] = []
    last_prices = read_latest_table(settings.published_dir, "prices")
    if last_prices is not None:
        previous["prices"] = last_prices
    try:
        allowlist = load_allowlist(settings.reference_dir / "allowlist.csv")
    except AllowlistError as exc:
        problems.append(Finding("allowlist", "error", "allowlist", str(exc)))
    validation = validate(result.tables, previous=previous, allowlist=allowlist)
    validation.findings[:0] = problems
    report.sections["validation"] = validation.to_json()
    report.sections["source_agreement"] = validation.source_agreement
    return validation


def analyze_stage(settings: Settings, report: RunReport, result: BuildResult,
                  earlier: ValidationResult) -> tuple[BuildResult, ValidationResult]:
    """The analysis tables and chart from the validated prices, then every table's schema and keys checked.

    Returns the build with ``earlier``'s validated tables and the analysis added (``result`` is not
    changed), and the validation of all of them. The row checks ran on the prices already
    (``validate_stage``); running them again here, without the allowlist, would take out rows the
    analysis was computed from. ``earlier`` findings (held-out rows, drift) are kept in the result
    and the report, with the analysis gate's (unreached levels, an empty analysis, levels or months
    the last release had and this lacks).
    """
    analyzed = replace(result, tables=dict(earlier.tables), extra_files=dict(result.extra_files))
    analyze(settings, report, analyzed)
    validation = check_tables(analyzed.tables, [*earlier.findings, *analysis_findings(settings, analyzed)],
                              checked=earlier.checked)
    report.sections["validation"] = validation.to_json()
    return analyzed, validation


def analysis_findings(settings: Settings, result: BuildResult) -> list[Finding]:
    """The analysis gate (:mod:`llmflation.analysis_drift`) against the release ``latest`` points at."""
    release = latest_release(settings.published_dir)
    try:
        allowlist = load_allowlist(settings.reference_dir / "allowlist.csv")
    except AllowlistError:
        allowlist = []  # validate_stage has already refused the run for it
    findings = check_analysis(
        result.tables["cheapest_by_quality"], chosen_scores(result.tables["scores"]), settings.analysis,
        previous=read_latest_table(settings.published_dir, "cheapest_by_quality"),
        previous_config=previous_configuration(release), previous_version=release.name if release else None,
        allowlist=allowlist,
    )
    for finding in findings:
        log.log(logging.ERROR if finding.severity == "error" else logging.WARNING, "validation %s (%s): %s",
                finding.check, finding.severity, finding.message)
    return findings


def publish_stage(settings: Settings, report: RunReport, result: BuildResult,
                  validation: ValidationResult) -> PublishResult:
    """Publish the validated tables (and the build's chart) as release ``report.run_id``.

    Unchanged content is not republished.
    """
    report.finished_at = datetime.now(UTC)
    try:
        outcome = publish(
            settings.published_dir,
            report.run_id,
            validation.tables,
            report.to_json(),
            extra_files=result.extra_files,
            metadata={**release_metadata(), "analysis": settings.analysis.recorded()},  # compared by the next release
            target=settings.publish_target,
            target_options=settings.publish_storage_options,
        )
    except TargetError as exc:
        report.sections["publish"] = {"target_error": str(exc)}
        raise
    report.sections["publish"] = outcome.to_json()
    return outcome


@dataclass(frozen=True)
class ReleaseSteps:
    """How :func:`release` calls each stage: the plain functions (the CLI), or the flow's Prefect tasks
    wrapping them (the same signatures), so that the sequence itself is written once."""

    build: Callable[..., BuildResult] = build_stage
    validate: Callable[[Settings, RunReport, BuildResult], ValidationResult] = validate_stage
    analyze: Callable[[Settings, RunReport, BuildResult, ValidationResult], tuple[BuildResult, ValidationResult]] = analyze_stage
    publish: Callable[[Settings, RunReport, BuildResult, ValidationResult], PublishResult] = publish_stage


@dataclass(frozen=True)
class Release:
    """What one build -> validate -> analyze -> publish produced. ``published`` is None when validation
    refused (``validation.ok`` is false) or publishing was not asked for."""

    result: BuildResult
    validation: ValidationResult
    published: PublishResult | None
    report_path: Path


def release(settings: Settings, report: RunReport, *, full: bool = False, publish: bool = True,
            steps: ReleaseSteps = ReleaseSteps()) -> Release:
    """Build the release from the raw store, validate it, analyse it and publish it: the one sequence of a run.

    The analysis runs only on a build that validated; nothing is published from a refused one (the
    last good release stays ``latest``). The run's report is written in every case. ``full``
    rebuilds the build state from the raw store first; ``publish=False`` stops after the analysis.
    """
    result = steps.build(settings, report, full=full)
    validation = steps.validate(settings, report, result)
    if validation.ok:
        result, validation = steps.analyze(settings, report, result, validation)
    published = steps.publish(settings, report, result, validation) if validation.ok and publish else None
    return Release(result, validation, published, write_run_report(settings, report))


def write_run_report(settings: Settings, report: RunReport) -> Path:
    """The run's own copy of its report, kept whether or not a release was made."""
    path = run_dir(settings, report) / "run_report.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    report.finished_at = report.finished_at or datetime.now(UTC)
    write_atomic(path, report.dumps().encode("utf-8"))
    return path


def release_metadata() -> dict[str, object]:
    """The project's licence (for our own tables), and every source with its licence and the attribution
    its terms require, for ``datapackage.json``, from the registry."""
    from importlib.metadata import metadata

    from llmflation.sources import SOURCES

    project_licence = metadata("llmflation").get_all("License", ["Apache-2.0"])[0] or "Apache-2.0"
    return {
        "licenses": [{"name": project_licence, "title": f"{project_licence} (the tables this project computes)",
                      "path": f"https://spdx.org/licenses/{project_licence}.html"}],
        "sources": [
            {"title": source.id, "path": source.live_url, "licence": source.licence or f"see {source.live_url}",
             **({"attribution": source.attribution} if source.attribution else {})}
            for source in SOURCES
        ],
    }
