"""Load and check the curated reference data in ``data/reference/``.

Four CSV files, written by hand and cited row by row (``data/reference/README.md``):

- ``models.csv``: the model catalog, one row per canonical ``model_id``;
- ``model_aliases.csv``: the names providers and sources use for each model;
- ``scores.csv``: published benchmark scores (0-100; Arena Elo as is);
- ``prices.csv``: dated list prices in USD per 1M tokens, from each model's first day on sale.

Every loader validates as it reads and raises :class:`ReferenceDataError` naming the file,
the line and the problem, so a bad edit fails loudly at load time rather than bending a
published series. Loaders return pandas DataFrames: dates as UTC timestamps, prices as exact
``Decimal`` objects (USD per 1M tokens), booleans as ``bool``.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, overload

import pandas as pd

log = logging.getLogger(__name__)

MODELS_FILE = "models.csv"
ALIASES_FILE = "model_aliases.csv"
SCORES_FILE = "scores.csv"
PRICES_FILE = "prices.csv"

MODEL_COLUMNS = (
    "model_id",
    "name",
    "creator",
    "release_date",
    "open_weights",
    "parameters_b",
    "retired_date",
    "reasoning",
    "source_url",
    "retired_source_url",
)
ALIAS_COLUMNS = ("alias", "model_id", "seen_in", "source_url", "valid_from", "valid_to")
#: Columns an alias file may leave out (files written before aliases were dated).
OPTIONAL_ALIAS_COLUMNS = ("valid_from", "valid_to")
SCORE_COLUMNS = (
    "model_id",
    "benchmark",
    "score",
    "setting",
    "self_reported",
    "source_name",
    "source_url",
    "reported_at",
)
PRICE_COLUMNS = (
    "model_id",
    "provider",
    "model_key",
    "valid_from",
    "valid_to",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "is_free",
    "source_url",
    "note",
    "last_confirmed",
    "last_confirmed_url",
)

#: Benchmarks whose score is not a percentage: kept on their own scale.
ELO_BENCHMARKS = frozenset({"arena_elo"})

_MODEL_ID = re.compile(r"^[a-z0-9]+(?:[.\-_][a-z0-9]+)*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[_\-][a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = frozenset({"true"})
_FALSE = frozenset({"false"})


class ReferenceDataError(ValueError):
    """A curated reference file that breaks its rules; the message names file, line and problem."""


@dataclass(frozen=True)
class Reference:
    """All four reference tables, loaded and checked against each other."""

    models: pd.DataFrame
    aliases: pd.DataFrame
    scores: pd.DataFrame
    prices: pd.DataFrame


def default_reference_dir() -> Path:
    """``data/reference`` under the configured data folder (``LLMFLATION_DATA_DIR``, else ``./data``)."""
    from llmflation.config import load_settings

    return load_settings().reference_dir


def load_reference(folder: Path | None = None) -> Reference:
    """Load and cross-check every reference file in ``folder`` (default: :func:`default_reference_dir`)."""
    folder = Path(folder) if folder is not None else default_reference_dir()
    models = load_models(folder)
    reference = Reference(
        models=models,
        aliases=load_aliases(folder, models),
        scores=load_scores(folder, models),
        prices=load_prices(folder, models),
    )
    log.info(
        "reference data from %s: %d models, %d aliases, %d scores, %d prices",
        folder,
        len(reference.models),
        len(reference.aliases),
        len(reference.scores),
        len(reference.prices),
    )
    return reference


# --- one loader per file -------------------------------------------------------------------


def load_models(folder: Path | None = None) -> pd.DataFrame:
    """The model catalog: one row per ``model_id``; ``parameters_b`` in billions (NaN when not public)."""
    path = _file(folder, MODELS_FILE)
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for line, raw in _read(path, MODEL_COLUMNS):
        cell = _Cells(path, line, raw)
        model_id = cell.model_id("model_id")
        if model_id in seen:
            raise cell.error(f"duplicate model_id {model_id!r} (first on line {seen[model_id]})")
        seen[model_id] = line
        release = cell.date("release_date")
        retired = cell.date("retired_date", required=False)
        if retired is not None and retired < release:
            raise cell.error(f"retired_date {raw['retired_date']} is before release_date {raw['release_date']}")
        retired_source = cell.url("retired_source_url") if retired is not None else None
        if retired is None and raw.get("retired_source_url", "").strip():
            raise cell.error("retired_source_url is set but retired_date is empty")
        parameters = cell.decimal("parameters_b", required=False)
        if parameters is not None and parameters <= 0:
            raise cell.error(f"parameters_b must be > 0, got {raw['parameters_b']!r}")
        rows.append(
            {
                "model_id": model_id,
                "name": cell.text("name"),
                "creator": cell.slug("creator"),
                "release_date": release,
                "open_weights": cell.boolean("open_weights"),
                "parameters_b": float(parameters) if parameters is not None else float("nan"),
                "retired_date": retired,
                "reasoning": cell.boolean("reasoning"),
                "source_url": cell.url("source_url"),
                "retired_source_url": retired_source,
            }
        )
    frame = _frame(rows, MODEL_COLUMNS, dates=("release_date", "retired_date"))
    frame["parameters_b"] = frame["parameters_b"].astype("float64")
    return frame


def load_aliases(folder: Path | None = None, models: pd.DataFrame | None = None) -> pd.DataFrame:
    """Names that sources use for catalog models, each valid over ``[valid_from, valid_to)`` (blank: always).

    An alias (compared case-insensitively) names one model at any one time: two rows of the same
    alias may name two models only over date ranges that do not overlap (``gpt-4o`` named one
    snapshot until a day, the next one after it). A dated row's range is what its ``source_url``
    states.
    """
    path = _file(folder, ALIASES_FILE)
    known = _known_ids(folder, models)
    rows: list[dict[str, object]] = []
    spans: dict[str, list[tuple[str, pd.Timestamp | None, pd.Timestamp | None, int]]] = {}
    seen: dict[tuple[str, str, object], int] = {}
    for line, raw in _read(path, ALIAS_COLUMNS, optional=OPTIONAL_ALIAS_COLUMNS):
        cell = _Cells(path, line, raw)
        alias = cell.text("alias")
        model_id = cell.known_model(known)
        seen_in = cell.slug("seen_in")
        valid_from = cell.date("valid_from", required=False)
        valid_to = cell.date("valid_to", required=False)
        if valid_from is not None and valid_to is not None and valid_to <= valid_from:
            raise cell.error(f"valid_to {raw['valid_to']} must be after valid_from {raw['valid_from']}")
        key = alias.casefold()
        for other, start, end, other_line in spans.get(key, []):
            if other != model_id and _overlap(start, end, valid_from, valid_to):
                dated = "" if start is None and end is None and valid_from is None and valid_to is None else " over overlapping dates"
                raise cell.error(f"alias {alias!r} maps to {model_id!r} here but to {other!r} on line {other_line}{dated}")
        spans.setdefault(key, []).append((model_id, valid_from, valid_to, line))
        if (key, seen_in, valid_from) in seen:
            raise cell.error(f"duplicate alias {alias!r} for {seen_in!r} (first on line {seen[(key, seen_in, valid_from)]})")
        seen[(key, seen_in, valid_from)] = line
        rows.append({"alias": alias, "model_id": model_id, "seen_in": seen_in, "source_url": cell.url("source_url"),
                     "valid_from": valid_from, "valid_to": valid_to})
    return _frame(rows, ALIAS_COLUMNS, dates=("valid_from", "valid_to"))


def _overlap(start_a: pd.Timestamp | None, end_a: pd.Timestamp | None,
             start_b: pd.Timestamp | None, end_b: pd.Timestamp | None) -> bool:
    """Whether two half-open ranges ``[start, end)`` (None: unbounded) share an instant."""
    return (end_b is None or start_a is None or start_a < end_b) and (end_a is None or start_b is None or start_b < end_a)


def load_scores(folder: Path | None = None, models: pd.DataFrame | None = None) -> pd.DataFrame:
    """Benchmark scores: ``score`` is 0-100 (percent correct) except Elo benchmarks, kept as is."""
    path = _file(folder, SCORES_FILE)
    known = _known_ids(folder, models)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, raw in _read(path, SCORE_COLUMNS):
        cell = _Cells(path, line, raw)
        model_id = cell.known_model(known)
        benchmark = cell.slug("benchmark")
        score = cell.decimal("score")
        if benchmark in ELO_BENCHMARKS:
            if score <= 0:
                raise cell.error(f"{benchmark} must be a positive rating, got {raw['score']!r}")
        elif not Decimal(0) <= score <= Decimal(100):
            raise cell.error(f"{benchmark} score must be on a 0-100 scale, got {raw['score']!r}")
        setting = cell.text("setting")
        source_name = cell.text("source_name")
        key = (model_id, benchmark, setting, source_name)
        if key in seen:
            raise cell.error(
                f"duplicate score for {model_id} {benchmark} ({setting}) from {source_name!r} (first on line {seen[key]})"
            )
        seen[key] = line
        rows.append(
            {
                "model_id": model_id,
                "benchmark": benchmark,
                "score": float(score),
                "setting": setting,
                "self_reported": cell.boolean("self_reported"),
                "source_name": source_name,
                "source_url": cell.url("source_url"),
                "reported_at": cell.date("reported_at"),
            }
        )
    frame = _frame(rows, SCORE_COLUMNS, dates=("reported_at",))
    frame["score"] = frame["score"].astype("float64")
    return frame


def load_prices(folder: Path | None = None, models: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dated list prices, exact ``Decimal`` USD per 1M tokens, valid over ``[valid_from, valid_to)``.

    ``valid_to`` is blank when the price held until superseded by the next row of the same
    (provider, model_key), or until the model's retirement; it is set when the price ended
    without a successor (a promotion, a model withdrawn from one provider). Prices must be
    > 0 unless ``is_free`` is true, and rows of one (provider, model_key) must not overlap.
    """
    path = _file(folder, PRICES_FILE)
    if models is None:
        models = load_models(folder)
    known = set(models["model_id"])
    released = dict(zip(models["model_id"], models["release_date"], strict=True))
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    for line, raw in _read(path, PRICE_COLUMNS, optional=("last_confirmed_url",)):
        cell = _Cells(path, line, raw)
        model_id = cell.known_model(known)
        valid_from = cell.date("valid_from")
        valid_to = cell.date("valid_to", required=False)
        if valid_to is not None and valid_to <= valid_from:
            raise cell.error(f"valid_to {raw['valid_to']} must be after valid_from {raw['valid_from']}")
        last_confirmed = cell.date("last_confirmed", required=False) or valid_from
        if last_confirmed < valid_from or (valid_to is not None and last_confirmed >= valid_to):
            raise cell.error(f"last_confirmed {raw['last_confirmed']} must be within [valid_from, valid_to)")
        if last_confirmed > pd.Timestamp.now(tz="UTC"):
            raise cell.error(f"last_confirmed {raw['last_confirmed']} is in the future")
        confirmed_url = cell.url("last_confirmed_url") if (raw.get("last_confirmed_url") or "").strip() else None
        if confirmed_url is not None and not (raw.get("last_confirmed") or "").strip():
            raise cell.error("last_confirmed_url cites a confirmation: last_confirmed must say its date")
        if valid_from < released[model_id]:
            raise cell.error(
                f"valid_from {raw['valid_from']} is before {model_id}'s release_date {released[model_id].date()}"
            )
        is_free = cell.boolean("is_free", default=False)
        prices = {
            column: cell.decimal(column, required=column != "cached_input_usd_per_mtok")
            for column in ("input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok")
        }
        for column, value in prices.items():
            if value is None:
                continue
            if value < 0 or (value == 0 and not is_free):
                raise cell.error(f"{column} must be > 0 (or is_free=true), got {raw[column]!r}")
        rows.append(
            {
                "model_id": model_id,
                "provider": cell.slug("provider"),
                "model_key": cell.text("model_key"),
                "valid_from": valid_from,
                "valid_to": valid_to,
                **prices,
                "is_free": is_free,
                "source_url": cell.url("source_url"),
                "note": (raw.get("note") or "").strip(),
                "last_confirmed": last_confirmed,
                "last_confirmed_url": confirmed_url,
            }
        )
        lines.append(line)
    _check_price_intervals(path, rows, lines)
    return _frame(rows, PRICE_COLUMNS, dates=("valid_from", "valid_to", "last_confirmed"))


def _check_price_intervals(path: Path, rows: list[dict[str, object]], lines: list[int]) -> None:
    """No two rows for one (model_id, provider, model_key) start on the same day or overlap."""
    by_key: dict[tuple[object, object, object], list[int]] = {}
    for index, row in enumerate(rows):
        by_key.setdefault((row["model_id"], row["provider"], row["model_key"]), []).append(index)
    for key, indexes in by_key.items():
        indexes.sort(key=lambda i: rows[i]["valid_from"])  # type: ignore[arg-type, return-value]
        for before, after in zip(indexes, indexes[1:]):
            start_before, end_before = rows[before]["valid_from"], rows[before]["valid_to"]
            start_after = rows[after]["valid_from"]
            if start_before == start_after:
                raise ReferenceDataError(
                    f"{path.name} line {lines[after]}: duplicate price for {'/'.join(map(str, key))} "
                    f"from {start_after.date()} (also on line {lines[before]})"  # type: ignore[attr-defined]
                )
            if end_before is not None and end_before > start_after:  # type: ignore[operator]
                raise ReferenceDataError(
                    f"{path.name} line {lines[after]}: price for {'/'.join(map(str, key))} from "
                    f"{start_after.date()} overlaps the row on line {lines[before]}, "  # type: ignore[attr-defined]
                    f"valid to {end_before.date()}"  # type: ignore[attr-defined]
                )


# --- reading and cell checks ------------------------------------------------------------------


def _file(folder: Path | None, name: str) -> Path:
    path = (Path(folder) if folder is not None else default_reference_dir()) / name
    if not path.is_file():
        raise ReferenceDataError(f"{name}: file not found at {path}")
    return path


def _read(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; the header must hold every column not in ``optional``."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in columns if column not in header and column not in optional]
        if missing:
            raise ReferenceDataError(f"{path.name} line 1: missing column(s) {', '.join(missing)}")
        extra = [column for column in header if column not in columns]
        if extra:
            raise ReferenceDataError(f"{path.name} line 1: unknown column(s) {', '.join(extra)}")
        count = 0
        for row in reader:
            if None in row:
                raise ReferenceDataError(f"{path.name} line {reader.line_num}: more cells than columns")
            count += 1
            yield reader.line_num, {key: (value or "") for key, value in row.items()}
        if count == 0:
            raise ReferenceDataError(f"{path.name}: no rows")


def _known_ids(folder: Path | None, models: pd.DataFrame | None) -> set[str]:
    return set((models if models is not None else load_models(folder))["model_id"])


def _frame(rows: list[dict[str, object]], columns: tuple[str, ...], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    return frame


class _Cells:
    """Typed access to one CSV row; every failure names the file, line and column."""

    def __init__(self, path: Path, line: int, raw: dict[str, str]) -> None:
        self.path, self.line, self.raw = path, line, raw

    def error(self, problem: str) -> ReferenceDataError:
        return ReferenceDataError(f"{self.path.name} line {self.line}: {problem}")

    def _value(self, column: str, required: bool) -> str | None:
        value = self.raw.get(column, "").strip()
        if not value:
            if required:
                raise self.error(f"{column} is empty")
            return None
        return value

    def text(self, column: str) -> str:
        return self._value(column, True)  # type: ignore[return-value]

    def _matching(self, column: str, pattern: re.Pattern[str], what: str) -> str:
        value = self.text(column)
        if not pattern.match(value):
            raise self.error(f"{column} {value!r} is not {what}")
        return value

    def model_id(self, column: str) -> str:
        return self._matching(column, _MODEL_ID, "a model_id (lowercase letters, digits, '-', '.', '_')")

    def slug(self, column: str) -> str:
        return self._matching(column, _SLUG, "a lowercase identifier")

    def known_model(self, known: set[str]) -> str:
        model_id = self.text("model_id")
        if model_id not in known:
            raise self.error(f"model_id {model_id!r} is not in {MODELS_FILE}")
        return model_id

    def url(self, column: str) -> str:
        value = self._value(column, False)
        if value is None:
            raise self.error(f"{column} is empty: every row must cite its source")
        if not value.startswith(("https://", "http://")) or any(char.isspace() for char in value):
            raise self.error(f"{column} {value!r} is not an http(s) URL")
        return value

    def boolean(self, column: str, default: bool | None = None) -> bool:
        value = self._value(column, default is None)
        if value is None:
            return bool(default)
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.error(f"{column} must be true or false, got {value!r}")

    @overload
    def date(self, column: str, required: Literal[True] = True) -> pd.Timestamp: ...
    @overload
    def date(self, column: str, required: bool) -> pd.Timestamp | None: ...
    def date(self, column: str, required: bool = True) -> pd.Timestamp | None:
        value = self._value(column, required)
        if value is None:
            return None
        if not _DATE.match(value):
            raise self.error(f"{column} {value!r} is not a date (YYYY-MM-DD)")
        try:
            return pd.Timestamp(value, tz="UTC")
        except ValueError as exc:
            raise self.error(f"{column} {value!r} is not a real date") from exc

    @overload
    def decimal(self, column: str, required: Literal[True] = True) -> Decimal: ...
    @overload
    def decimal(self, column: str, required: bool) -> Decimal | None: ...
    def decimal(self, column: str, required: bool = True) -> Decimal | None:
        value = self._value(column, required)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation as exc:
            raise self.error(f"{column} {value!r} is not a number") from exc
        if not number.is_finite():
            raise self.error(f"{column} {value!r} is not a finite number")
        return number
