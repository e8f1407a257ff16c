"""The ``token_usage`` table: the tokens each model spent on a fixed suite of tasks, as sources state them.

One row per ``UsageRecord`` per version of a source's listing (a listing captured again with
the same records adds no rows), with the capture's provenance, matched to the catalog.

**Variants.** Artificial Analysis runs one model at several reasoning efforts or modes and lists
each run under its own name (``o3-mini-high``, ``gpt-oss-120b-low``,
``claude-sonnet-4-6-non-reasoning-low-effort``). Each is the same priced model spending
different tokens, so each stays a row of its own (``model_key``, ``variant``) with the
``model_id`` of the model whose price it pays. A name that matches no catalog model as written
is matched without its effort/mode suffix, and only to a model a source says reasons
(``models.reasoning``): a suffix names a mode of a reasoning model, while a separate release
(``...-instruct-2507-reasoning``, a model of its own weights) must not borrow another's price.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

import pandas as pd

from llmflation.match import Catalog
from llmflation.parsing import ParsedCapture
from llmflation.records import ParseResult, record_to_dict

log = logging.getLogger(__name__)

#: Trailing name parts that state a run's reasoning effort or mode (``-high``, ``-non-reasoning-low-effort``).
_EFFORT_SUFFIX = re.compile(
    r"(?:[-_ ](?:(?:non[-_ ]?reasoning|reasoning|thinking|adaptive|minimal|low|medium|high|xhigh)(?:[-_ ]effort)?|max[-_ ]effort))+$",
    re.IGNORECASE,
)


def without_effort(name: str) -> str:
    """``name`` without a trailing reasoning effort/mode (``o3-mini-high`` -> ``o3-mini``); unchanged if it has none."""
    return _EFFORT_SUFFIX.sub("", name.strip())


def match_usage_name(name: str, catalog: Catalog, reasoning_ids: set[str],
                     at: datetime | None = None) -> tuple[str | None, str]:
    """The catalog model whose price a usage row's model pays, and how it was found (or why not).

    An effort/mode suffix on a reasoning model's name is taken off first (``o3-mini-high`` pays
    o3-mini's price even where a host also lists ``o3-mini-high`` as a model of its own); any other
    name is matched as written.
    """
    base = without_effort(name)
    of_base = catalog.match(base, at=at) if base and base != name else None
    if of_base is not None and of_base.model_id is not None and of_base.model_id in reasoning_ids:
        return of_base.model_id, f"effort/mode variant of {base!r} ({of_base.reason})"
    found = catalog.match(name, at=at)
    if found.model_id is not None or of_base is None or of_base.model_id is None:
        return found.model_id, found.reason
    return None, (f"{name!r} as written: {found.reason}; {base!r} is {of_base.model_id}, which no source says "
                  "reasons, so the suffix is not taken for a mode of it")


def _with_usage(parsed: Iterable[ParsedCapture]) -> Iterator[tuple[ParsedCapture, ParseResult]]:
    """Each parsed capture that states token usage, with its records."""
    for item in parsed:
        # Usage comes from leaderboards, whose parsers refuse a capture without scores (aa_leaderboard):
        # price lists are not loaded.
        if item.outcome is not None and not item.outcome.n_scores:
            continue
        result = item.result
        if result is not None and result.usage:
            yield item, result


def usage_rows(parsed: Iterable[ParsedCapture]) -> pd.DataFrame:
    """Every usage record of every parsed version, with its capture's provenance (unmatched)."""
    rows: list[dict[str, object]] = []
    for item, result in _with_usage(parsed):
        capture = item.capture
        provenance = {"source_id": capture.source_id, "observed_at": capture.observed_at, "capture_url": capture.url,
                      "capture_id": capture.capture_id, "capture_sha256": capture.sha256, "parser": item.parser}
        rows.extend({**record_to_dict(record), **provenance} for record in result.usage)
    return pd.DataFrame(rows)


def run_scores(parsed: Iterable[ParsedCapture]) -> pd.DataFrame:
    """The scores a usage source states for the very runs it counts tokens of (same capture, same name):
    ``source_id, model_key, benchmark, score, setting``, the newest per source, name and benchmark.

    A reasoning-effort variant (``gpt-5-minimal``) scores otherwise than its model's headline run:
    the per-task series places a variant at a level by these scores only (:mod:`llmflation.analyze.pertask`).
    """
    rows: list[dict[str, object]] = []
    for item, result in _with_usage(parsed):
        counted = {record.model_key for record in result.usage}
        rows.extend({"source_id": item.capture.source_id, "model_key": score.model_key, "benchmark": score.benchmark,
                     "score": score.score, "setting": score.setting, "observed_at": item.capture.observed_at}
                    for score in result.scores if score.model_key in counted)
    columns = ["source_id", "model_key", "benchmark", "score", "setting"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows).sort_values("observed_at", kind="mergesort")
    return table.drop_duplicates(["source_id", "model_key", "benchmark"], keep="last")[columns].reset_index(drop=True)


def token_usage_table(parsed: Iterable[ParsedCapture], catalog: Catalog, models: pd.DataFrame,
                      columns: list[str]) -> pd.DataFrame:
    """The published ``token_usage`` table (``columns`` in order), each row matched to the catalog."""
    rows = usage_rows(parsed)
    if rows.empty:
        return pd.DataFrame(columns=columns)
    reasoning_ids = set(models.loc[models["reasoning"].fillna(False).astype(bool), "model_id"]) if len(models) else set()
    cache: dict[tuple[str, object], tuple[str | None, str]] = {}
    ids, reasons = [], []
    for key, seen in zip(rows["model_key"], rows["observed_at"], strict=True):
        if (key, seen) not in cache:
            cache[(key, seen)] = match_usage_name(key, catalog, reasoning_ids, at=seen)
        ids.append(cache[(key, seen)][0])
        reasons.append(cache[(key, seen)][1])
    rows["model_id"] = pd.Series(ids, index=rows.index, dtype="object")
    rows["match_reason"] = reasons
    for name in ("input_tokens", "output_tokens", "reasoning_tokens", "answer_tokens", "n_tasks"):
        rows[name] = rows[name].astype("Int64")
    log.info("token usage: %s rows, %s matched to the catalog", len(rows), int(rows["model_id"].notna().sum()))
    return rows.reindex(columns=columns).reset_index(drop=True)
