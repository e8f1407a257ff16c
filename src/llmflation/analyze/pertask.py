"""Cost per task: what running a fixed suite of tasks costs with each model at each provider, month by month.

A price per million tokens stopped being the cost of using a model when reasoning models began
writing thousands of hidden tokens per answer. Sources state how many tokens each model spent on
a fixed suite (``token_usage``); this module multiplies them by every standard price in force:

    usd_per_suite_run = input_tokens x input price / 1e6 + output_tokens x output price / 1e6

Reasoning tokens are output tokens and billed as such (``usd_reasoning`` is their share). The
price is each provider's standard price (``price_intervals``) in force in the month; when a price
changes within a month, the lowest one in force counts, as in :mod:`.monthly`. ``usd_per_task``
is the run's cost divided by the suite's number of tasks, where the source states that number;
otherwise it is empty and the run's cost stands for it (the same tasks for every model of one
suite version, so it ranks and falls exactly as the cost per task does).

Never mixed: one suite version's counts are compared only with the same version's. A model with
no stated token usage has no row here, and no per-task cost is estimated for it.

``check_stated_costs`` recomputes each source's own cost of a run from its token counts and its
own prices, the arithmetic check of this table. ``cheapest_per_task`` and ``per_task_rates`` add
the ``per_task`` measure to ``cheapest_by_quality`` and ``decline_rates``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd

from llmflation.analyze.chart import level_label
from llmflation.analyze.fit import fit_decline, fit_row
from llmflation.analyze.frontier import new_lowest_prices
from llmflation.analyze.monthly import CHEAPEST_COLUMNS, _as_month_starts, _priced_not_free, cheapest_per_month
from llmflation.benchmarks import comparable_as
from llmflation.schema import COST_PER_TASK, TOKEN_USAGE

MILLION = Decimal(1_000_000)
#: The ``blend`` of the per-task rows of ``cheapest_by_quality`` and ``decline_rates``.
PER_TASK = "per_task"
#: Agreement asked of the arithmetic check: our cost within this share of the source's own.
CHECK_TOLERANCE = 0.01

COST_PER_TASK_COLUMNS = COST_PER_TASK.column_names
#: Columns of the per-task rows that ``cheapest_by_quality`` carries beside the token blends.


def suite_usage(token_usage: pd.DataFrame) -> pd.DataFrame:
    """Whole-suite usage rows matched to a model, the newest statement per source, model name and suite version."""
    usable = token_usage[token_usage["component"].isna() & token_usage["model_id"].notna()
                         & token_usage["input_tokens"].notna() & token_usage["output_tokens"].notna()]
    usable = usable.sort_values("observed_at", kind="mergesort")
    return usable.drop_duplicates(["source_id", "model_key", "suite", "suite_version"], keep="last")


def cost_per_task(token_usage: pd.DataFrame, intervals: pd.DataFrame, months: Iterable[object]) -> pd.DataFrame:
    """The ``cost_per_task`` table: usage x every standard price in force, per month (USD, float64).

    Each (usage, price interval) pair is costed once, exactly in Decimal, then repeated for every
    month its interval overlaps.
    """
    usage = suite_usage(token_usage)
    priced = _priced_not_free(intervals)
    if usage.empty or priced.empty:
        return pd.DataFrame(columns=COST_PER_TASK_COLUMNS)
    pairs = usage.merge(priced, on="model_id", how="inner", suffixes=("", "_price"))
    if pairs.empty:
        return pd.DataFrame(columns=COST_PER_TASK_COLUMNS)
    costed = pd.DataFrame([_cost_row(row) for row in pairs.to_dict("records")])
    valid_from = pd.to_datetime(pairs["valid_from"], utc=True)
    valid_to = pd.to_datetime(pairs["valid_to"], utc=True)
    per_month = []
    for start in _as_month_starts(months):
        end = start + pd.offsets.MonthBegin(1)
        in_force = ((valid_from < end) & (valid_to.isna() | (valid_to > start))).to_numpy()
        if in_force.any():
            per_month.append(costed[in_force].assign(month=start))
    if not per_month:
        return pd.DataFrame(columns=COST_PER_TASK_COLUMNS)
    table = pd.concat(per_month, ignore_index=True)
    # A price changed within the month: the lowest in force counts (as for the cheapest per month).
    table = table.sort_values("usd_per_suite_run", kind="mergesort").drop_duplicates(
        ["month", "usage_source_id", "suite", "suite_version", "model_key", "provider"], keep="first")
    table["month"] = pd.to_datetime(table["month"], utc=True).dt.as_unit("us")
    return table.reindex(columns=COST_PER_TASK_COLUMNS).sort_values(
        ["suite", "suite_version", "model_key", "provider", "month"], kind="mergesort").reset_index(drop=True)


def _cost_row(row: dict[str, object]) -> dict[str, object]:
    """One usage x price pair, costed exactly (Decimal) and published as float64."""
    input_price, output_price = Decimal(row["input_usd_per_mtok"]), Decimal(row["output_usd_per_mtok"])  # type: ignore[arg-type]
    usd_input = Decimal(int(row["input_tokens"])) * input_price / MILLION  # type: ignore[call-overload]
    usd_output = Decimal(int(row["output_tokens"])) * output_price / MILLION  # type: ignore[call-overload]
    reasoning, answer, n_tasks = row["reasoning_tokens"], row["answer_tokens"], row["n_tasks"]
    total = usd_input + usd_output
    return {
        "model_id": row["model_id"],
        "model_key": row["model_key"],
        "variant": row["variant"],
        "suite": row["suite"],
        "suite_version": row["suite_version"],
        "provider": row["provider"],
        "input_tokens": int(row["input_tokens"]),  # type: ignore[call-overload]
        "output_tokens": int(row["output_tokens"]),  # type: ignore[call-overload]
        "reasoning_tokens": None if pd.isna(reasoning) else int(reasoning),  # type: ignore[call-overload]
        "answer_tokens": None if pd.isna(answer) else int(answer),  # type: ignore[call-overload]
        "n_tasks": None if pd.isna(n_tasks) else int(n_tasks),  # type: ignore[call-overload]
        "input_usd_per_mtok": float(input_price),
        "output_usd_per_mtok": float(output_price),
        "usd_input": float(usd_input),
        "usd_output": float(usd_output),
        "usd_reasoning": None if pd.isna(reasoning) else float(Decimal(int(reasoning)) * output_price / MILLION),  # type: ignore[call-overload]
        "usd_per_suite_run": float(total),
        "usd_per_task": None if pd.isna(n_tasks) or not int(n_tasks) else float(total / int(n_tasks)),  # type: ignore[call-overload]
        "price_valid_from": row["valid_from"],
        "price_source_id": row["source_id_price"],
        "price_evidence": row["evidence"],
        "usage_source_id": row["source_id"],
        "usage_reported_at": row["reported_at"],
        "usage_source_url": row["source_url"],
        "usage_capture_sha256": row["capture_sha256"],
    }


def check_stated_costs(token_usage: pd.DataFrame) -> pd.DataFrame:
    """Each usage row whose source states its own cost of the run and its own prices, recomputed.

    ``computed_usd`` = tokens x the source's own prices; ``agrees`` when within
    :data:`CHECK_TOLERANCE` of ``stated_usd`` (or both are exactly zero, a free model); ``why``
    names what differs (the input part, the output part, a cost stated with no price) otherwise.
    """
    stated = token_usage[token_usage["stated_cost_usd"].notna() & token_usage["component"].isna()]
    rows = []
    for _, row in stated.iterrows():
        rows.append(_check_row(row))
    return pd.DataFrame(rows, columns=["source_id", "model_key", "suite", "suite_version", "stated_usd",
                                       "computed_usd", "relative_difference", "agrees", "why"])


def _check_row(row: pd.Series) -> dict[str, object]:
    base = {"source_id": row["source_id"], "model_key": row["model_key"], "suite": row["suite"],
            "suite_version": row["suite_version"], "stated_usd": float(row["stated_cost_usd"])}
    prices = (row["stated_input_usd_per_mtok"], row["stated_output_usd_per_mtok"])
    if any(p is None or pd.isna(p) for p in prices) or pd.isna(row["input_tokens"]) or pd.isna(row["output_tokens"]):
        return {**base, "computed_usd": None, "relative_difference": None, "agrees": False,
                "why": "the source states a cost but not the prices or token counts it came from"}
    stated = Decimal(row["stated_cost_usd"])
    part_in = Decimal(int(row["input_tokens"])) * Decimal(prices[0]) / MILLION
    part_out = Decimal(int(row["output_tokens"])) * Decimal(prices[1]) / MILLION
    computed = part_in + part_out
    if stated == 0:
        agrees = computed == 0
        difference = None if not agrees else 0.0
    else:
        difference = float(abs(computed - stated) / stated)
        agrees = difference <= CHECK_TOLERANCE
    why = None if agrees else _why(row, part_in, part_out, computed, stated)
    return {**base, "computed_usd": float(computed), "relative_difference": difference, "agrees": agrees, "why": why}


def _why(row: pd.Series, part_in: Decimal, part_out: Decimal, computed: Decimal, stated: Decimal) -> str:
    """Which part of the cost differs from the source's own split, in words."""
    parts = []
    for label, ours, theirs in (("input", part_in, row["stated_input_cost_usd"]),
                                ("output", part_out, row["stated_output_cost_usd"])):
        if theirs is not None and not pd.isna(theirs) and abs(ours - Decimal(theirs)) > Decimal(str(CHECK_TOLERANCE)) * max(abs(Decimal(theirs)), Decimal("0.01")):
            parts.append(f"{label} ${ours:.2f} here, ${Decimal(theirs):.2f} stated")
    detail = "; ".join(parts) or "the stated parts agree with ours; their total does not"
    return f"${computed:.2f} computed against ${stated:.2f} stated: {detail}"


def check_summary(checks: pd.DataFrame) -> dict[str, object]:
    """The report's arithmetic-check section: how many agree within 1%, and every one that does not, with why."""
    n = len(checks)
    agreeing = int(checks["agrees"].sum()) if n else 0
    return {
        "checked": n,
        "within_1_percent": agreeing,
        "share_within_1_percent": round(agreeing / n, 4) if n else None,
        "free_models_stated_zero": int((checks["stated_usd"] == 0).sum()) if n else 0,
        "largest_relative_difference": float(checks["relative_difference"].max()) if n and checks["relative_difference"].notna().any() else None,
        "disagreeing": [f"{r.source_id} {r.model_key}: {r.why}" for r in checks[~checks["agrees"].astype(bool)].itertuples()],
    }


def chosen_suite(costs: pd.DataFrame) -> tuple[str, str] | None:
    """The (suite, version) a per-task series uses: the one with the most models, the newest on a tie."""
    if costs.empty:
        return None
    counts = costs.groupby(["suite", "suite_version"]).agg(models=("model_key", "nunique"), newest=("usage_reported_at", "max"))
    best = counts.sort_values(["models", "newest"], ascending=False, kind="mergesort").index[0]
    return str(best[0]), str(best[1])


_RUN_KEY = ["usage_source_id", "model_key"]
_SCORE_FIELDS = ["score", "setting", "source_id", "self_reported"]


def run_level_scores(costs: pd.DataFrame, scores: pd.DataFrame, run_scores: pd.DataFrame | None,
                     benchmark: str, comparable: str | None) -> pd.DataFrame:
    """Per run (usage source, model name), the score that places it at a level of ``benchmark``.

    A run of a stated effort or mode (``variant``: ``gpt-5-minimal``) is placed by the usage source's
    own score of that run only, in the level's comparable class ``comparable``; it never borrows its
    model's headline score, which another effort earned. A run with no variant is its model, placed by
    the model's chosen score (``scores``, already of the level's class). A run with neither has no row.
    """
    runs = costs[_RUN_KEY + ["model_id", "variant"]].drop_duplicates(_RUN_KEY)
    carried = [c for c in _SCORE_FIELDS[1:] if c in scores.columns]
    chosen = scores.loc[scores["benchmark"] == benchmark, ["model_id", "score", *carried]].reindex(columns=["model_id", *_SCORE_FIELDS])
    plain = runs[runs["variant"].isna()].merge(chosen, on="model_id", how="inner")
    own = pd.DataFrame(columns=[*_RUN_KEY, *_SCORE_FIELDS])
    if run_scores is not None and len(run_scores):
        stated = run_scores[run_scores["benchmark"] == benchmark]
        in_class = pd.Series([comparable_as(benchmark, setting)[0] == comparable for setting in stated["setting"]],
                             index=stated.index, dtype=bool)
        stated = stated.loc[in_class]
        own = stated.rename(columns={"source_id": "usage_source_id"}).assign(
            source_id=stated["source_id"], self_reported=False)[[*_RUN_KEY, *_SCORE_FIELDS]]
    varied = runs[runs["variant"].notna()].merge(own, on=_RUN_KEY, how="inner")
    return pd.concat([plain, varied], ignore_index=True)[[*_RUN_KEY, *_SCORE_FIELDS]]


def suite_runs(costs: pd.DataFrame) -> pd.DataFrame:
    """The cost rows of the one suite version a per-task series uses (:func:`chosen_suite`); none when there is none."""
    suite = chosen_suite(costs)
    if suite is None:
        return costs.iloc[0:0]
    return costs[(costs["suite"] == suite[0]) & (costs["suite_version"] == suite[1])]


def cheapest_per_task(in_suite: pd.DataFrame, placed: dict[str, pd.DataFrame], months: Iterable[object],
                      levels: Sequence[tuple[str, float]]) -> pd.DataFrame:
    """The ``per_task`` rows of ``cheapest_by_quality``: per level and month, the cheapest suite run among
    runs (``in_suite``, one suite version) whose score reaches the level (``placed``: per benchmark,
    :func:`run_level_scores`)."""
    tables = []
    for benchmark, threshold in levels:
        qualifying = in_suite.merge(placed[benchmark], on=_RUN_KEY, how="inner")
        qualifying = qualifying[qualifying["score"].astype(float) >= float(threshold)]
        if qualifying.empty:
            continue
        spans = qualifying.drop(columns="month").assign(
            valid_from=qualifying["month"], valid_to=qualifying["month"] + pd.offsets.MonthBegin(1),
            usd_per_mtok=qualifying["usd_per_suite_run"])
        spans = spans.sort_values(["model_key", "provider", "valid_from"], kind="mergesort")
        chosen = cheapest_per_month(spans, _as_month_starts(months))
        if chosen.empty:
            continue
        chosen = chosen.assign(
            benchmark=benchmark, threshold=float(threshold), blend=PER_TASK, measure="usd_per_suite_run", usd_per_mtok=None,
            evidence=chosen["price_evidence"], score_setting=chosen["setting"], score_source_id=chosen["source_id"],
            score_self_reported=chosen["self_reported"])
        tables.append(chosen.reindex(columns=CHEAPEST_COLUMNS))
    if not tables:
        return pd.DataFrame(columns=CHEAPEST_COLUMNS)
    table = pd.concat(tables, ignore_index=True)
    table["month"] = pd.to_datetime(table["month"], utc=True).dt.as_unit("us")
    return table


def per_task_rates(cheapest: pd.DataFrame, in_suite: pd.DataFrame, placed: dict[str, pd.DataFrame],
                   levels: Sequence[tuple[str, float]]) -> list[dict[str, object]]:
    """``decline_rates`` rows of the ``per_task`` measure: the same fits as the token blends.

    ``monthly`` fits the cheapest run of each month; ``frontier`` the runs that set a new lowest
    cost at the level, each dated when its price took effect (or its model's first month here).
    With no cost rows at all there are no rows (rather than one "no points" row per level).
    """
    if in_suite.empty:  # no stated token usage at all (an offline build): no per-task measure to fit
        return []
    rows = []
    for benchmark, threshold in levels:
        level = cheapest[(cheapest["benchmark"] == benchmark) & (cheapest["threshold"] == float(threshold))
                         & (cheapest["blend"] == PER_TASK)]
        monthly = fit_decline(level["month"], level["usd_per_suite_run"])
        rows.append(fit_row(monthly, benchmark=benchmark, threshold=threshold, blend=PER_TASK, method="monthly"))
        points = pd.DataFrame(columns=["date", "model", "usd_per_mtok", "score"])
        joined = in_suite.merge(placed[benchmark][[*_RUN_KEY, "score"]], on=_RUN_KEY, how="inner")
        if not joined.empty:
            first = joined.sort_values("month").drop_duplicates(["model_key", "provider", "price_valid_from"])
            date = pd.to_datetime(first["price_valid_from"], utc=True).combine(first["month"], max)
            points = pd.DataFrame({"date": date, "model": first["model_key"] + " @ " + first["provider"],
                                   "usd_per_mtok": first["usd_per_suite_run"], "score": first["score"].astype(float)})
        series = new_lowest_prices(points, float(threshold))
        frontier = fit_decline(series["date"], series["usd_per_mtok"])
        rows.append(fit_row(frontier, benchmark=benchmark, threshold=threshold, blend=PER_TASK, method="frontier"))
    return rows


def side_by_side(cheapest: pd.DataFrame, rates: pd.DataFrame, token_blend: str | None = None) -> list[str]:
    """The report's lines: per level, the cheapest per token and the cheapest per suite run in the same
    newest month, and each one's decline rate per year (monthly fits). ``token_blend``: 1:1 when the
    table has it, else its first blend."""
    per_task = cheapest[cheapest["blend"] == PER_TASK]
    if per_task.empty:
        return []
    blends = [b for b in dict.fromkeys(cheapest["blend"]) if b != PER_TASK]
    token_blend = token_blend or ("1:1" if "1:1" in blends else (blends[0] if blends else None))
    lines = []
    for (benchmark, threshold), level in per_task.groupby(["benchmark", "threshold"], sort=True):
        last = level.sort_values("month").iloc[-1]
        tokens = cheapest[(cheapest["benchmark"] == benchmark) & (cheapest["threshold"] == threshold)
                          & (cheapest["blend"] == token_blend) & (cheapest["month"] == last["month"])]
        token_text = "no model per token that month"
        if len(tokens):
            t = tokens.iloc[0]
            token_text = f"${float(t['usd_per_mtok']):,.3g} per 1M tokens ({token_blend}) with {t['model_id']} at {t['provider']}"
        variant = f" ({last['variant']})" if isinstance(last["variant"], str) else ""
        task_text = f"${float(last['usd_per_suite_run']):,.2f} per {last['suite']} run with {last['model_id']}{variant} at {last['provider']}"
        fits = []
        for blend, name in ((token_blend, "per token"), (PER_TASK, "per task")):
            row = rates[(rates["benchmark"] == benchmark) & (rates["threshold"] == threshold) & (rates["blend"] == blend)
                        & (rates["method"] == "monthly")]
            if len(row) and pd.notna(row.iloc[0]["factor_per_year"]):
                r = row.iloc[0]
                fits.append(f"{name} {r['factor_per_year']:.3g}x cheaper per year ({r['start']:%b %Y}-{r['end']:%b %Y}, n={int(r['n'])})")
            elif len(row):
                fits.append(f"{name}: no fit ({row.iloc[0]['reason']})")
        lines.append(f"{level_label(benchmark, float(threshold))}, per token vs per task in {last['month']:%b %Y}: "
                     f"{token_text}; {task_text}; {'; '.join(fits)}")
    return lines


def add_per_task(tables: dict[str, pd.DataFrame], sections: dict[str, object], intervals: pd.DataFrame,
                 scores: pd.DataFrame, months: Iterable[object], levels: Sequence[tuple[str, float]],
                 token_blend: str, run_scores: pd.DataFrame | None = None,
                 classes: dict[str, str] | None = None) -> pd.DataFrame:
    """Add ``cost_per_task``, the ``per_task`` rows of ``cheapest_by_quality`` and ``decline_rates``, and the
    report's ``cost_per_task`` section (arithmetic check, side by side) to a build's tables; returns the
    per-task rows (for the chart). ``run_scores``/``classes``: the usage sources' scores of each run and the
    levels' comparable classes, which place effort variants (:func:`run_level_scores`)."""
    usage = tables.get("token_usage", pd.DataFrame(columns=TOKEN_USAGE.column_names))
    months = list(months)
    costs = cost_per_task(usage, intervals, months) if len(usage) else pd.DataFrame(columns=COST_PER_TASK_COLUMNS)
    tables["cost_per_task"] = costs
    in_suite = suite_runs(costs)
    placed = {benchmark: run_level_scores(in_suite, scores, run_scores, benchmark, (classes or {}).get(benchmark))
              for benchmark in dict.fromkeys(b for b, _ in levels)}
    per_task = cheapest_per_task(in_suite, placed, months, levels)
    cheapest = tables["cheapest_by_quality"]
    tables["cheapest_by_quality"] = pd.concat([cheapest, per_task], ignore_index=True) if len(per_task) else cheapest
    rates = pd.DataFrame(per_task_rates(per_task, in_suite, placed, levels), columns=tables["decline_rates"].columns)
    for column in ("start", "end"):
        rates[column] = pd.to_datetime(rates[column], utc=True).dt.as_unit("us")
    tables["decline_rates"] = pd.concat([tables["decline_rates"], rates], ignore_index=True)
    suite = chosen_suite(costs)
    sections["cost_per_task"] = {
        "token_usage_rows": len(usage),
        "token_usage_matched": int(usage["model_id"].notna().sum()) if len(usage) else 0,
        "rows": len(costs),
        "models": int(costs["model_id"].nunique()) if len(costs) else 0,
        "suite_of_the_per_task_series": list(suite) if suite else None,
        "arithmetic_check": check_summary(check_stated_costs(usage)),
        "per_token_vs_per_task": side_by_side(tables["cheapest_by_quality"], tables["decline_rates"], token_blend),
        "unmatched_usage_names": sorted(set(usage.loc[usage["model_id"].isna() & usage["component"].isna(), "model_key"]))[:200]
        if len(usage) else [],
    }
    return per_task
