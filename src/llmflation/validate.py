"""The gate before publishing: checks that can fail, each tested with the bad data it exists to catch.

Kinds of finding (``Finding.severity``):

- ``error``: the release as a whole is wrong (a table off its schema, duplicate keys, an
  unreadable allowlist). The run refuses to publish; the last good release stays ``latest``.
  ``provenance``: a price row without a well-formed capture hash, id, URL or parser is such an
  error: the build attaches provenance to every row, so its absence is a defect, not bad data.
- ``held_out``: some rows are suspect. They are removed from this release and listed in the
  report; the rest publishes. Checks that hold rows out:
    * ``source_dates``: observed before the source existed, after it ended, in the future,
      or from a source the registry does not know.
    * ``price_range``: a token price outside (0, 1000] USD per 1M (or non-zero while free).
    * ``price_jump``: a price more than 20x away from the previous accepted observation of
      the same (source, provider, model, tier): the classic per-1K vs per-1M slip.
    * ``cross_provider``: a price more than 1000x away from the median price of the same
      model at the other providers.
    * ``source_agreement``: a pricing-page row more than 10% from two or more price APIs that
      agree with each other on the same model within 7 days (``crosscheck.py``): the page's
      parser has most likely misread it. Listed with both APIs' prices and captures.
- ``accepted``: a row ``price_jump``, ``cross_provider`` or ``source_agreement`` would hold out,
  accepted by an entry of ``data/reference/allowlist.csv`` (date, source, model_key, reason, link).
- ``info``: what a check measured, for the printed summary (how many page prices agree with
  the price APIs).
- ``kept_previous`` (drift): a source whose price rows fell by more than half against the last
  release keeps that release's rows for this source, instead of silently shrinking; and a
  source address whose newest capture yields fewer than half the rows of the newest capture in
  the last release (a layout change the parser half-reads) has that capture held out, so its
  last good capture stays the current one, until the parser is fixed or an allowlist entry with
  ``model_key`` ``*`` accepts the change.
"""

from __future__ import annotations

import csv
import logging
import re
from collections import defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import pandas as pd

from llmflation.frames import column_values, per_distinct
from llmflation.crosscheck import CrossCheck, cross_check
from llmflation.schema import TABLES, to_arrow
from llmflation.sources import Source, UnknownSourceError, get_source

log = logging.getLogger(__name__)

#: Token prices outside (0, MAX] USD per 1M are held out unless flagged free. The dearest
#: list price ever published (o1-pro output, $600/M) sits well inside.
MAX_USD_PER_MTOK = Decimal(1000)
#: Consecutive observations of one price further apart than this factor are suspect.
MAX_JUMP_FACTOR = Decimal(20)
#: A price further than this factor from the same model's price elsewhere is suspect.
MAX_CROSS_PROVIDER_FACTOR = Decimal(1000)
#: A source whose rows fall below this share of the last release's rows has drifted.
DRIFT_MIN_SHARE = Decimal("0.5")
#: Newest captures are compared only when the last good one had at least this many rows:
#: short lists (one model's providers) rise and fall by more than half in the normal course.
DRIFT_MIN_ROWS = 10

PRICE_COLUMNS = ("input_usd_per_mtok", "output_usd_per_mtok")
ALLOWLIST_COLUMNS = ("date", "source", "model_key", "reason", "link")
REPORT_ROW_LIMIT = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AllowlistError(ValueError):
    """``allowlist.csv`` is malformed: the message names the file, the line and the problem."""


@dataclass(frozen=True)
class AllowEntry:
    """An accepted suspect price: rows of ``source``/``model_key`` observed on or after ``since``."""

    since: date
    source: str
    model_key: str
    reason: str
    link: str
    line: int = 0

    def accepts(self, source_id: str, model_key: str, observed_at: datetime) -> bool:
        return (source_id == self.source and model_key == self.model_key
                and observed_at.astimezone(UTC).date() >= self.since)


@dataclass
class Finding:
    check: str
    severity: str  # "error" | "held_out" | "accepted" | "kept_previous" | "warning" | "info"
    table: str
    message: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def models(self) -> list[dict[str, Any]]:
        """One entry per (source, provider, model) among the rows: what an allowlist entry would name."""
        grouped: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
        for row in self.rows:
            if "model_key" not in row:
                continue
            key = (row.get("source_id"), row.get("provider"), row.get("model_key"))
            entry = grouped.setdefault(key, {"source": key[0], "provider": key[1], "model_key": key[2],
                                             "first_observed_at": row.get("observed_at"), "reason": row.get("reason"),
                                             "n_rows": 0})
            entry["n_rows"] += 1
            if str(row.get("observed_at")) < str(entry["first_observed_at"]):
                entry["first_observed_at"], entry["reason"] = row.get("observed_at"), row.get("reason")
        return list(grouped.values())

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "severity": self.severity, "table": self.table, "message": self.message,
                "models": self.models()[:REPORT_ROW_LIMIT], "rows": self.rows[:REPORT_ROW_LIMIT], "n_rows": len(self.rows)}


@dataclass
class ValidationResult:
    tables: dict[str, pd.DataFrame]
    findings: list[Finding]
    #: Per-source summary of the pages-vs-price-APIs cross-check (``CrossCheck.summary``), for the report.
    source_agreement: dict[str, Any] = field(default_factory=dict)
    #: The tables whose schema and keys passed, as they were checked: a later check of the very
    #: same frame (``check_tables`` after the analysis) need not convert it again.
    checked: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def held_out(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "held_out"]

    def lines(self) -> list[str]:
        """One line per finding, for the run's printed summary (details are in the report)."""
        return [f"validation {f.check}: {f.severity}: {f.message}" for f in self.findings]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.to_json() for f in self.findings]}


def load_allowlist(path: Path) -> list[AllowEntry]:
    """The allowlist's entries; none when the file does not exist.

    Every entry needs a date (YYYY-MM-DD: the first observation it accepts), the source id,
    the source's model key, a reason and an http(s) link to the evidence.
    """
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ALLOWLIST_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AllowlistError(f"{path}: missing column(s) {missing}; expected {list(ALLOWLIST_COLUMNS)}")
    entries = []
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in ALLOWLIST_COLUMNS}
        empty = [k for k, v in values.items() if not v]
        if empty:
            raise AllowlistError(f"{path}:{line}: empty {empty}: every entry needs a date, source, model_key, reason and link")
        try:
            since = date.fromisoformat(values["date"])
        except ValueError as exc:
            raise AllowlistError(f"{path}:{line}: date {values['date']!r} is not YYYY-MM-DD") from exc
        if not values["link"].startswith(("https://", "http://")):
            raise AllowlistError(f"{path}:{line}: link {values['link']!r} is not an http(s) URL")
        entries.append(AllowEntry(since, values["source"], values["model_key"], values["reason"], values["link"], line))
    return entries


def validate(
    tables: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame] | None = None,
    allowlist: Iterable[AllowEntry] = (),
    now: datetime | None = None,
) -> ValidationResult:
    """Keep drifted sources' last good rows, hold out suspect rows, then check every table's schema and keys.

    ``previous`` holds the last release's tables (for drift); ``now`` bounds observation
    dates (default: the current time).
    """
    findings: list[Finding] = []
    tables = dict(tables)
    allowed = list(allowlist)
    agreement: dict[str, Any] = {}
    if "prices" in tables:
        prices = tables["prices"]
        if previous and previous.get("prices") is not None:
            prices = keep_previous_on_drift(prices, previous["prices"], findings)
            prices = hold_out_shrunken_newest_capture(prices, previous["prices"], findings, allowed)
        findings.extend(check_provenance(prices))
        prices = hold_out_outside_source_life(prices, findings, now or datetime.now(UTC))
        prices = hold_out_out_of_range(prices, findings)
        prices = hold_out_price_jumps(prices, findings, allowed)
        prices = hold_out_cross_provider_outliers(prices, findings, allowed)
        checked = cross_check(prices)
        prices = hold_out_contradicted_page_prices(prices, checked, findings, allowed)
        tables["prices"] = prices
        tables["source_agreement"] = checked.table()
        agreement = checked.summary()
    passed = {}
    for name, frame in tables.items():
        found = check_table(name, frame)
        findings.extend(found)
        if not found:
            passed[name] = frame
    for finding in findings:
        level = {"error": logging.ERROR, "info": logging.INFO}.get(finding.severity, logging.WARNING)
        log.log(level, "validation %s (%s): %s", finding.check, finding.severity, finding.message)
    return ValidationResult(tables, findings, agreement, passed)


def check_tables(tables: dict[str, pd.DataFrame], earlier: Iterable[Finding] = (),
                 checked: dict[str, pd.DataFrame] | None = None) -> ValidationResult:
    """Schema, types and keys of every table, no row checks: for tables derived from validated prices.

    ``earlier`` findings (the gate's held-out rows and drift) are carried into the result.
    ``checked``: tables that already passed (``ValidationResult.checked``); a table that is the
    very same frame object is not converted again. The stages replace a table with a new frame,
    never edit one in place, so the same object means the same rows.
    """
    findings = list(earlier)
    passed = {}
    for name, frame in tables.items():
        if checked is not None and checked.get(name) is frame:
            passed[name] = frame
            continue
        found = check_table(name, frame)
        for finding in found:
            log.error("validation %s (%s): %s", finding.check, finding.severity, finding.message)
            findings.append(finding)
        if not found:
            passed[name] = frame
    return ValidationResult(dict(tables), findings, checked=passed)


def check_table(name: str, frame: pd.DataFrame) -> list[Finding]:
    """Schema, types and unique keys of one table: errors, which stop the publish."""
    spec = TABLES.get(name)
    if spec is None:
        return [Finding("known_table", "error", name, f"table {name} has no schema")]
    try:
        to_arrow(spec, frame)
    except ValueError as exc:
        return [Finding("schema", "error", name, str(exc))]
    if spec.primary_key and len(frame):
        keyed = frame.reindex(columns=spec.column_names)  # key columns a table may leave out are nulls
        dupes = keyed[keyed.duplicated(list(spec.primary_key), keep=False)]
        if len(dupes):
            return [Finding("unique_key", "error", name, f"{len(dupes)} rows share a key {spec.primary_key}",
                            _rows(dupes, list(spec.primary_key)))]
    return []


# --- drift -------------------------------------------------------------------------------


def keep_previous_on_drift(prices: pd.DataFrame, previous: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """Sources with fewer than half their rows of the last release keep that release's rows.

    The prices table grows as captures accumulate, so a fall means captures stopped parsing
    (a broken parser version, a page whose layout changed) or went missing: publishing the
    shrunken table would silently erase history.
    """
    if previous.empty or "source_id" not in previous.columns:
        return prices
    new_counts = prices["source_id"].value_counts() if len(prices) else pd.Series(dtype=int)
    drifted = []
    for source_id, n_prev in previous["source_id"].value_counts().items():
        n_new = int(new_counts.get(source_id, 0))
        if Decimal(n_new) < DRIFT_MIN_SHARE * Decimal(int(n_prev)):
            drifted.append({"source_id": str(source_id), "rows_now": n_new, "rows_in_last_release": int(n_prev)})
    if not drifted:
        return prices
    ids = {d["source_id"] for d in drifted}
    kept = previous[previous["source_id"].isin(ids)]
    out = pd.concat([prices[~prices["source_id"].isin(ids)], kept.reindex(columns=prices.columns)], ignore_index=True)
    for d in drifted:
        findings.append(Finding(
            "drift", "kept_previous", "prices",
            f"source {d['source_id']}: {d['rows_now']} price rows now against {d['rows_in_last_release']} in the last "
            f"release (fell by more than half): the last release's rows for this source are kept",
            [d],
        ))
    return out


def hold_out_shrunken_newest_capture(prices: pd.DataFrame, previous: pd.DataFrame, findings: list[Finding],
                                     allowlist: list[AllowEntry]) -> pd.DataFrame:
    """Per (source, address): a newer capture showing fewer than half the rows the last release's newest
    showed is held out; the listing's rows stay as the last release had them (the last good capture current)."""
    if prices.empty or previous.empty:
        return prices
    last_good = _newest_capture_rows(previous)
    newest = _newest_capture_rows(prices)
    held: list[dict[str, Any]] = []
    for key, (observed, n_rows) in newest.items():
        before = last_good.get(key)
        if before is None or observed <= before[0] or before[1] < DRIFT_MIN_ROWS:
            continue
        if Decimal(n_rows) >= DRIFT_MIN_SHARE * Decimal(before[1]):
            continue
        if any(e.accepts(key[0], "*", observed) for e in allowlist):
            continue
        held.append({"source_id": key[0], "capture_url": key[1], "newest_capture_at": observed.isoformat(), "rows_now": n_rows,
                     "last_good_capture_at": before[0].isoformat(), "rows_in_last_good_capture": before[1]})
    if not held:
        return prices
    for row in held:
        findings.append(Finding(
            "drift", "kept_previous", "prices",
            f"source {row['source_id']}: newest capture of {row['capture_url']} shows {row['rows_now']} prices "
            f"against {row['rows_in_last_good_capture']} in the last good one (fell by more than half): held out, "
            f"the listing's rows stay as the last release had them",
            [row],
        ))
    listings = pd.MultiIndex.from_tuples([(row["source_id"], row["capture_url"]) for row in held])
    kept = previous[_listing_index(previous).isin(listings)].reindex(columns=prices.columns)
    return pd.concat([prices[~_listing_index(prices).isin(listings)], kept], ignore_index=True)


def _listing_index(prices: pd.DataFrame) -> pd.MultiIndex:
    """Each row's (source_id, capture_url): the listing it came from."""
    return pd.MultiIndex.from_arrays([prices["source_id"].astype(str), prices["capture_url"].astype(str)])


def _newest_capture_rows(prices: pd.DataFrame) -> dict[tuple[str, str], tuple[datetime, int]]:
    """Per (source_id, capture_url): the time of the listing's newest capture and how many rows it shows
    (the rows seen last then and not ended since)."""
    last = pd.to_datetime(prices["last_observed_at"].fillna(prices["observed_at"]), utc=True)
    shown = prices["ended_at"].isna() if "ended_at" in prices.columns else pd.Series(True, index=prices.index)
    frame = pd.DataFrame({"source_id": prices["source_id"].astype(str), "capture_url": prices["capture_url"].astype(str),
                          "last": last, "shown": shown.to_numpy()})
    newest = frame.groupby(["source_id", "capture_url"], sort=False)["last"].transform("max")
    counts = frame[(frame["last"] == newest) & frame["shown"]].groupby(["source_id", "capture_url"], sort=False).agg(
        observed=("last", "max"), n=("last", "size"))
    out: dict[tuple[str, str], tuple[datetime, int]] = {}
    for (source_id, url), row in zip(counts.index, counts.itertuples(index=False), strict=True):
        when = _utc(row.observed)
        if when is not None:
            out[(str(source_id), str(url))] = (when, int(row.n))
    return out


# --- row checks that hold rows out -------------------------------------------------------


def check_provenance(prices: pd.DataFrame) -> list[Finding]:
    """Every published price must lead back to stored bytes: hash, capture id, URL and parser."""
    if prices.empty:
        return []

    def holds(column: str, test: Any) -> Any:
        return per_distinct(prices[column].tolist(), lambda value: bool(test(value)), dtype=bool)

    good = (holds("capture_sha256", lambda sha: isinstance(sha, str) and _SHA256.match(sha))
            & holds("capture_id", _text) & holds("capture_url", _text) & holds("parser", _text))
    mask = pd.Series(~good, index=prices.index, dtype=bool)
    if not mask.any():
        return []
    return [Finding("provenance", "error", "prices",
                    f"{int(mask.sum())} price rows without a well-formed capture sha256, capture id, URL or parser",
                    _rows(prices[mask], _ROW_COLUMNS))]


def hold_out_outside_source_life(prices: pd.DataFrame, findings: list[Finding], now: datetime) -> pd.DataFrame:
    """Rows observed outside the years the registry gives their source, or in the future."""
    if prices.empty:
        return prices
    limit = now + timedelta(days=1)
    reasons: dict[int, str] = {}
    life: dict[str, tuple[int, int | None] | None] = {}

    def reason(source_id: object, observed: object) -> str | None:
        when = _utc(observed)
        if source_id not in life:
            try:
                life[source_id] = source_years(get_source(str(source_id)))  # type: ignore[index]
            except UnknownSourceError:
                life[source_id] = None  # type: ignore[index]
        years = life[source_id]  # type: ignore[index]
        if years is None:
            return f"source {source_id!r} is not in the registry"
        if when is None:
            return "no observation time"
        first, last = years
        if when.year < first:
            return f"observed {when:%Y-%m-%d}, before the source existed ({first})"
        if last is not None and when.year > last:
            return f"observed {when:%Y-%m-%d}, after the source ended ({last})"
        if when > limit:
            return f"observed {when:%Y-%m-%d}, in the future"
        return None

    decided: dict[tuple[object, object], str | None] = {}  # per distinct (source, time): a year of rows shares a few thousand
    for index, source_id, observed in zip(prices.index, prices["source_id"].tolist(), column_values(prices["observed_at"])):
        key = (source_id, observed)
        if key not in decided:
            decided[key] = reason(source_id, observed)
        if decided[key] is not None:
            reasons[index] = decided[key]  # type: ignore[assignment]
    mask = pd.Series(prices.index.isin(list(reasons)), index=prices.index)
    return _hold_out(prices, mask, findings, "source_dates",
                     f"{len(reasons)} price rows observed outside their source's life in the registry",
                     reasons)


def source_years(source: Source) -> tuple[int, int | None]:
    """First and last year (inclusive) of any of the source's addresses; None while it is current."""
    first = min(u.since for u in source.urls)
    ends = [u.until for u in source.urls]
    return first, (None if any(e is None for e in ends) else max(e for e in ends if e is not None))


def hold_out_out_of_range(prices: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """Token prices must be in (0, 1000] USD per 1M, or exactly 0 when the row is flagged free."""
    if prices.empty:
        return prices

    def bad(value: object, free: bool) -> bool:
        amount = _decimal(value)
        if amount is None:
            return False
        if free:
            return amount != 0
        return not (Decimal(0) < amount <= MAX_USD_PER_MTOK)

    decided: dict[tuple[object, bool], bool] = {}  # per distinct (amount, free)

    def bad_once(value: object, free: bool) -> bool:  # price cells are Decimal, str, float or None: hashable
        key = (value, free)
        if key not in decided:
            decided[key] = bad(value, free)
        return decided[key]

    mask = pd.Series(False, index=prices.index)
    free = _free(prices).tolist()
    for column in PRICE_COLUMNS:
        mask |= pd.Series([bad_once(v, f) for v, f in zip(prices[column].tolist(), free)], index=prices.index)
    return _hold_out(prices, mask, findings, "price_range",
                     f"{int(mask.sum())} price rows outside (0, {MAX_USD_PER_MTOK}] USD per 1M tokens "
                     f"(or non-zero while flagged free)")


def hold_out_price_jumps(prices: pd.DataFrame, findings: list[Finding], allowlist: list[AllowEntry]) -> pd.DataFrame:
    """A price more than 20x from the previous accepted observation of the same price is suspect.

    Observations of one (source, provider, model_key, tier) are walked in time order; each
    price is compared with the last one that was kept, so one bad capture is held out while
    the captures around it stay. A genuine change that large is accepted by an allowlist entry
    dated at its first observation; the accepted price becomes the new reference.
    """
    if prices.empty:
        return prices
    ordered = prices.sort_values(["observed_at", "capture_id"], kind="stable")
    key_columns = ["source_id", "provider", "model_key", "tier"]
    ordered = ordered[_jump_candidates(ordered, key_columns)]  # the other series cannot have moved 20x
    reference: dict[tuple[Any, ...], dict[str, Decimal]] = {}
    reasons: dict[int, str] = {}
    accepted: dict[int, AllowEntry] = {}
    for index, row in zip(ordered.index, _fast_rows(ordered)):
        if bool(row.is_free):
            continue
        key = (row.source_id, row.provider, row.model_key, row.tier)
        current = {c: v for c in PRICE_COLUMNS if (v := _decimal(getattr(row, c))) is not None and v > 0}
        last = reference.get(key)
        moved = []
        if last:
            for column, value in current.items():
                before = last.get(column)
                if before is not None and _factor(value, before) > MAX_JUMP_FACTOR:
                    moved.append(f"{column} {before} -> {value} ({_factor(value, before):.0f}x)")
        if moved:
            entry = _allowed(allowlist, row)
            if entry is None:
                reasons[index] = "moved more than 20x since the previous observation: " + "; ".join(moved)
                continue
            accepted[index] = entry
        reference[key] = {**(last or {}), **current}
    _record_accepted(ordered, accepted, findings, "price_jump")
    mask = pd.Series(prices.index.isin(list(reasons)), index=prices.index)
    return _hold_out(prices, mask, findings, "price_jump",
                     f"{len(reasons)} price rows moved more than {MAX_JUMP_FACTOR}x between consecutive "
                     f"observations of the same model at the same provider", reasons)


def hold_out_cross_provider_outliers(prices: pd.DataFrame, findings: list[Finding], allowlist: list[AllowEntry]) -> pd.DataFrame:  # noqa: C901
    """A price more than 1000x from the same model's median price at the other providers is suspect.

    The same model is the catalog's ``model_id`` when matched, else the model key's last path
    segment, lower-cased, without a ``:variant`` suffix. With only two providers neither can
    outvote the other, so both sides of a 1000x gap are held out until someone looks.
    """
    if prices.empty:
        return prices
    identity_of: dict[tuple[object, object], str] = {}  # per distinct (model_id, model_key)
    identities = [identity_of.get(pair) or identity_of.setdefault(pair, _model_identity(_Named(*pair)))
                  for pair in zip(_values(prices, "model_id"), _values(prices, "model_key"))]
    screened = _cross_provider_candidates(prices, identities)
    subset = prices[screened]  # a model no float screen finds near 1000x apart has no such row
    identities = [identity for identity, kept in zip(identities, screened) if kept]
    rows = _fast_rows(subset)
    per_provider: dict[tuple[str, str, str], dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for row, identity in zip(rows, identities):
        if bool(row.is_free):
            continue
        for column in PRICE_COLUMNS:
            value = _decimal(getattr(row, column))
            if value is not None and value > 0:
                per_provider[(identity, str(row.tier), column)][str(row.provider)].append(value)
    medians = {key: {p: Decimal(median(v)) for p, v in providers.items()} for key, providers in per_provider.items()
               if len(providers) > 1}
    if not medians:
        return prices
    reasons: dict[int, str] = {}
    accepted: dict[int, AllowEntry] = {}
    elsewhere_of: dict[tuple[tuple[str, str, str], str], Decimal] = {}  # the same for every row of one provider
    for index, row, identity in zip(subset.index, rows, identities):
        if bool(row.is_free):
            continue
        far = []
        for column in PRICE_COLUMNS:
            value = _decimal(getattr(row, column))
            key = (identity, str(row.tier), column)
            by_provider = medians.get(key)
            if value is None or value <= 0 or by_provider is None:
                continue
            elsewhere = elsewhere_of.get((key, str(row.provider)))
            if elsewhere is None:
                elsewhere = elsewhere_of[(key, str(row.provider))] = Decimal(
                    median([m for p, m in by_provider.items() if p != str(row.provider)]))
            if _factor(value, elsewhere) > MAX_CROSS_PROVIDER_FACTOR:
                far.append(f"{column} {value} against {elsewhere} elsewhere ({_factor(value, elsewhere):.0f}x)")
        if far:
            entry = _allowed(allowlist, row)
            if entry is None:
                reasons[index] = f"more than {MAX_CROSS_PROVIDER_FACTOR}x from the same model at other providers: " + "; ".join(far)
            else:
                accepted[index] = entry
    _record_accepted(subset, accepted, findings, "cross_provider")
    mask = pd.Series(prices.index.isin(list(reasons)), index=prices.index)
    return _hold_out(prices, mask, findings, "cross_provider",
                     f"{len(reasons)} price rows more than {MAX_CROSS_PROVIDER_FACTOR}x from the same model's price "
                     f"at other providers", reasons)


def hold_out_contradicted_page_prices(prices: pd.DataFrame, checked: CrossCheck, findings: list[Finding],
                                      allowlist: list[AllowEntry]) -> pd.DataFrame:
    """Page rows that two price APIs, agreeing with each other, contradict by more than 10%.

    ``checked`` is the cross-check of these prices (``crosscheck.cross_check``). Each held-out
    row is listed with every API's price and capture (``apis``). An allowlist entry for the
    page's source and model key, dated at or before the row, accepts it (a page ahead of the
    APIs on a price change). Also adds one ``info`` finding, the run's printed line: how many
    page prices agree with the APIs.
    """
    if checked.outcomes:
        findings.append(Finding("source_agreement", "info", "source_agreement", checked.line()))
    contradicted = {outcome.page_key(): outcome for outcome in checked.contradicted()}
    if not contradicted:
        return prices
    keys = zip(prices["capture_id"].tolist(), prices["provider"].tolist(), prices["model_key"].tolist(),
               prices["tier"].tolist())
    reasons: dict[int, str] = {}
    details: dict[int, dict[str, Any]] = {}
    accepted: dict[int, AllowEntry] = {}
    for index, key, row in zip(prices.index, keys, _fast_rows(prices)):
        outcome = contradicted.get(key)
        if outcome is None:
            continue
        entry = _allowed(allowlist, row)
        if entry is not None:
            accepted[index] = entry
            continue
        reasons[index] = outcome.reason or ""
        details[index] = {"apis": [pair.evidence() for pair in outcome.pairs]}
    _record_accepted(prices, accepted, findings, "source_agreement")
    mask = pd.Series(prices.index.isin(list(reasons)), index=prices.index)
    return _hold_out(prices, mask, findings, "source_agreement",
                     f"{len(reasons)} pricing-page rows more than 10% from two or more price APIs that agree with "
                     f"each other within 7 days", reasons, details)


# --- float screens ------------------------------------------------------------------------
#
# The row checks compare exact decimals, row by row. Over a year of nightly versions that walk
# costs seconds, and almost every series is nowhere near a limit. A screen computes the same
# factors in float64 for all rows at once and passes on to the exact walk only the series
# (each check decides a series from its own rows alone) where a factor comes within
# ``_SCREEN_MARGIN`` of its limit; floats are within 1e-15 of the decimals, so a series the
# exact walk would flag is never screened out.

_SCREEN_MARGIN = 1e-6

_Named = namedtuple("_Named", ["model_id", "model_key"])


def _values(prices: pd.DataFrame, column: str) -> list[Any]:
    return prices[column].tolist() if column in prices.columns else [None] * len(prices)


def _amounts(prices: pd.DataFrame, column: str) -> Any:
    """A price column as float64, once per distinct value: NaN where the checks see no amount, and
    infinity for a non-finite decimal (so its series goes to the exact walk, which rejects it)."""
    def as_float(value: object) -> float:
        amount = _decimal(value)
        return float("nan") if amount is None else float(amount) if amount.is_finite() else float("inf")

    return per_distinct(_values(prices, column), as_float, dtype="float64")


def _free(prices: pd.DataFrame) -> Any:
    return np.array([bool(f) for f in _values(prices, "is_free")], dtype=bool)


def _near_limit(value: Any, reference: Any, limit: Decimal) -> Any:
    """Where ``value`` and ``reference`` (float arrays) are more than ``limit`` apart, or nearly, or not finite."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = np.maximum(value / reference, reference / value)
    compared = ~np.isnan(value) & ~np.isnan(reference)
    return compared & ((factor > float(limit) * (1 - _SCREEN_MARGIN)) | ~np.isfinite(factor))


def _jump_candidates(ordered: pd.DataFrame, key_columns: list[str]) -> Any:
    """Rows (of ``ordered``, in time order) of the series in which a price may have moved 20x:
    each positive price against the series' previous positive price, as the exact walk compares
    them while it holds nothing out (and a series where it holds nothing out has no such pair)."""
    keys = ordered.reindex(columns=key_columns)
    unkeyed = keys.isna().any(axis=1).to_numpy()  # missing key values: left to the exact walk
    group = pd.factorize(pd.Series(list(zip(*(_values(ordered, c) for c in key_columns))), dtype=object))[0]
    free = _free(ordered)
    flagged = np.zeros(len(ordered), dtype=bool)
    for column in PRICE_COLUMNS:
        amount = _amounts(ordered, column)
        amount[free | ~(amount > 0)] = np.nan
        before = pd.Series(amount).groupby(group).ffill().groupby(group).shift(1).to_numpy()
        flagged |= _near_limit(amount, before, MAX_JUMP_FACTOR)
    return unkeyed | np.isin(group, np.unique(group[flagged]))


def _cross_provider_candidates(prices: pd.DataFrame, identities: list[str]) -> Any:
    """Rows of the (model, tier) where a provider's price may be 1000x from the other providers'
    median: the exact check's medians and factors, in float64."""
    models = np.array(identities, dtype=object)
    tiers = np.array([str(t) for t in _values(prices, "tier")], dtype=object)
    providers = np.array([str(p) for p in _values(prices, "provider")], dtype=object)
    free = _free(prices)
    flagged = np.zeros(len(prices), dtype=bool)
    for column in PRICE_COLUMNS:
        amount = _amounts(prices, column)
        usable = ~free & (amount > 0)
        if not usable.any():
            continue
        keys = list(zip(models[usable], tiers[usable], providers[usable]))
        per_provider = pd.Series(amount[usable]).groupby(pd.Series(keys, dtype=object), sort=False).median()
        by_model: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for (model, tier, provider), value in zip(per_provider.index.tolist(), per_provider.tolist()):
            by_model[(model, tier)].append((provider, value))
        elsewhere: dict[tuple[str, str, str], float] = {}
        for (model, tier), medians in by_model.items():
            if len(medians) > 1:
                for provider, _ in medians:
                    elsewhere[(model, tier, provider)] = median([v for p, v in medians if p != provider])
        reference = np.array([elsewhere.get(key, np.nan) for key in keys], dtype="float64")
        flagged[np.flatnonzero(usable)[_near_limit(amount[usable], reference, MAX_CROSS_PROVIDER_FACTOR)]] = True
    suspect = set(zip(models[flagged], tiers[flagged]))
    return np.array([key in suspect for key in zip(models, tiers)], dtype=bool)


# --- helpers -----------------------------------------------------------------------------

_FastRow = namedtuple("_FastRow", ["source_id", "provider", "model_key", "model_id", "tier", "is_free", "observed_at",
                                   "input_usd_per_mtok", "output_usd_per_mtok"])


def _fast_rows(prices: pd.DataFrame) -> list[_FastRow]:
    """The columns the row checks read, as plain tuples: ``itertuples`` over Arrow-backed strings is slow."""
    columns = [column_values(prices[c]) if c in prices.columns else [None] * len(prices) for c in _FastRow._fields]
    return [_FastRow(*values) for values in zip(*columns)]


_ROW_COLUMNS = ["source_id", "provider", "model_key", "tier", "observed_at", "input_usd_per_mtok",
                "output_usd_per_mtok", "capture_id", "capture_sha256"]


def _hold_out(prices: pd.DataFrame, mask: pd.Series, findings: list[Finding], check: str, message: str,
              reasons: dict[int, str] | None = None, details: dict[int, dict[str, Any]] | None = None) -> pd.DataFrame:
    if not mask.any():
        return prices
    rows = _rows(prices[mask], _ROW_COLUMNS)
    if reasons:
        for row, index in zip(rows, prices.index[mask]):
            row["reason"] = reasons.get(index)
    if details:
        for row, index in zip(rows, prices.index[mask]):
            row.update(details.get(index, {}))
    n_models = len({(r.get("source_id"), r.get("provider"), r.get("model_key")) for r in rows})
    findings.append(Finding(check, "held_out", "prices", f"{message} ({n_models} models)", rows))
    return prices[~mask]


def _record_accepted(prices: pd.DataFrame, accepted: dict[int, AllowEntry], findings: list[Finding], check: str) -> None:
    if not accepted:
        return
    rows = _rows(prices.loc[list(accepted)], _ROW_COLUMNS)
    for row, entry in zip(rows, accepted.values()):
        row.update({"allowlist_line": entry.line, "reason": entry.reason, "link": entry.link})
    findings.append(Finding(check, "accepted", "prices",
                            f"{len(rows)} suspect price rows accepted by the allowlist", rows))


def _allowed(allowlist: list[AllowEntry], row: Any) -> AllowEntry | None:
    when = _utc(row.observed_at)
    if when is None:
        return None
    for entry in allowlist:
        if entry.accepts(str(row.source_id), str(row.model_key), when):
            return entry
    return None


def _model_identity(row: Any) -> str:
    if _text(row.model_id):
        return f"id:{row.model_id}"
    key = str(row.model_key).rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return f"key:{key}"


def _factor(a: Decimal, b: Decimal) -> Decimal:
    return a / b if a >= b else b / a


def _decimal(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _utc(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [{k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)) for k, v in row.items()}
            for row in frame[present].to_dict("records")]
