"""The benchmarks the analysis compares, and which of each benchmark's settings are comparable.

A score is only comparable with another score of the same benchmark measured the same way:
Llama 2 7B scores 45.3 on MMLU 5-shot and 13 by Artificial Analysis's own method; an Arena
rating moves as models join the board; Artificial Analysis re-weights its Intelligence Index
with each version. Every score row therefore gets a **comparable class** from this table (or
none, with the reason), and a quality level compares scores of one class only.

Two kinds of benchmark:

- *one standard*: every comparable row falls in the benchmark's single class (``standard``),
  and rows in other settings are not comparable at all (MMLU: 5-shot without chain of thought;
  GPQA Diamond: the 198-question set, one attempt, no tools; ECI: Epoch's anchored scale);
- *per setting*: each stated setting is its own class (an Arena leaderboard snapshot, a version
  of the Artificial Analysis index), so a level on such a benchmark must name the setting it
  compares within.

Benchmarks not listed here are *per setting* too: nothing is assumed comparable across settings.
This table is the only place these rules are written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: The ECI scale Epoch AI fixes by two anchors (Epoch, "Epoch Capabilities Index"): every ECI
#: release puts Claude 3.5 Sonnet (June 2024) at 130 and GPT-5 at 150, so values of different
#: releases are on one scale. The parser names the scale only when a file holds both anchors.
ECI_ANCHORED_SCALE = "ECI scale: Claude 3.5 Sonnet = 130, GPT-5 = 150"


def _mmlu(setting: str) -> str | None:
    """5-shot, no chain of thought (MMLU: the setting of GPT-3's 43.9 and GPT-4's 86.4, hence of the
    levels; MMLU-Pro: the Open LLM Leaderboard's, the one independent source that runs it for many models)."""
    if not setting.startswith("5-shot") and not setting.startswith("5 shot"):
        return "not 5-shot"
    if re.search(r"\bcot\b|chain[- ]of[- ]thought|maj@|cons@", setting):
        return "5-shot with chain of thought or voting is not the standard setting"
    return None


_GPQA_NOT_STANDARD = re.compile(
    r"maj@|cons@|majority|best[- ]of|parallel test-time|pass@(?:[2-9]|\d{2,})|\bwith tools|\btool use"
)


def _gpqa_diamond(setting: str) -> str | None:
    """The Diamond set answered once, without tools; votes, best-of-n and tool use are other settings."""
    found = _GPQA_NOT_STANDARD.search(setting)
    if found:
        return f"{found.group(0)!r} is not the standard single-attempt setting"
    return None


def _eci(setting: str) -> str | None:
    """On the anchored scale; a reasoning effort after ``;`` configures the model, not the index."""
    return None if setting.split(";")[0].strip() == ECI_ANCHORED_SCALE.lower() else "not on Epoch's anchored ECI scale"


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its id in score rows, its unit, and which settings compare with which."""

    id: str
    name: str
    unit: str  # "percent" (0-100), "index" (Epoch's ECI, Artificial Analysis's indexes) or "Elo"
    comparable: str  # what is comparable, in words (README, run report)
    #: The one comparable class of a one-standard benchmark; None: each setting is its own class.
    standard: str | None = None
    #: For a one-standard benchmark: the lower-cased setting -> None when in the standard, else why not.
    rule: Callable[[str], str | None] | None = None

    def comparable_as(self, setting: object) -> tuple[str | None, str]:
        """``(class, "")`` for a comparable row, ``(None, reason)`` otherwise."""
        text = "" if setting is None or setting != setting else str(setting).strip()
        if self.standard is None:
            return (text, "") if text else (None, f"{self.id} scores compare only within one stated setting; none stated")
        assert self.rule is not None
        reason = self.rule(text.lower())
        if reason is None:
            return self.standard, ""
        return None, f"setting {text!r}: {reason}" if text else "no setting stated"


BENCHMARKS: dict[str, Benchmark] = {
    b.id: b
    for b in (
        Benchmark("mmlu", "MMLU", "percent", "5-shot without chain of thought only", "5-shot", _mmlu),
        Benchmark(
            "gpqa_diamond", "GPQA Diamond", "percent",
            "the 198-question Diamond set, one attempt, no tools (no voting, best-of-n or tool use)",
            "diamond, single attempt", _gpqa_diamond,
        ),
        Benchmark("eci", "ECI", "index", "Epoch AI's anchored scale (Claude 3.5 Sonnet 130, GPT-5 150)",
                  ECI_ANCHORED_SCALE, _eci),
        Benchmark("mmlu_pro", "MMLU-Pro", "percent", "5-shot without chain of thought only (the Open LLM Leaderboard's)",
                  "5-shot", _mmlu),
        Benchmark("humaneval", "HumanEval", "percent", "one stated setting"),
        Benchmark("math_500", "MATH-500", "percent", "one stated setting"),
        Benchmark("aa_intelligence_index", "AA Intelligence Index", "index", "one index version"),
        Benchmark("aa_coding_index", "AA Coding Index", "index", "one index version"),
        Benchmark("aa_math_index", "AA Math Index", "index", "one index version"),
        Benchmark("aa_agentic_index", "AA Agentic Index", "index", "one index version"),
        Benchmark("arena_elo", "Arena Elo", "Elo", "one dated leaderboard snapshot"),
        Benchmark("arena_elo_vision", "Arena Elo (vision)", "Elo", "one dated leaderboard snapshot"),
        Benchmark("arena_elo_image", "Arena Elo (text-to-image)", "Elo", "one dated leaderboard snapshot"),
    )
}


def benchmark(benchmark_id: str) -> Benchmark:
    """The table's row for ``benchmark_id``; an unlisted benchmark compares within one setting only."""
    known = BENCHMARKS.get(benchmark_id)
    if known is not None:
        return known
    return Benchmark(benchmark_id, benchmark_id, "percent", "one stated setting")


def comparable_as(benchmark_id: object, setting: object) -> tuple[str | None, str]:
    """The comparable class of a score row, or ``(None, why it is not comparable)``."""
    return benchmark(str(benchmark_id)).comparable_as(setting)


def label(benchmark_id: str) -> str:
    """The benchmark's display name (``GPQA Diamond``), or its id when unlisted."""
    return benchmark(benchmark_id).name


@dataclass(frozen=True)
class DefaultLevel:
    """A quality level of the default analysis, and the reference model whose score sets it."""

    benchmark: str
    threshold: float
    set_by: str  # the reference model, its score and where that score comes from


#: ``[analysis] levels`` when the configuration names none. Each threshold is the score of a
#: named reference model, rounded down so that model itself qualifies; MMLU's are a16z's (it
#: saturated in 2024: most 2025 models score 85-90), ECI and GPQA Diamond keep separating
#: models in 2025-2026. Documented in the README ("The analysis").
DEFAULT_LEVELS: tuple[DefaultLevel, ...] = (
    DefaultLevel("mmlu", 42, "GPT-3 davinci, 43.9 MMLU 5-shot (Hendrycks et al. 2021); a16z's lower level"),
    DefaultLevel("mmlu", 83, "GPT-4 (March 2023), 86.4 MMLU 5-shot (OpenAI); a16z's upper level"),
    DefaultLevel("eci", 122, "GPT-4 (June 2023, gpt-4-0613), ECI 122.1 in Epoch AI's ECI of 2026-04-10"),
    DefaultLevel("eci", 130, "Claude 3.5 Sonnet (June 2024), ECI 130 by Epoch's anchoring (GPT-4o of May 2024: 128.5)"),
    DefaultLevel("eci", 150, "GPT-5 (August 2025), ECI 150 by Epoch's anchoring"),
    DefaultLevel("gpqa_diamond", 35, "GPT-4 (March 2023, gpt-4-0314), 35.7 in Epoch AI's own GPQA Diamond run"),
    DefaultLevel("gpqa_diamond", 75, "o1 (December 2024, medium effort), 75.8 in Epoch AI's own GPQA Diamond run"),
)
