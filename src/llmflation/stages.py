"""The stages of a run as plain functions: the Prefect flow and the CLI both call these.

Each takes the settings and the run's report, does one job, and records what happened.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from llmflation.backfill import BackfillResult, backfill
from llmflation.build import BuildResult, analyze, build
from llmflation.capture import CaptureError, capture_live
from llmflation.config import Settings
from llmflation.analysis_drift import check_analysis, previous_configuration
from llmflation.publish import PublishResult, latest_release, publish, read_latest_table
from llmflation.publish_target import TargetError
from llmflation.rawstore import write_atomic
from llmflation.report import RunReport
from llmflation.scores import chosen_scores
from llmflation.sources import select_sources
from llmflation.validate import AllowlistError, Finding, ValidationResult, check_tables, load_allowlist, validate

log = logging.getLogger(__name__)


def run_dir(settings: Settings, report: RunReport) -> Path:
    """Where a run keeps its crawl feeds, crawl logs and report."""
    return settings.state_dir / "runs" / report.run_id


def capture_stage(settings: Settings, report: RunReport, source_ids: list[str] | None) -> None:
    """Fetch every selected source's current address; one report line per source, never fatal per source."""
    sources = select_sources(source_ids)
    ids = [s.id for s in sources]
    try:
        results = capture_live(settings, ids, run_dir(settings, report))
    except CaptureError as exc:
        log.error("capture could not run: %s", exc)
        for sid in ids:
            entry = report.source(sid)
            entry.capture_status, entry.capture_summary = "failed", f"{sid}: crawl did not run: {exc}"
        return
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

    ``how``: the keyword options of :func:`llmflation.backfill.backfill` (step, strategy, dry_run, announce).
    """
    result = backfill(settings, source_ids, run_dir(settings, report), since, until, **how)
    report.sections["backfill"] = {**result.to_json(), "lines": result.lines()}
    return result


def build_stage(settings: Settings, report: RunReport, source_ids: list[str] | None = None,
                full: bool = False) -> BuildResult:
    """Parse what is new in the raw store and assemble the tables (all sources: a release is always complete).

    ``full`` rebuilds the build state from the raw store first (``llmflation build --full``).
    """
    return build(settings, report, source_ids, full=full)


def validate_stage(report: RunReport, result: BuildResult, settings: Settings | None = None) -> ValidationResult:
    """Hold out suspect rows and check every table; ``result.tables`` become the validated ones.

    With ``settings``: against the last release's prices (drift) and with the allowlist.
    """
    previous: dict = {}
    allowlist: list = []
    problems: list[Finding] = []
    if settings is not None:
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
    result.tables = validation.tables
    return validation


def analyze_stage(settings: Settings, report: RunReport, result: BuildResult,
                  earlier: ValidationResult | None = None) -> ValidationResult:
    """The analysis tables and chart from the validated prices, then every table's schema and keys checked.

    The row checks ran on the prices already (``validate_stage``); running them again here,
    without the allowlist, would take out rows the analysis was computed from. ``earlier``
    findings (held-out rows, drift) are kept in the result and the report, with the analysis
    gate's (unreached levels, an empty analysis, levels or months the last release had and this lacks).
    """
    analyze(settings, report, result)
    validation = check_tables(result.tables, [*(earlier.findings if earlier else ()), *analysis_findings(settings, result)])
    report.sections["validation"] = validation.to_json()
    return validation


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


def publish_stage(settings: Settings, report: RunReport, validation: ValidationResult,
                  result: BuildResult | None = None) -> PublishResult:
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
            extra_files=result.extra_files if result else None,
            metadata={**release_metadata(), "analysis": settings.analysis.recorded()},  # compared by the next release
            target=settings.publish_target,
            target_options=settings.publish_storage_options,
        )
    except TargetError as exc:
        report.sections["publish"] = {"target_error": str(exc)}
        raise
    report.sections["publish"] = outcome.to_json()
    return outcome


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
