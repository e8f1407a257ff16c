"""The chart is a real PNG of the expected size, and the headline states then, now and the rate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest

from llmflation.analyze.chart import level_label, render_chart
from llmflation.analyze.fit import DECLINE_RATE_COLUMNS
from llmflation.analyze.headline import headline_lines


def cheapest(rows: list[tuple[str, float, str, str, str]]) -> pd.DataFrame:
    """(month, threshold, blend, price, model) rows of a cheapest_by_quality table for MMLU."""
    return pd.DataFrame(
        [
            {
                "month": pd.Timestamp(month, tz="UTC"),
                "benchmark": "mmlu",
                "threshold": threshold,
                "blend": blend,
                "usd_per_mtok": Decimal(price),
                "model_id": model,
                "provider": "prov",
                "input_usd_per_mtok": Decimal(price),
                "output_usd_per_mtok": Decimal(price),
                "evidence": "sha",
            }
            for month, threshold, blend, price, model in rows
        ]
    )


TABLE = cheapest(
    [
        ("2021-11-01", 42.0, "1:1", "60", "gpt-3"),
        ("2022-11-01", 42.0, "1:1", "6", "cheaper"),
        ("2023-11-01", 42.0, "1:1", "0.6", "cheaper-still"),
        ("2024-11-01", 42.0, "1:1", "0.06", "cheapest"),
        ("2023-03-01", 83.0, "1:1", "45", "gpt-4"),
        ("2024-11-01", 83.0, "1:1", "0.72", "big-open"),
    ]
)
RATES = pd.DataFrame(
    [
        {"benchmark": "mmlu", "threshold": 42.0, "blend": "1:1", "method": "monthly", "start": None, "end": None,
         "n": 4, "factor_per_year": 10.0, "ci90_low": 8.0, "ci90_high": 12.5, "r2": 0.99, "reason": None},
        {"benchmark": "mmlu", "threshold": 83.0, "blend": "1:1", "method": "monthly", "start": None, "end": None,
         "n": 2, "factor_per_year": None, "ci90_low": None, "ci90_high": None, "r2": None,
         "reason": "fewer than 4 points (n=2)"},
    ],
    columns=DECLINE_RATE_COLUMNS,
)


def test_chart_is_written_as_a_png_a_reader_can_open(tmp_path: Path) -> None:
    path = render_chart(TABLE, RATES, tmp_path / "out" / "llmflation.png")

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (990, 1650)  # 11 x 6.6 inches at 150 dpi
    assert image[..., :3].std() > 0.05  # something is drawn, not a blank canvas


def test_chart_of_a_blend_with_no_rows_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no rows for blend '3:1'"):
        render_chart(TABLE, RATES, tmp_path / "llmflation.png", blend="3:1")


def test_level_label_names_the_benchmark_for_readers() -> None:
    assert level_label("mmlu", 42.0) == "MMLU \u2265 42"
    assert level_label("gpqa_diamond", 33) == "GPQA Diamond \u2265 33"
    assert level_label("my_bench", 1106.5) == "my_bench \u2265 1106.5"


def test_headline_states_price_then_and_now_and_the_rate_or_why_there_is_none() -> None:
    lines = headline_lines(TABLE, RATES)

    assert lines == [
        "MMLU \u2265 42, 1:1 blend: $60 per 1M tokens in Nov 2021 (gpt-3 at prov) -> $0.06 in Nov 2024 "
        "(cheapest at prov), 1,000x cheaper; monthly fit 10x cheaper per year (90% CI 8-12.5x, n=4, r\u00b2 0.99)",
        "MMLU \u2265 83, 1:1 blend: $45 per 1M tokens in Mar 2023 (gpt-4 at prov) -> $0.72 in Nov 2024 "
        "(big-open at prov), 62.5x cheaper; monthly fit: none (fewer than 4 points (n=2))",
    ]


def test_headline_of_an_empty_table_says_so() -> None:
    assert headline_lines(TABLE.iloc[0:0], RATES) == ["No model reaches any configured quality level in the months analysed."]


def test_step_labels_at_the_same_place_are_moved_apart() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from llmflation.analyze.chart import _place_labels

    figure = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_yscale("log")
    when = pd.Timestamp("2024-01-01")
    axes.plot([when, when + pd.Timedelta(days=365)], [1, 0.1])

    _place_labels(figure, axes, [("first-model (p) $1", when, 1.0, "C0"), ("second-model (p) $1", when, 1.0, "C1")])

    renderer = figure.canvas.get_renderer()
    first, second = (text.get_window_extent(renderer) for text in axes.texts)
    assert not first.overlaps(second)


def test_chart_draws_one_panel_per_benchmark(tmp_path: Path) -> None:
    other = TABLE.assign(benchmark="eci", threshold=TABLE["threshold"] + 80)
    path = render_chart(pd.concat([TABLE, other], ignore_index=True), RATES, tmp_path / "two.png")
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (round((1.4 + 3.4 * 2) * 150), 1650)  # two panels of 3.4 inches under the titles


def test_step_labels_mark_a_self_reported_score() -> None:
    from llmflation.analyze.chart import SELF_REPORTED_MARK, _step_labels

    level = TABLE[TABLE["threshold"] == 42.0].assign(score_self_reported=[False, True] + [False] * (len(TABLE[TABLE["threshold"] == 42.0]) - 2))
    months = list(pd.to_datetime(level["month"]).dt.tz_convert(None))
    labels = _step_labels(level, months, [float(p) for p in level["usd_per_mtok"]], "C0")
    texts = [text for text, *_ in labels]
    assert SELF_REPORTED_MARK not in texts[0]
    assert texts[1].startswith(f"{level['model_id'].iloc[1]}{SELF_REPORTED_MARK} (")
