"""Epoch AI's benchmarking data: the Capabilities Index (ECI) and Epoch's own benchmark runs.

Epoch publishes both in one download, ``https://epoch.ai/data/benchmark_data.zip`` (CC-BY-4.0),
refreshed daily; one capture of it is one parse. The bundle's members changed over time, so
each CSV member is recognised by its header, not its name:

- **ECI**, two layouts: ``Model version, ECI Score, Release date, Organization, ..., Model name,
  Display name`` (``epoch_capabilities_index.csv``, per model version) and ``Model, Display name,
  eci, eci_ci_low, eci_ci_high, date, Organization, ...`` (``eci_scores.csv``, per model, with
  Epoch's 90% interval). Benchmark ``eci``. Epoch scales every ECI release so that Claude 3.5
  Sonnet (June 2024) is 130 and GPT-5 is 150 (https://epoch.ai/data/eci-documentation/faq);
  a file holding both anchors is on that scale (``benchmarks.ECI_ANCHORED_SCALE``), one without
  them is named by its capture date and compares with nothing else.
- **Epoch's runs**, two layouts: ``benchmarks_runs.csv`` (``task, model, Best score (across
  scorers), started_at, task version``) with ``model_versions.csv`` (``id, Model, Version release
  date, Link``), the bundle of 2024-2025; and one file per benchmark (``gpqa_diamond.csv``:
  ``Model version, mean_score, Best score (across scorers), Release date, Started at``), the
  bundle since late 2025. Scores are fractions, kept as percentages. The benchmark id is the
  task's name in snake case (``GPQA diamond`` -> ``gpqa_diamond``); files ending ``_external``
  hold results Epoch collected from others and are not read (counted as skipped).

Model version ids carry the reasoning effort or thinking budget after an underscore
(``o1-2024-12-17_medium``, ``claude-sonnet-4-5-20250929_59K``): the score's model key is the id
without it, and the effort goes into the setting. Every row is Epoch's own measurement
(``self_reported = False``). Model tables (release date, organization, open weights, Hugging
Face repository) become ``ModelRecord``s for the catalog.
"""

from __future__ import annotations

import re
from datetime import datetime

from llmflation.benchmarks import ECI_ANCHORED_SCALE
from llmflation.parsers.archive import archive_members, is_zip
from llmflation.parsers.csvtable import number, read_csv, utc_datetime
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "1"

#: Where readers find what a score is: Epoch's hub pages.
ECI_PAGE = "https://epoch.ai/benchmarks/eci"
BENCHMARKS_PAGE = "https://epoch.ai/benchmarks"

_EFFORT = re.compile(r"^(?P<model>.+?)_(?P<effort>minimal|low|medium|high|xhigh|max|none|unknown|\d+K)$", re.IGNORECASE)
_OPEN_WEIGHTS = re.compile(r"^open weights", re.IGNORECASE)
_CLOSED = re.compile(r"^(api access|hosted access|unreleased)", re.IGNORECASE)


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    """The bundle (a zip archive), or one of its CSV tables captured on its own."""
    if is_zip(body):
        members = archive_members(body, lambda name: name.lower().endswith(".csv"))
    else:
        members = {capture.url.rsplit("/", 1)[-1] or "table.csv": body}
    tables = {name: read_csv(data) for name, data in members.items()}
    result = ParseResult()
    versions = next((rows for header, rows in tables.values() if _is_versions(header)), [])
    _versions_as_models(versions, result)
    for name, (header, rows) in sorted(tables.items()):
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if "eci" in header and "Model" in header:
            _eci_per_model(rows, capture, result)
        elif "ECI Score" in header and "Model version" in header:
            _eci_per_version(rows, capture, result)
        elif {"task", "model", "Best score (across scorers)"} <= set(header):
            _runs(rows, capture, result)
        elif _is_versions(header):
            continue
        elif stem.endswith("_external"):
            result.skip("external results table (collected by Epoch from others, not its own runs)")
        elif "Model version" in header and ("mean_score" in header or "Best score (across scorers)" in header):
            _benchmark_file(stem, rows, capture, result)
        else:
            result.skip(f"table of another kind ({stem})")
    if not result.scores:
        raise ParseError(f"no ECI or benchmark scores in {len(tables)} table(s): {sorted(tables)[:5]}")
    return result


def _is_versions(header: list[str]) -> bool:
    return {"id", "Model", "Version release date"} <= set(header)


def _eci_setting(named_scores: list[tuple[str, float]], capture: CaptureMeta) -> str:
    """The anchored scale when the table holds both anchors at their values, else this capture's own."""
    keys = [(_key(name), score) for name, score in named_scores]
    sonnet = any(k.startswith("claude-3-5-sonnet") and s == 130 for k, s in keys)
    gpt5 = any((k == "gpt-5" or k.startswith("gpt-5-2025-08-07")) and s == 150 for k, s in keys)
    if sonnet and gpt5:
        return ECI_ANCHORED_SCALE
    return f"ECI captured {capture.observed_at:%Y-%m-%d}, anchors not found"


def _eci_per_model(rows: list[dict[str, str]], capture: CaptureMeta, result: ParseResult) -> None:
    scored = [(row, number(row.get("eci", ""))) for row in rows]
    setting = _eci_setting([(row["Model"], s) for row, s in scored if s is not None], capture)
    for row, score in scored:
        name = row.get("Model", "")
        if not name or score is None:
            result.skip("ECI row without a model or a score")
            continue
        result.scores.append(ScoreRecord(
            model_key=name, benchmark="eci", score=score, setting=setting, self_reported=False,
            source_url=ECI_PAGE, reported_at=capture.observed_at,
            ci90_low=number(row.get("eci_ci_low", "")), ci90_high=number(row.get("eci_ci_high", "")),
        ))
        result.models.append(ModelRecord(
            model_key=name, name=row.get("Display name") or name, creator=row.get("Organization") or None,
            release_date=_date(row.get("date", "")), open_weights=_open_weights(row.get("Model accessibility", "")),
        ))


def _eci_per_version(rows: list[dict[str, str]], capture: CaptureMeta, result: ParseResult) -> None:
    scored = [(row, number(row.get("ECI Score", ""))) for row in rows]
    setting = _eci_setting([(row["Model version"], s) for row, s in scored if s is not None], capture)
    for row, score in scored:
        version = row.get("Model version", "")
        if not version:
            result.skip("ECI row without a model version")
            continue
        model, effort = _split_effort(version)
        result.models.append(ModelRecord(
            model_key=version, name=row.get("Display name") or row.get("Model name") or None,
            creator=row.get("Organization") or None, family=row.get("Model name") or None,
            release_date=_date(row.get("Release date", "")), open_weights=_open_weights(row.get("Model accessibility", "")),
        ))
        if score is None:
            result.skip("model version without an ECI score")
            continue
        result.scores.append(ScoreRecord(
            model_key=model, benchmark="eci", score=score,
            setting=setting if effort is None else f"{setting}; effort {effort}",
            self_reported=False, source_url=ECI_PAGE, reported_at=capture.observed_at,
        ))


def _runs(rows: list[dict[str, str]], capture: CaptureMeta, result: ParseResult) -> None:
    """``benchmarks_runs.csv``: one row per run of a task on a model version."""
    for row in rows:
        score = number(row.get("Best score (across scorers)", ""))
        version, task = row.get("model", ""), row.get("task", "")
        if not version or not task or score is None or not 0 <= score <= 1:
            result.skip("run without a model, a task or a score between 0 and 1")
            continue
        if row.get("Status", "Success") not in ("Success", ""):
            result.skip("run that did not succeed")
            continue
        model, effort = _split_effort(version)
        setting = f"Epoch AI run, task version {row.get('task version') or 'unstated'}"
        result.scores.append(ScoreRecord(
            model_key=model, benchmark=benchmark_id(task), score=round(score * 100, 6),
            setting=setting if effort is None else f"{setting}; effort {effort}", self_reported=False,
            source_url=row.get("log viewer") or BENCHMARKS_PAGE,
            reported_at=_started(row.get("started_at", "")) or capture.observed_at,
        ))


def _benchmark_file(stem: str, rows: list[dict[str, str]], capture: CaptureMeta, result: ParseResult) -> None:
    """A per-benchmark file of Epoch's own runs (``gpqa_diamond.csv``), the bundle's layout since late 2025."""
    benchmark = benchmark_id(stem)
    for row in rows:
        version = row.get("Model version", "")
        score = number(row.get("mean_score", "")) if row.get("mean_score") else number(row.get("Best score (across scorers)", ""))
        if not version or score is None or not 0 <= score <= 1:
            result.skip("run without a model version or a score between 0 and 1")
            continue
        model, effort = _split_effort(version)
        result.scores.append(ScoreRecord(
            model_key=model, benchmark=benchmark, score=round(score * 100, 6),
            setting="Epoch AI run" if effort is None else f"Epoch AI run; effort {effort}", self_reported=False,
            source_url=BENCHMARKS_PAGE,
            reported_at=_started(row.get("Started at", "")) or capture.observed_at,
        ))
        result.models.append(ModelRecord(
            model_key=version, creator=row.get("Organization") or None, release_date=_date(row.get("Release date", "")),
        ))


def _versions_as_models(rows: list[dict[str, str]], result: ParseResult) -> None:
    """``model_versions.csv``: what Epoch states about each model version."""
    for row in rows:
        version = row.get("id", "")
        if not version:
            continue
        link = row.get("Link", "")
        hub = link.removeprefix("https://huggingface.co/") if link.startswith("https://huggingface.co/") else None
        result.models.append(ModelRecord(
            model_key=version, name=row.get("Unique display name") or row.get("Display name") or None,
            family=row.get("Model") or None, release_date=_date(row.get("Version release date", "")),
            hugging_face_id=hub if hub and hub.count("/") == 1 else None,
        ))


def benchmark_id(task: str) -> str:
    """``GPQA diamond`` -> ``gpqa_diamond``; ``OTIS Mock AIME 2024-2025`` -> ``otis_mock_aime_2024_2025``."""
    return re.sub(r"[^a-z0-9]+", "_", task.lower()).strip("_")


def _split_effort(version: str) -> tuple[str, str | None]:
    """``o1-2024-12-17_medium`` -> (``o1-2024-12-17``, ``medium``); ids without an effort stay whole."""
    found = _EFFORT.match(version)
    return (found["model"], found["effort"]) if found else (version, None)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _open_weights(accessibility: str) -> bool | None:
    if _OPEN_WEIGHTS.match(accessibility):
        return True
    if _CLOSED.match(accessibility):
        return False
    return None


def _date(text: str) -> datetime | None:
    return utc_datetime(text.strip()) if text else None


def _started(text: str) -> datetime | None:
    """``17 November 2025 4:28pm`` (the old runs table) or an ISO timestamp (the per-benchmark files)."""
    text = text.strip()
    if not text:
        return None
    iso = utc_datetime(text)
    if iso is not None:
        return iso
    try:
        return utc_datetime(datetime.strptime(text, "%d %B %Y %I:%M%p").isoformat())
    except ValueError:
        return None
