"""The release sequence (``stages.release``), written once for the CLI and the flow: what runs, in what order,
and what a refused build leaves behind."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from llmflation.config import load_settings
from llmflation.publish import latest_release
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport
from llmflation.sources import get_source
from llmflation.stages import ReleaseSteps, analyze_stage, build_stage, publish_stage, release, validate_stage


def _recording(calls: list[str], returned: dict[str, object] | None = None) -> ReleaseSteps:
    """The real stages, each noting its name when called (and, in ``returned``, what it returned)."""
    def note(name, stage):
        def call(*args, **kwargs):
            calls.append(name)
            result = stage(*args, **kwargs)
            if returned is not None:
                returned[name] = result
            return result
        return call
    return ReleaseSteps(build=note("build", build_stage), validate=note("validate", validate_stage),
                        analyze=note("analyze", analyze_stage), publish=note("publish", publish_stage))


def test_a_refused_build_is_not_analysed_or_published_and_its_report_is_written(data_dir: Path) -> None:
    reference = data_dir / "reference"
    shutil.copytree(reference.resolve(), data_dir / "private-reference")
    reference.unlink()  # a private copy: never write into the repository's reference data
    (data_dir / "private-reference").rename(reference)
    (reference / "allowlist.csv").write_text("date,source,model_key,reason,link\n2026-01-01,openrouter,m0,,\n")
    settings = load_settings()
    calls: list[str] = []
    done = release(settings, RunReport(run_id="20260101T000000Z"), steps=_recording(calls))
    assert calls == ["build", "validate"]
    assert not done.validation.ok and done.published is None
    assert [f.check for f in done.validation.findings if f.severity == "error"] == ["allowlist"]
    assert "cheapest_by_quality" not in done.result.tables
    assert done.report_path.is_file() and latest_release(settings.published_dir) is None


def test_a_release_analyses_a_copy_of_the_build_and_publishes_it(data_dir: Path, corpus_dir: Path) -> None:
    settings = load_settings()
    table = sorted((corpus_dir / "prices" / "litellm").glob("litellm_*.json"))[-1]
    RawStore(settings.raw_dir).put(table.read_bytes(), source_id="litellm", url=get_source("litellm").live_url,
                                   observed_at=datetime(2026, 7, 24, tzinfo=UTC), via="live", status=200,
                                   content_type="application/json")
    returned: dict[str, object] = {}
    unpublished = release(settings, RunReport(run_id="20260725T000000Z"), publish=False,
                          steps=_recording(calls := [], returned))
    assert calls == ["build", "validate", "analyze"] and unpublished.published is None
    assert unpublished.validation.ok and len(unpublished.result.tables["cheapest_by_quality"])
    assert "cheapest_by_quality" not in returned["build"].tables  # the stages returned new results; the build is as it was

    published = release(settings, RunReport(run_id="20260725T000001Z"), steps=_recording(calls := []))
    assert calls == ["build", "validate", "analyze", "publish"]
    assert published.published is not None and latest_release(settings.published_dir).name == "20260725T000001Z"
