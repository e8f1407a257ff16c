"""Artificial Analysis leaderboard page payload: scores, and the tokens each model spent on the Intelligence Index.

The LLM leaderboard page (https://artificialanalysis.ai/leaderboards/models) carries, per model,
what the data API does not: how many tokens the model used to run the Intelligence Index's
evaluations, and what that run cost at Artificial Analysis's price for the model. We read it as
the daily snapshots of oolong-tea-2026/artificial-analysis-leaderboards (MIT) store it:
``{"meta": {endpoint, source_type: "page_payload", source_url, fetched_at, model_count},
"models": [model, ...]}``, each model with ``slug``, ``name``, ``release_date``,
``reasoning_model``, ``creator``, ``evaluations`` (as in the API: indexes 0-100, single
benchmarks as fractions, ``aa_omniscience`` on its own -100..100 scale), ``pricing`` and
``breakdowns``:

- ``breakdowns.intelligence_index_token_counts``: ``inputTokens``, ``outputTokens``,
  ``reasoningTokens``, ``answerTokens``: whole tokens over one run of the index's evaluations
  (output = reasoning + answer). One ``UsageRecord`` per model, suite ``aa_intelligence_index``.
- ``breakdowns.eval_token_counts``: the same four counts per evaluation (``gpqa``, ``hle``,
  ``mmmuPro``...): one ``UsageRecord`` per evaluation, ``component`` = its key. (In the
  2026-04-10 payload the index's counts are the sum of every evaluation's but ``mmmuPro``'s.)
- ``pricing.price_1m_input_tokens`` / ``price_1m_output_tokens`` (USD per 1M tokens) and
  ``intelligence_index_cost_total`` / ``_input`` / ``_output`` / ``_reasoning`` / ``_answer``
  (USD for the run): Artificial Analysis's own price and cost, kept as ``stated_*`` so the
  build can check tokens x price against them. They are not prices of a provider: never in ``prices``.

The payload states no Intelligence Index version, so the suite version (and the index scores'
setting) is the capture's date (``index version not stated; captured 2026-04-10``): counts read
on another day are another suite as far as comparisons go, never mixed with these. The number of
tasks is not stated either (``n_tasks`` stays None). A model's display name ends with the
reasoning effort or mode its run used (``GPT-5.4 Pro (xhigh)``, ``Gemma 4 31B (Reasoning)``):
that is the record's ``variant``; other parentheses (``(Dec '24)``, ``(Preview)``) are not.

A token count that is not a non-negative integer, or a split that does not add up to the output,
is skipped and counted; so is an index score the page marks estimated rather than measured.
Attribution to Artificial Analysis is required wherever this data is shown.
"""

from __future__ import annotations

import re
from decimal import Decimal

from llmflation.parsers.artificial_analysis import MODEL_PAGE, _index_setting, append_scores
from llmflation.parsers.common import load_json, mapping
from llmflation.parsers.csvtable import utc_datetime
from llmflation.normalize import price_amount
from llmflation.records import CaptureMeta, ParseError, ParseResult, UsageRecord

PARSER_VERSION = "2"  # 2: token counts without any evaluation are a parse error (usage is read only with scores)

#: The suite the index token counts are for.
SUITE = "aa_intelligence_index"
_ESTIMATED_FLAG = "artificial_analysis_intelligence_index_is_estimated"
#: Words a display name's last parenthesis uses for the reasoning effort or mode of the run.
_VARIANT_PART = re.compile(
    r"(?:non-)?reasoning|adaptive reasoning|thinking|(?:minimal|low|medium|high|xhigh|max)(?: effort)?", re.IGNORECASE
)
_LAST_PARENTHESIS = re.compile(r"\(([^()]*)\)\s*$")
#: Output tokens may differ from reasoning + answer by this much (rounding in the source's sums).
_SPLIT_TOLERANCE = 2


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    doc = load_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise ParseError("expected an object with a 'models' list (the leaderboard page payload)")
    meta = mapping(doc.get("meta"))
    if meta.get("endpoint") not in (None, "llms"):
        raise ParseError(f"payload of endpoint {meta.get('endpoint')!r}, not the LLM leaderboard ('llms')")
    version = _index_setting(None, capture)
    fetched_at = meta.get("fetched_at")
    stated_at = utc_datetime(fetched_at) if isinstance(fetched_at, str) else None
    reported_at = stated_at or capture.observed_at
    result = ParseResult()
    for entry in doc["models"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str) or not entry["slug"].strip():
            result.skip("model without a slug")
            continue
        key = entry["slug"].strip()
        name = entry.get("name") if isinstance(entry.get("name"), str) else None
        evaluations = entry.get("evaluations")
        if isinstance(evaluations, dict):
            evaluations = dict(evaluations)
            estimated = evaluations.pop(_ESTIMATED_FLAG, None)
            if estimated is True and evaluations.get("artificial_analysis_intelligence_index") is not None:
                evaluations.pop("artificial_analysis_intelligence_index")
                result.skip("intelligence index estimated, not measured")
            append_scores(result, key, evaluations, version, reported_at)
        breakdowns = mapping(entry.get("breakdowns"))
        pricing = mapping(entry.get("pricing"))
        common = {"model_key": key, "suite": SUITE, "suite_version": version, "variant": variant_of(name),
                  "model_name": name, "source_url": MODEL_PAGE.format(slug=key), "reported_at": reported_at}
        suite_counts = breakdowns.get("intelligence_index_token_counts")
        if suite_counts is not None:
            record = _usage(result, suite_counts, common, _stated(result, pricing))
            if record is not None:
                result.usage.append(record)
        per_eval = breakdowns.get("eval_token_counts")
        if isinstance(per_eval, dict):
            for component, counts in sorted(per_eval.items()):
                if counts is None:
                    continue
                record = _usage(result, counts, {**common, "component": component}, {})
                if record is not None:
                    result.usage.append(record)
    if not result.scores:  # the build reads token usage only from captures that state scores (usage.py)
        counts = "token counts but " if result.usage else ""
        raise ParseError(f"no evaluations {'and no token counts ' if not counts else ''}among {len(doc['models'])} models"
                         + (f" ({counts}nothing to place them at a level)" if counts else ""))
    return result


def variant_of(name: str | None) -> str | None:
    """The reasoning effort or mode in a display name's last parenthesis (``xhigh``, ``Non-reasoning, High
    Effort``); None when it names something else (a date, ``Preview``) or there is none."""
    if not name:
        return None
    found = _LAST_PARENTHESIS.search(name)
    if not found:
        return None
    parts = [part.strip() for part in found.group(1).split(",")]
    return found.group(1).strip() if all(_VARIANT_PART.fullmatch(p) for p in parts) else None


def _usage(result: ParseResult, counts: object, common: dict[str, object],
           stated: dict[str, Decimal | None]) -> UsageRecord | None:
    """A record of one token count object, or None (skipped and counted) when its counts are unusable."""
    if not isinstance(counts, dict):
        result.skip("token counts are not an object")
        return None
    values: dict[str, int | None] = {}
    for field, source_key in (("input_tokens", "inputTokens"), ("output_tokens", "outputTokens"),
                              ("reasoning_tokens", "reasoningTokens"), ("answer_tokens", "answerTokens")):
        value = counts.get(source_key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            result.skip("token count is not a non-negative integer")
            return None
        values[field] = value
    if values["input_tokens"] is None or values["output_tokens"] is None:
        result.skip("token counts without input or output")
        return None
    if values["reasoning_tokens"] is not None and values["answer_tokens"] is not None:
        split = values["reasoning_tokens"] + values["answer_tokens"]
        if abs(split - values["output_tokens"]) > _SPLIT_TOLERANCE:
            result.skip("reasoning + answer tokens do not add up to output tokens")
            return None
    return UsageRecord(**common, **values, **stated)  # type: ignore[arg-type]


def _stated(result: ParseResult, pricing: dict[str, object]) -> dict[str, Decimal | None]:
    """Artificial Analysis's own price (USD per 1M tokens) and cost of the run (USD), as ``UsageRecord`` fields."""
    fields = {
        "stated_input_usd_per_mtok": "price_1m_input_tokens",
        "stated_output_usd_per_mtok": "price_1m_output_tokens",
        "stated_cost_usd": "intelligence_index_cost_total",
        "stated_input_cost_usd": "intelligence_index_cost_input",
        "stated_output_cost_usd": "intelligence_index_cost_output",
        "stated_reasoning_cost_usd": "intelligence_index_cost_reasoning",
        "stated_answer_cost_usd": "intelligence_index_cost_answer",
    }
    out: dict[str, Decimal | None] = {}
    for field, source_key in fields.items():
        value = pricing.get(source_key)
        if value is None:
            out[field] = None
            continue
        try:
            amount: Decimal | None = price_amount(value)
        except ValueError:
            amount = None
        if amount is None or amount < 0:
            result.skip("stated price or cost is not a non-negative number")
            out[field] = None
            continue
        out[field] = amount
    return out
