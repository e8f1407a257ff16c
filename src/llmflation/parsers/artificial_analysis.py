"""Artificial Analysis free data API, ``GET https://artificialanalysis.ai/api/v2/data/llms/models``.

The response (documented at https://artificialanalysis.ai/documentation) is
``{"status": 200, "data": [model, ...]}`` where each model has ``id`` (stable), ``name``,
``slug``, ``model_creator {id, name, slug}``, ``evaluations {...}``, ``pricing {...}`` and speed
figures. In ``evaluations`` the composite indexes (``artificial_analysis_intelligence_index``...)
are on a 0-100 scale and single benchmarks (``mmlu_pro``, ``gpqa``, ``hle``, ``livecodebench``,
``scicode``, ``math_500``, ``aime``) are fractions; ``null`` means not evaluated.

Artificial Analysis runs every evaluation itself (``self_reported = False``). Its ``gpqa`` is
GPQA Diamond. The model key is the slug (``gpt-4o``), which is close to the names other sources
use. Prices in the response are not read: they are Artificial Analysis's summary of other
providers' prices, not a provider's own. Attribution is required for any use of this data (see
``llmflation.sources.ARTIFICIAL_ANALYSIS_ATTRIBUTION``).
"""

from __future__ import annotations

from llmflation.parsers.common import load_json
from llmflation.records import CaptureMeta, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "1"

#: Evaluation keys -> the project's benchmark ids. Keys not listed are kept under their own name.
BENCHMARK_IDS: dict[str, str] = {
    "mmlu_pro": "mmlu_pro",
    "gpqa": "gpqa_diamond",
    "math_500": "math_500",
    "aime": "aime_2024",
    "artificial_analysis_intelligence_index": "aa_intelligence_index",
    "artificial_analysis_coding_index": "aa_coding_index",
    "artificial_analysis_math_index": "aa_math_index",
}

MODEL_PAGE = "https://artificialanalysis.ai/models/{slug}"


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ParseError("expected an object with a 'data' list of models")
    result = ParseResult()
    for entry in doc["data"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug") or entry.get("name"), str):
            result.skip("model without a slug or name")
            continue
        evaluations = entry.get("evaluations")
        if not isinstance(evaluations, dict):
            result.skip("model without evaluations")
            continue
        key = entry.get("slug") or entry["name"]
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
                    benchmark=BENCHMARK_IDS.get(name, name),
                    score=score,
                    setting="Artificial Analysis methodology",
                    self_reported=False,
                    source_url=MODEL_PAGE.format(slug=key),
                    reported_at=capture.observed_at,
                )
            )
    if not result.scores:
        raise ParseError(f"no evaluations among {len(doc['data'])} models")
    return result


def _scaled(name: str, value: float) -> float | None:
    """Indexes are 0-100 already; single benchmarks are fractions, turned into percentages."""
    if name.endswith("_index"):
        return value if 0 <= value <= 100 else None
    return round(value * 100, 6) if 0 <= value <= 1 else None
