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
providers' prices, not a provider's own. The list comes in pages of 200 (``?page=N``): the capture
of page 1 leads to the others (:func:`page_urls`, the registry's ``follow``), each its own listing;
a page whose ``pagination.page`` is not the page its URL asked for is refused (a server that
ignored the parameter would otherwise file page 1's scores under another address). Each model also becomes a ``ModelRecord``
(name, creator, release date). Attribution is required for any use of this data (see
``llmflation.sources.ARTIFICIAL_ANALYSIS_ATTRIBUTION``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from llmflation.parsers.common import load_json, mapping
from llmflation.parsers.csvtable import utc_datetime
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "3"

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
#: Pages of the model list requested after the first, at most: 200 models a page, so 10,000 models,
#: and a bound on one night's share of the free tier's 1,000 requests a day.
MAX_PAGES = 50


def page_of(url: str) -> int:
    """The page of the model list ``url`` asks for: its ``page`` parameter, 1 when it has none (or a bad one)."""
    values = parse_qs(urlsplit(url).query).get("page", [])
    return int(values[0]) if values and values[0].isdigit() and int(values[0]) >= 1 else 1


def page_urls(body: bytes, url: str) -> list[str]:
    """The model list's further pages to capture after page 1 (``body``, fetched from ``url``): the same
    address with ``page=2`` ... ``page=total_pages`` (at most ``MAX_PAGES``). Nothing after any other
    page, or when the response states no page count; a body that is not the model list raises ``ParseError``."""
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("expected an object with a 'data' list of models")
    total = mapping(doc.get("pagination")).get("total_pages")
    if page_of(url) != 1 or not isinstance(total, int) or isinstance(total, bool) or total < 2:
        return []
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qs(parts.query).items() if k != "page"]
    return [urlunsplit(parts._replace(query=urlencode([*((k, v[0]) for k, v in query), ("page", str(page))])))
            for page in range(2, min(total, MAX_PAGES + 1) + 1)]


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("expected an object with a 'data' list of models")
    result = ParseResult()
    index_setting = _index_setting(doc.get("intelligence_index_version"), capture)
    served = mapping(doc.get("pagination")).get("page")
    asked = page_of(capture.url)
    if served is not None and served != asked:
        raise ParseError(f"the URL asks for page {asked} of the model list, the response is page {served!r}")
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
