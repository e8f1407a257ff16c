"""llm-stats.com data: the JonathanChavezTamales/llm-leaderboard repository, captured as one zip archive.

The repository keeps one folder per model, with the benchmark scores its creator published and
the link each was taken from. Two layouts (the archive's top folder, ``llm-leaderboard-main/``,
is ignored):

- to early 2025: ``data/models/<org>/<model>/model.json``, the scores inline as
  ``qualitative_metrics[]`` of ``{dataset_name, score, is_self_reported, analysis_method,
  date_recorded, source_link}``.
- since: ``data/organizations/<org>/models/<model>/benchmarks.json``, an array of
  ``{benchmark_id, model_id, score, is_self_reported, self_reported_source_link, analysis_method,
  created_at}``, with each benchmark's ``max_score`` in ``data/benchmarks/<benchmark_id>.json``
  and the model's ``announcement_date`` / ``release_date`` in ``model.json`` beside it.

Scores on a 0-1 scale become percentages; ratings on other scales (Codeforces) are kept as
stated. The model key is llm-stats' own model id (``qwen-2.5-72b-instruct``). Benchmark names are
mapped to the project's ids where they mean the same test (``MMLU-Pro`` -> ``mmlu_pro``; ``GPQA``
-> ``gpqa_diamond`` only when the method says Diamond); any other name becomes a lowercase id
with underscores, so nothing is dropped.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeGuard

from llmflation.parsers.archive import archive_members
from llmflation.parsers.common import load_json
from llmflation.parsers.csvtable import utc_datetime
from llmflation.records import CaptureMeta, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "1"

#: Bounds on the archive: the real repository is a few MB in a few thousand files.

#: llm-stats benchmark ids and display names (normalized by ``_slug``) -> the project's ids.
BENCHMARK_IDS: dict[str, str] = {
    "mmlu": "mmlu",
    "mmlu_pro": "mmlu_pro",
    "gpqa": "gpqa",
    "gpqa_diamond": "gpqa_diamond",
    "arc": "arc",
    "arc_c": "arc",
    "arc_challenge": "arc",
    "ai2_reasoning_challenge_arc": "arc",
    "hellaswag": "hellaswag",
    "truthfulqa": "truthfulqa",
    "winogrande": "winogrande",
    "gsm8k": "gsm8k",
    "gsm_8k": "gsm8k",
    "ifeval": "ifeval",
    "bbh": "bbh",
    "big_bench_hard": "bbh",
    "musr": "musr",
    "math": "math",
    "math_500": "math_500",
    "humaneval": "humaneval",
}

_NEW_LAYOUT = re.compile(r"(?:^|/)data/organizations/[^/]+/models/(?P<model>[^/]+)/benchmarks\.json$")
_OLD_LAYOUT = re.compile(r"(?:^|/)data/models/[^/]+/(?P<model>[^/]+)/model\.json$")
_BENCHMARK_DEF = re.compile(r"(?:^|/)data/benchmarks/(?P<id>[^/]+)\.json$")


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    files = _archive_files(body)
    max_scores = _max_scores(files)
    result = ParseResult()
    n_models = 0
    for path in sorted(files):
        if (match := _NEW_LAYOUT.search(path)) is not None:
            n_models += 1
            model_doc = _json(files, path.rsplit("/", 1)[0] + "/model.json", required=False)
            _read_benchmarks(match["model"], _json(files, path), model_doc, max_scores, capture, result)
        elif (match := _OLD_LAYOUT.search(path)) is not None:
            n_models += 1
            _read_inline(match["model"], _json(files, path), capture, result)
    if n_models == 0:
        raise ParseError("archive holds no llm-stats model folders (data/models/ or data/organizations/)")
    if not result.scores:
        raise ParseError(f"no benchmark scores in {n_models} model folders")
    return result


def _archive_files(body: bytes) -> dict[str, bytes]:
    """The archive's JSON files under ``data/``, by path, with sizes bounded."""
    return archive_members(body, lambda name: name.endswith(".json") and "/data/" in f"/{name}")


def _json(files: dict[str, bytes], path: str, required: bool = True) -> Any:
    if path not in files:
        if required:
            raise ParseError(f"{path}: missing from the archive")
        return None
    try:
        return load_json(files[path])
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}") from exc


def _max_scores(files: dict[str, bytes]) -> dict[str, float]:
    """``data/benchmarks/<id>.json`` -> max_score, for the layouts that have them."""
    scores: dict[str, float] = {}
    for path in files:
        if (match := _BENCHMARK_DEF.search(path)) is None:
            continue
        doc = _json(files, path)
        value = doc.get("max_score") if isinstance(doc, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            scores[match["id"]] = float(value)
    return scores


def _read_benchmarks(
    model: str,
    doc: Any,
    model_doc: Any,
    max_scores: dict[str, float],
    capture: CaptureMeta,
    result: ParseResult,
) -> None:
    if not isinstance(doc, list):
        raise ParseError(f"{model}/benchmarks.json: expected an array of results")
    announced = None
    if isinstance(model_doc, dict):
        announced = _date(model_doc.get("announcement_date")) or _date(model_doc.get("release_date"))
    for entry in doc:
        if not isinstance(entry, dict) or not isinstance(entry.get("benchmark_id"), str):
            result.skip("result without a benchmark_id")
            continue
        raw = entry.get("score")
        if not _is_number(raw):
            result.skip("score is not a number")
            continue
        score = _percent(float(raw), max_scores.get(entry["benchmark_id"]))
        reported_at = announced or _date(entry.get("created_at")) or capture.observed_at
        link = entry.get("self_reported_source_link")
        _add(result, str(entry.get("model_id") or model), entry["benchmark_id"], score, entry, link, reported_at, capture)


def _read_inline(model: str, doc: Any, capture: CaptureMeta, result: ParseResult) -> None:
    if not isinstance(doc, dict):
        raise ParseError(f"{model}/model.json: expected an object")
    metrics = doc.get("qualitative_metrics") or []
    if not isinstance(metrics, list):
        raise ParseError(f"{model}/model.json: qualitative_metrics is not a list")
    released = _date(doc.get("release_date"))
    for entry in metrics:
        if not isinstance(entry, dict) or not isinstance(entry.get("dataset_name"), str):
            result.skip("result without a dataset_name")
            continue
        raw = entry.get("score")
        if not _is_number(raw):
            result.skip("score is not a number")
            continue
        reported_at = _date(entry.get("date_recorded")) or released or capture.observed_at
        score = _percent(float(raw), None)
        _add(result, model, entry["dataset_name"], score, entry, entry.get("source_link"), reported_at, capture)


def _add(
    result: ParseResult,
    model_key: str,
    benchmark: str,
    score: float | None,
    entry: dict[str, Any],
    link: object,
    reported_at: datetime,
    capture: CaptureMeta,
) -> None:
    """One score record from one llm-stats result (either layout), or a counted skip."""
    if score is None:
        result.skip("score outside its scale")
        return
    method = entry.get("analysis_method") if isinstance(entry.get("analysis_method"), str) else None
    self_reported = entry.get("is_self_reported")
    result.scores.append(
        ScoreRecord(
            model_key=model_key,
            benchmark=benchmark_id(benchmark, method),
            score=score,
            setting=method,
            self_reported=self_reported if isinstance(self_reported, bool) else None,
            source_url=link if isinstance(link, str) and link.startswith("http") else capture.url,
            reported_at=reported_at,
        )
    )


def benchmark_id(name: str, method: str | None) -> str:
    """The project's benchmark id for an llm-stats benchmark id or display name."""
    slug = _slug(name)
    mapped = BENCHMARK_IDS.get(slug, slug)
    if mapped == "gpqa" and method and "diamond" in method.lower():
        return "gpqa_diamond"
    return mapped


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _percent(score: float, max_score: float | None) -> float | None:
    """A 0-1 score as a percentage; a score on another stated scale as is; ``None`` if out of scale.

    Without a stated scale (the old layout) a score within 0-1 is a fraction, as llm-stats
    writes percentages; anything larger is a rating on its own scale.
    """
    if score < 0:
        return None
    if max_score is None:
        return round(score * 100, 6) if score <= 1 else score
    if score > max_score:
        return None
    return round(score * 100, 6) if max_score == 1 else score


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _date(value: object) -> datetime | None:
    return utc_datetime(value) if isinstance(value, str) else None
