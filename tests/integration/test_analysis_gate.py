"""A release never loses its analysis: built offline from the curated data, as ``make run`` does on a fresh clone."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from llmflation.benchmarks import DEFAULT_LEVELS

from tests.conftest import REPO_ROOT
from tests.support.cli import cli_env, run_cli

pytestmark = pytest.mark.integration


def _config(folder: Path, text: str) -> Path:
    path = folder / "llmflation.toml"
    path.write_text(text)
    return path


def test_a_first_release_whose_only_level_no_model_reaches_is_not_published(data_dir: Path, tmp_path: Path) -> None:
    config = _config(tmp_path, '[analysis]\nlevels = [{benchmark = "mmlu", threshold = 99}]\n')
    done = run_cli(["build"], cli_env(data_dir, config))
    assert done.returncode == 1, done.stderr[-3000:]
    assert "validation unreached_level: warning: MMLU \u2265 99: no priced model reaches this level" in done.stdout
    assert "validation empty_analysis: error:" in done.stdout
    assert not (data_dir / "published" / "latest").exists()


def _scores_capped_below(reference: Path, minimum: float) -> Path:
    """A copy of the curated tables where every MMLU score of ``minimum`` or more reads 82: the models
    still reach MMLU 42 as before, and none reaches ``minimum``."""
    copy = reference.parent / "reference-copy"
    shutil.copytree(REPO_ROOT / "data" / "reference", copy)
    text = (copy / "scores.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    kept = [{**r, "score": "82"} if r["benchmark"] == "mmlu" and float(r["score"]) >= minimum else r for r in rows]
    assert kept != rows
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    (copy / "scores.csv").write_text(out.getvalue(), encoding="utf-8")
    return copy


def test_a_later_release_that_lost_a_level_is_refused_unless_the_configuration_dropped_it(data_dir: Path, tmp_path: Path) -> None:
    first = run_cli(["build"], cli_env(data_dir))
    assert first.returncode == 0, first.stderr[-3000:]
    latest = (data_dir / "published" / "latest").resolve()
    recorded = json.loads((latest / "datapackage.json").read_text())["analysis"]
    assert recorded["levels"] == [{"benchmark": level.benchmark, "threshold": float(level.threshold)} for level in DEFAULT_LEVELS]

    # The data loses every model at MMLU >= 83 (a score source gone): the level is lost, not published.
    reference = _scores_capped_below(tmp_path / "ref", 83.0)
    config = _config(tmp_path, f'[reference]\ndir = "{reference}"\n')
    lost = run_cli(["build"], cli_env(data_dir, config))
    assert lost.returncode == 1, lost.stderr[-3000:]
    assert re.search(r"validation analysis_drift: error: MMLU \u2265 83 \(1:1 blend\): lost all \d+ months the last release had",
                     lost.stdout), lost.stdout[-3000:]
    assert (data_dir / "published" / "latest").resolve() == latest

    # The configuration drops that level on purpose and asks for one nobody reaches: both said, then published.
    config = _config(tmp_path, f'[reference]\ndir = "{reference}"\n'
                               '[analysis]\nlevels = [{benchmark = "mmlu", threshold = 42}, {benchmark = "mmlu", threshold = 99}]\n')
    dropped = run_cli(["build"], cli_env(data_dir, config))
    assert dropped.returncode == 0, dropped.stdout[-3000:] + dropped.stderr[-3000:]
    assert "validation analysis_drift: warning: MMLU \u2265 83 (1:1 blend): no longer configured in [analysis]" in dropped.stdout
    assert "validation unreached_level: warning: MMLU \u2265 99: no priced model reaches this level" in dropped.stdout
    published = (data_dir / "published" / "latest").resolve()
    assert published != latest
    report = json.loads((published / "run_report.json").read_text())
    assert {f["check"] for f in report["validation"]["findings"]} >= {"analysis_drift", "unreached_level"}
