"""Artificial Analysis data API v2, ``GET https://artificialanalysis.ai/api/v2/data/llms/models``.

The response is ``{"tier", "intelligence_index_version", "pagination": {page, page_size,
total_pages, has_more}, "data": [model, ...]}`` (the free tier of 2026; earlier responses had
``status`` and no version). Each model has ``id`` (stable), ``name``, ``slug``,
``release_date``, ``model_creator {id, name}``, ``evaluations {...}``, ``pricing {...}`` and
speed figures. In ``evaluations`` the composite indexes (``artificial_analysis_intelligence_index``,
``..._coding_index``, ``..._agentic_index``) are on a 0-100 scale and single benchmarks
(``mmlu_pro``, ``gpqa``, ``hle``...) are fractions; ``null`` means not evaluated.

Artificial Analysis re-weights its indexes with each **index version** (v4.1 in mid 2026), so an
index score's setting names the version (``Intelligence Index v4.1``) and scores of different
versions never compare (``llmflation.benchmarks``); a response that states no version gets a
setting of its own capture date. Single benchmarks are run by Artificial Analysis's own method.

Artificial Analysis runs every evaluation itself (``self_reported = False``). Its ``gpqa`` is
GPQA Diamond. The model key is the slug (``gpt-4o``), which is close to the names other sources
use. Prices in the response are not read: they are Artificial Analysis's summary of other
providers' prices, not a provider's own. A response that is one page of several says so in the
skipped counts (later pages are not requested). Each model also becomes a ``ModelRecord``
(name, creator, release date). Attribution is required for any use of this data (see
``llmflation.sources.ARTIFICIAL_ANALYSIS_ATTRIBUTION``).
"""

from __future__ import annotations

from datetime import datetime

from llmflation.parsers.common import load_json
from llmflation.parsers.csvtable import utc_datetime
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "2"

#: Evaluation keys -> the project's benchmark ids. Keys not listed are kept under their own name.
BENCHMARK_IDS: dict[str, str] = {
    "mmlu_pro": "mmlu_pro",
    "gpqa": "gpqa_diamond",
    "math_500": "math_500",
    "aime": "aime_2024",
    "artificial_analysis_intelligence_index": "aa_intelligence_index",
    "artificial_analysis_coding_index": "aa_coding_index",
    "artificial_analysis_math_index": "aa_math_index",
    "artificial_analysis_agentic_index": "aa_agentic_index",
}

MODEL_PAGE = "https://artificialanalysis.ai/models/{slug}"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("expected an object with a 'data' list of models")
    result = ParseResult()
    index_setting = _index_setting(doc.get("intelligence_index_version"), capture)
    pages = doc.get("pagination")
    if isinstance(pages, dict) and pages.get("has_more"):
        result.skip(f"response is page {pages.get('page')} of {pages.get('total_pages')}; later pages not requested")
    for entry in doc["data"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug") or entry.get("name"), str):
            result.skip("model without a slug or name")
            continue
        evaluations = entry.get("evaluations")
        if not isinstance(evaluations, dict):
            result.skip("model without evaluations")
            continue
        key = entry.get("slug") or entry["name"]
        creator = entry.get("model_creator")
        result.models.append(ModelRecord(
            model_key=key, name=entry.get("name") if isinstance(entry.get("name"), str) else None,
            creator=creator.get("name") if isinstance(creator, dict) and isinstance(creator.get("name"), str) else None,
            release_date=utc_datetime(entry["release_date"]) if isinstance(entry.get("release_date"), str) else None,
        ))
        append_scores(result, key, evaluations, index_setting, capture.observed_at)
    if not result.scores:
        raise ParseError(f"no evaluations among {len(doc['data'])} models")
    return result


def append_scores(result: ParseResult, key: str, evaluations: dict[str, object], index_setting: str,
                  reported_at: datetime) -> None:
    """One ``ScoreRecord`` per stated evaluation of one model (the API's and the leaderboard page's share
    these keys and scales); a value that is not a number, or is outside its scale, is skipped and counted."""
    for name, value in evaluations.items():
        if value is None:
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
            result.skip("evaluation is not a number")
            continue
        score = _scaled(name, float(value))
        if score is None:
            result.skip("evaluation outside its scale")
            continue
        result.scores.append(
            ScoreRecord(
                model_key=key,
                benchmark=BENCHMARK_IDS.get(str(name), str(name)),
                score=score,
                setting=index_setting if name.endswith("_index") else "Artificial Analysis methodology",
                self_reported=False,
                source_url=MODEL_PAGE.format(slug=key),
                reported_at=reported_at,
            )
        )


def _index_setting(version: object, capture: CaptureMeta) -> str:
    """``Intelligence Index v4.1``; an unstated version is this capture's own (it compares with nothing else)."""
    if isinstance(version, (int, float, str)) and not isinstance(version, bool) and str(version).strip():
        return f"Intelligence Index v{str(version).strip().removeprefix('v')}"
    return f"index version not stated; captured {capture.observed_at:%Y-%m-%d}"


def _scaled(name: str, value: float) -> float | None:
    """Indexes are 0-100 already; single benchmarks are fractions, turned into percentages."""
    if name.endswith("_index"):
        return value if 0 <= value <= 100 else None
    return round(value * 100, 6) if 0 <= value <= 1 else None
