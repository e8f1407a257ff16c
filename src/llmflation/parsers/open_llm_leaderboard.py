"""Hugging Face Open LLM Leaderboard, v1 (2023 - mid 2024) and v2 (mid 2024 - March 2025), as CSV.

Both versions are read from the CSV export of the leaderboard's contents dataset; the header
tells them apart:

- v1: ``model, average, arc, hellaswag, mmlu, truthfulqa, winogrande, gsm8k, ..., precision,
  date, fullname, url``. Scores are percentages already. The leaderboard ran ARC 25-shot,
  HellaSwag 10-shot, MMLU 5-shot, TruthfulQA 0-shot (mc2), Winogrande 5-shot, GSM8K 5-shot.
- v2: ``model_name, model_precision, evaluations_<bench>_value, evaluations_<bench>_normalized_score,
  ..., metadata_submission_date``. ``_value`` is the raw accuracy as a fraction; the
  ``normalized_score`` subtracts the random-guess baseline, which no other source does, so we
  publish the raw accuracy times 100. Settings: IFEval 0-shot, BBH 3-shot, MATH level 5 4-shot,
  GPQA 0-shot (all three subsets, not Diamond alone), MuSR 0-shot, MMLU-Pro 5-shot.

Every score here was measured by Hugging Face (``self_reported = False``). A model evaluated at
several precisions has one row per precision; the precision goes into ``setting``. The model
key is the Hub repository id (``meta-llama/Meta-Llama-3-8B-Instruct``).
"""

from __future__ import annotations

from dataclasses import dataclass

from llmflation.parsers.csvtable import number, read_csv, utc_datetime
from llmflation.records import CaptureMeta, ParseError, ParseResult, ScoreRecord

PARSER_VERSION = "1"

#: v1 column -> (benchmark id, few-shot setting as the leaderboard ran it).
V1_BENCHMARKS: dict[str, tuple[str, str]] = {
    "arc": ("arc", "25-shot"),
    "hellaswag": ("hellaswag", "10-shot"),
    "mmlu": ("mmlu", "5-shot"),
    "truthfulqa": ("truthfulqa", "0-shot mc2"),
    "winogrande": ("winogrande", "5-shot"),
    "gsm8k": ("gsm8k", "5-shot"),
}

#: v2 column stem -> (benchmark id, setting).
V2_BENCHMARKS: dict[str, tuple[str, str]] = {
    "ifeval": ("ifeval", "0-shot"),
    "bbh": ("bbh", "3-shot"),
    "math": ("math_lvl5", "4-shot"),
    "gpqa": ("gpqa", "0-shot"),
    "musr": ("musr", "0-shot"),
    "mmlu_pro": ("mmlu_pro", "5-shot"),
}


def parse(body: bytes, capture: CaptureMeta) -> ParseResult:
    header, rows = read_csv(body)
    columns = set(header)
    if {"fullname", *V1_BENCHMARKS} <= columns:
        layout = _Layout("fullname", "precision", "date", {c: v for c, v in V1_BENCHMARKS.items()}, fraction=False)
    elif {"model_name", *(f"evaluations_{stem}_value" for stem in V2_BENCHMARKS)} <= columns:
        benchmarks = {f"evaluations_{stem}_value": v for stem, v in V2_BENCHMARKS.items()}
        layout = _Layout("model_name", "model_precision", "metadata_submission_date", benchmarks, fraction=True)
    else:
        raise ParseError(f"not an Open LLM Leaderboard v1 or v2 export; header starts {header[:6]}")
    result = ParseResult()
    for row in rows:
        _read_row(row, layout, capture, result)
    if not result.scores:
        raise ParseError(f"no scores among {len(rows)} rows")
    return result


@dataclass(frozen=True)
class _Layout:
    """Where one version of the export keeps the model, precision, date and each benchmark."""

    name_column: str
    precision_column: str
    date_column: str
    benchmarks: dict[str, tuple[str, str]]  # column -> (benchmark id, setting)
    fraction: bool  # True when scores are 0-1 fractions (v2), False when percentages (v1)


def _read_row(row: dict[str, str], layout: _Layout, capture: CaptureMeta, result: ParseResult) -> None:
    name = row[layout.name_column]
    if "/" not in name:
        result.skip("row without a Hub repository id")
        return
    reported_at = utc_datetime(row.get(layout.date_column, "")) or capture.observed_at
    precision = row.get(layout.precision_column, "")
    top = 1 if layout.fraction else 100
    for column, (benchmark, shots) in layout.benchmarks.items():
        value = number(row[column])
        if value is None or not 0 <= value <= top:
            result.skip(f"{benchmark}: missing or out of 0-{top}")
            continue
        result.scores.append(
            ScoreRecord(
                model_key=name,
                benchmark=benchmark,
                score=round(value * 100, 6) if layout.fraction else value,
                setting=f"{shots}, {precision}" if precision else shots,
                self_reported=False,
                source_url=capture.url,
                reported_at=reported_at,
            )
        )
