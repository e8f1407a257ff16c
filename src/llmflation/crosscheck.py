"""Sources check each other: a provider's own pricing page beside the price APIs' prices.

A pricing-page parser that goes wrong on a layout nobody has seen (a Flex price read as the
standard one, a per-second price read as per token) still yields prices that look plausible.
What shows it is the same price stated elsewhere: litellm, genai-prices and the provider's own
endpoint on OpenRouter price most models the pages list. Every night each page row is compared
with them, and the result is published as ``source_agreement``; the validation gate holds out a
page row that two APIs, agreeing with each other, contradict (``validate.py``).

What is compared, and how (each rule is a choice a reader should be able to check):

- **Page rows**: rows of a ``pricing_page`` source whose provider is the page's own provider,
  tier ``standard``, not free, not converted from a per-character price (comparing those would
  test our characters-per-token setting, not the page). Every other tier is left alone.
- **API rows**: rows of a ``price_api`` source, tier ``standard``, not free, whose provider the
  registry maps to the page's provider (``Source.provider_names``: litellm's
  ``litellm_provider``, genai-prices' provider ids, OpenRouter's endpoint provider names). An API
  naming a provider the registry does not list is never compared: look-alike names are not
  guessed. OpenRouter's model-list rows (provider ``openrouter``) are its routed price, not the
  provider's, and are never compared.
- **Same model**: the catalog's ``model_id`` when the page row has one, and then only API rows
  with that ``model_id``. A page row the catalog does not know is compared with API rows of the
  same provider that the catalog does not know either and whose name is exactly the same name
  once routing prefixes, case, separators and date spellings are unified
  (``match.name_key``: ``Claude Opus 4.7`` = ``claude-opus-4-7`` = ``anthropic/claude-opus-4.7``;
  ``-fp8``, ``:thinking`` and ``ft:`` keep names apart). ``matched_on`` says which rule found it.
- **Same time**: a row of ``prices`` is a version of a listing, stated from its ``observed_at``
  to its ``last_observed_at``. For each API, the version nearest in time to the page row's
  ``observed_at`` (distance 0 when inside that span; the later version on a tie) is used, if
  it is at most ``MAX_GAP`` (7 days) away. When that version states two different prices for the
  model (two names of it, or two endpoints of one provider), the API is not used for that row:
  which one is meant would be a guess.
- **Agree**: input and output each within ``TOLERANCE`` (the larger price at most 1.1 times the
  smaller), over the prices both sides state.

Verdicts of a page row, over the APIs compared with it:

==========================  ==========================================================================
``agree``                   within 10% of every API compared
``differ``                  more than 10% from two or more APIs that agree with each other: the
                            validation gate holds the page row out (unless allowlisted)
``differ_single_api``       more than 10% from the only API that prices it: kept, reported
``differ_apis_disagree``    more than 10% from some API, but no two it differs from agree with each
                            other: kept, reported
==========================  ==========================================================================

Page rows that could not be compared are counted by reason in the summary (no API prices the
model, none within 7 days, the API states two prices...). "Independent" APIs are different
registry sources.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import pandas as pd

from llmflation import sources as registry
from llmflation.match import name_key
from llmflation.schema import SOURCE_AGREEMENT
from llmflation.sources import Source

#: A page price and an API price of the same model count as the same statement only this close in time.
MAX_GAP = timedelta(days=7)
#: Two prices agree when the larger is at most this many times the smaller (10%).
TOLERANCE = Decimal("1.1")
#: The tier compared: the headline price. Batch, flex, priority and context bands are not.
TIER = "standard"

AGREE = "agree"
DIFFER = "differ"
DIFFER_SINGLE_API = "differ_single_api"
DIFFER_APIS_DISAGREE = "differ_apis_disagree"
VERDICTS = (AGREE, DIFFER, DIFFER_SINGLE_API, DIFFER_APIS_DISAGREE)

# Why a page row was not compared (counted in the summary; kept generic so they group).
NOT_CONVERTED = "price converted from characters: comparing it would test the characters-per-token setting"
NO_API_PROVIDER = "no price API names this provider in the registry"
NO_API_MODEL = "no price API prices this model at this provider"
NO_API_IN_TIME = "no price API capture within max_gap_days of the page"
AMBIGUOUS_API = "the nearest price API capture states two different prices for it"

PRICE_FIELDS = ("input_usd_per_mtok", "output_usd_per_mtok")


@dataclass(frozen=True)
class Row:
    """The columns of one ``prices`` row the cross-check reads."""

    source_id: str
    provider: str
    model_key: str
    model_id: str | None
    observed_at: datetime
    last_observed_at: datetime
    capture_id: str
    capture_sha256: str
    capture_url: str
    input_usd_per_mtok: Decimal | None
    output_usd_per_mtok: Decimal | None

    def prices(self) -> tuple[Decimal | None, Decimal | None]:
        return self.input_usd_per_mtok, self.output_usd_per_mtok

    def describe(self) -> str:
        return (f"{self.source_id} {_money(self.input_usd_per_mtok)}/{_money(self.output_usd_per_mtok)} "
                f"({self.model_key!r}, {self.observed_at:%Y-%m-%d}, sha256 {self.capture_sha256[:12]})")


#: ``(page provider, matched_on, match key) -> API source id -> [(API row, provider as the API names it)]``.
_ApiIndex = dict[tuple[str, str, str], dict[str, list[tuple[Row, str]]]]


@dataclass(frozen=True)
class Pair:
    """A page row beside one API's nearest statement of the same model's price."""

    api: Row
    api_provider_name: str
    gap: timedelta
    ratios: tuple[float | None, float | None]  # page / API, input and output; None where not both stated
    agrees: bool

    def evidence(self) -> dict[str, Any]:
        """The API's side, as the validation report lists it beside a held-out page row."""
        api = self.api
        return {"source_id": api.source_id, "provider": self.api_provider_name, "model_key": api.model_key,
                "input_usd_per_mtok": _text(api.input_usd_per_mtok), "output_usd_per_mtok": _text(api.output_usd_per_mtok),
                "observed_at": api.observed_at.isoformat(), "capture_id": api.capture_id,
                "capture_sha256": api.capture_sha256, "capture_url": api.capture_url, "agrees_with_page": self.agrees}


@dataclass
class Outcome:
    """What the cross-check found for one page row: a verdict and its pairs, or why it was not compared."""

    page: Row
    match_key: str
    matched_on: str  # "model_id" | "name"
    pairs: list[Pair] = field(default_factory=list)
    verdict: str | None = None
    reason: str | None = None  # why not compared, or, for a verdict other than agree, what differs

    @property
    def compared(self) -> bool:
        return self.verdict is not None

    def page_key(self) -> tuple[str, str, str, str]:
        """The page row's key in ``prices``: capture, provider, model key, tier."""
        return self.page.capture_id, self.page.provider, self.page.model_key, TIER


@dataclass
class CrossCheck:
    """Every page row's outcome; the published table and the summaries are read from it."""

    outcomes: list[Outcome]
    max_gap: timedelta = MAX_GAP

    def compared(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.compared]

    def contradicted(self) -> list[Outcome]:
        """Page rows two agreeing APIs contradict: what the validation gate holds out."""
        return [o for o in self.outcomes if o.verdict == DIFFER]

    def table(self) -> pd.DataFrame:
        """The ``source_agreement`` table: one row per page row and API compared."""
        rows = [_table_row(outcome, pair) for outcome in self.compared() for pair in outcome.pairs]
        return pd.DataFrame(rows, columns=SOURCE_AGREEMENT.column_names)

    def summary(self) -> dict[str, Any]:
        """Per page source and per API source: rows compared, agreeing, differing, share agreeing."""
        pages: dict[str, dict[str, Any]] = {}
        for source_id, outcomes in _grouped(self.outcomes, lambda o: o.page.source_id).items():
            compared = [o for o in outcomes if o.compared]
            verdicts = Counter(o.verdict for o in compared)
            pages[source_id] = {
                "standard_rows": len(outcomes),
                "rows_compared": len(compared),
                "agreeing": verdicts[AGREE],
                "differing": len(compared) - verdicts[AGREE],
                "share_agreeing": _share(verdicts[AGREE], len(compared)),
                "share_of_standard_rows_agreeing": _share(verdicts[AGREE], len(outcomes)),
                "verdicts": {v: verdicts[v] for v in VERDICTS if verdicts[v]},
                "not_compared_by_reason": dict(Counter(o.reason for o in outcomes if not o.compared).most_common()),
            }
        apis: dict[str, dict[str, Any]] = {}
        pairs = [p for o in self.compared() for p in o.pairs]
        for source_id, group in _grouped(pairs, lambda p: p.api.source_id).items():
            agreeing = sum(p.agrees for p in group)
            apis[source_id] = {"rows_compared": len(group), "agreeing": agreeing, "differing": len(group) - agreeing,
                               "share_agreeing": _share(agreeing, len(group))}
        return {"max_gap_days": self.max_gap / timedelta(days=1), "tolerance_factor": str(TOLERANCE),
                "pages": pages, "apis": apis, "line": self.line()}

    def line(self) -> str:
        """One line for the run's printed output."""
        compared = self.compared()
        agreeing = sum(o.verdict == AGREE for o in compared)
        per_page = ", ".join(
            f"{source_id} {sum(o.verdict == AGREE for o in group)}/{len(group)}"
            for source_id, group in _grouped(compared, lambda o: o.page.source_id).items()
        )
        uncompared = len(self.outcomes) - len(compared)
        return (f"{agreeing} of {len(compared)} page prices compared agree with the price APIs "
                f"({_percent(agreeing, len(compared))})" + (f": {per_page}" if per_page else "")
                + f"; {len(self.contradicted())} contradicted by two agreeing APIs; {uncompared} of "
                f"{len(self.outcomes)} standard page rows not compared")


def cross_check(prices: pd.DataFrame, max_gap: timedelta = MAX_GAP) -> CrossCheck:
    """Compare every standard page row of ``prices`` with the price APIs' rows for the same model.

    ``prices`` is the ``prices`` table (with ``model_id`` assigned). Pure: no clock, no I/O.
    """
    if prices.empty:
        return CrossCheck([], max_gap)
    names = api_provider_names()
    sources = {s.id: s for s in registry.SOURCES}
    pages: list[tuple[Row, bool]] = []
    api_rows: list[dict[str, Any]] = []
    for raw in _records(prices[_read_mask(prices, sources, names)]):
        converted = bool(raw["converted_from_characters"])
        if sources[str(raw["source_id"])].kind == "pricing_page":
            pages.append((_row(raw), converted))
        elif not converted:
            api_rows.append(raw)
    # Only the API rows some page row asks for are indexed: a year of nights holds 100k API rows.
    asked = {(page.provider, matched_on, key) for page, _ in pages for key, matched_on in [_match_key(page)]}
    apis: _ApiIndex = defaultdict(lambda: defaultdict(list))
    for raw in api_rows:
        key, matched_on = _key_of(_model_id(raw), str(raw["model_key"]))
        wanted = (names[(str(raw["source_id"]), raw["provider"])], matched_on, key)
        if wanted in asked:
            apis[wanted][str(raw["source_id"])].append((_row(raw), raw["provider"]))
    providers_named = set(names.values())
    outcomes = [_compare(page, converted, apis, providers_named, max_gap) for page, converted in pages]
    return CrossCheck(outcomes, max_gap)


def api_provider_names(sources: Iterable[Source] | None = None) -> dict[tuple[str, str], str]:
    """``(api source id, provider as that API names it) -> page provider``, from the registry."""
    return {(s.id, name): provider for s in (registry.SOURCES if sources is None else sources)
            if s.kind == "price_api" for name, provider in s.provider_names}


# --- comparing -----------------------------------------------------------------------------


def _compare(page: Row, converted: bool, apis: _ApiIndex, providers_named: set[str], max_gap: timedelta) -> Outcome:
    key, matched_on = _match_key(page)
    outcome = Outcome(page, key, matched_on)
    if converted:
        outcome.reason = NOT_CONVERTED
        return outcome
    if page.provider not in providers_named:
        outcome.reason = NO_API_PROVIDER
        return outcome
    candidates = apis.get((page.provider, matched_on, key), {})
    if not candidates:
        outcome.reason = NO_API_MODEL
        return outcome
    ambiguous = False
    for source_id in sorted(candidates):
        chosen = _nearest(page, candidates[source_id], max_gap)
        if isinstance(chosen, str):  # "ambiguous"
            ambiguous = True
        elif chosen is not None:
            api, provider_name, gap = chosen
            outcome.pairs.append(_pair(page, api, provider_name, gap))
    if not outcome.pairs:
        outcome.reason = AMBIGUOUS_API if ambiguous else NO_API_IN_TIME
        return outcome
    outcome.verdict, outcome.reason = _verdict(outcome.pairs)
    return outcome


def _nearest(page: Row, rows: list[tuple[Row, str]], max_gap: timedelta) -> tuple[Row, str, timedelta] | str | None:
    """The API's statement nearest in time within ``max_gap``; ``"ambiguous"`` when it states two prices."""
    usable = [(api, name, _gap(page.observed_at, api)) for api, name in rows if _comparable(page, api)]
    usable = [item for item in usable if item[2] <= max_gap]
    if not usable:
        return None
    best_gap = min(gap for _, _, gap in usable)
    closest = [item for item in usable if item[2] == best_gap]
    newest = max(api.observed_at for api, _, _ in closest)
    closest = sorted((item for item in closest if item[0].observed_at == newest), key=lambda item: item[0].model_key)
    if len({api.prices() for api, _, _ in closest}) > 1:
        return "ambiguous"
    return closest[0]


def _gap(when: datetime, api: Row) -> timedelta:
    """Time from ``when`` to the span the API version was seen in (zero inside it)."""
    if api.observed_at <= when <= api.last_observed_at:
        return timedelta(0)
    return min(abs(when - api.observed_at), abs(when - api.last_observed_at))


def _comparable(a: Row, b: Row) -> bool:
    return any(x is not None and y is not None for x, y in zip(a.prices(), b.prices()))


def _pair(page: Row, api: Row, provider_name: str, gap: timedelta) -> Pair:
    ratios = tuple(None if p is None or a is None or a == 0 else float(p / a) for p, a in zip(page.prices(), api.prices()))
    return Pair(api, provider_name, gap, ratios, agree(page, api))  # type: ignore[arg-type]


def agree(a: Row, b: Row) -> bool:
    """Within ``TOLERANCE`` on every price both rows state (input, output); False when they state none in common."""
    both = [(x, y) for x, y in zip(a.prices(), b.prices()) if x is not None and y is not None]
    return bool(both) and all(_within(x, y) for x, y in both)


def _within(x: Decimal, y: Decimal) -> bool:
    if x == y:
        return True
    low, high = min(x, y), max(x, y)
    return low > 0 and high <= low * TOLERANCE


def _verdict(pairs: list[Pair]) -> tuple[str, str | None]:
    differing = [p for p in pairs if not p.agrees]
    if not differing:
        return AGREE, None
    said = "; ".join(p.api.describe() for p in pairs)
    for i, first in enumerate(differing):
        for second in differing[i + 1:]:
            if agree(first.api, second.api):
                return DIFFER, (f"more than 10% from {first.api.source_id} and {second.api.source_id}, "
                                f"which agree with each other: {said}")
    if len(pairs) == 1:
        return DIFFER_SINGLE_API, f"more than 10% from the only price API compared: {said}"
    names = ", ".join(p.api.source_id for p in differing)
    return DIFFER_APIS_DISAGREE, f"more than 10% from {names}, and the price APIs do not agree with each other: {said}"


# --- reading rows ------------------------------------------------------------------------------

_COLUMNS = ("source_id", "provider", "model_key", "model_id", "tier", "is_free", "converted_from_characters",
            "observed_at", "last_observed_at", "capture_id", "capture_sha256", "capture_url", *PRICE_FIELDS)


def _read_mask(prices: pd.DataFrame, sources: dict[str, Source], names: dict[tuple[str, str], str]) -> list[bool]:
    """The rows the cross-check reads: standard, not free, a page's own provider or an API's mapped one.

    Decided on the plain columns first, so only these rows' times and prices are converted.
    Rows of sources the registry does not know are not read (the gate holds them out anyway).
    """
    def wanted(source_id: object, provider: object, tier: object, free: object) -> bool:
        source = sources.get(str(source_id))
        if source is None or tier != TIER or bool(free):
            return False
        if source.kind == "pricing_page":
            return provider == source.provider
        return source.kind == "price_api" and (source.id, provider) in names

    columns = [prices[c].tolist() for c in ("source_id", "provider", "tier", "is_free")]
    return [wanted(*values) for values in zip(*columns)]


def _records(prices: pd.DataFrame) -> list[dict[str, Any]]:
    """The columns read, as plain dicts (``itertuples`` over Arrow-backed strings is slow); times in UTC."""
    times = ("observed_at", "last_observed_at")
    columns = {c: prices[c].tolist() if c in prices.columns and c not in times else [None] * len(prices) for c in _COLUMNS}
    for column in times:
        if column in prices.columns:
            times = pd.to_datetime(prices[column], utc=True)
            columns[column] = [None if t is pd.NaT else t for t in times.dt.to_pydatetime()]
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _row(raw: dict[str, Any]) -> Row:
    observed: datetime = raw["observed_at"]
    last: datetime = raw["last_observed_at"] or observed
    return Row(
        source_id=str(raw["source_id"]),
        provider=str(raw["provider"]),
        model_key=str(raw["model_key"]),
        model_id=_model_id(raw),
        observed_at=observed,
        last_observed_at=max(last, observed),
        capture_id=str(raw["capture_id"]),
        capture_sha256=str(raw["capture_sha256"]),
        capture_url=str(raw["capture_url"]),
        input_usd_per_mtok=_amount(raw["input_usd_per_mtok"]),
        output_usd_per_mtok=_amount(raw["output_usd_per_mtok"]),
    )


def _model_id(raw: dict[str, Any]) -> str | None:
    return str(raw["model_id"]) if _present(raw["model_id"]) else None


def _match_key(row: Row) -> tuple[str, str]:
    """The catalog ``model_id``, else the exact normalized name (``match.name_key``), and which it is."""
    return _key_of(row.model_id, row.model_key)


def _key_of(model_id: str | None, model_key: str) -> tuple[str, str]:
    if model_id:
        return model_id, "model_id"
    return _name_key(model_key), "name"


@cache
def _name_key(model_key: str) -> str:
    return name_key(model_key)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NaT


def _amount(value: object) -> Decimal | None:
    if not _present(value):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


# --- the table and the summaries -----------------------------------------------------------------


def _table_row(outcome: Outcome, pair: Pair) -> dict[str, Any]:
    page, api = outcome.page, pair.api
    return {
        "provider": page.provider, "model_id": page.model_id, "model_key": page.model_key, "tier": TIER,
        "matched_on": outcome.matched_on, "match_key": outcome.match_key,
        "page_source_id": page.source_id, "page_observed_at": page.observed_at, "page_capture_id": page.capture_id,
        "page_capture_sha256": page.capture_sha256, "page_capture_url": page.capture_url,
        "page_input_usd_per_mtok": page.input_usd_per_mtok, "page_output_usd_per_mtok": page.output_usd_per_mtok,
        "api_source_id": api.source_id, "api_provider": pair.api_provider_name, "api_model_key": api.model_key,
        "api_observed_at": api.observed_at, "api_last_observed_at": api.last_observed_at,
        "api_capture_id": api.capture_id, "api_capture_sha256": api.capture_sha256, "api_capture_url": api.capture_url,
        "api_input_usd_per_mtok": api.input_usd_per_mtok, "api_output_usd_per_mtok": api.output_usd_per_mtok,
        "gap_days": pair.gap / timedelta(days=1),
        "input_ratio": pair.ratios[0], "output_ratio": pair.ratios[1],
        "api_agrees": pair.agrees, "verdict": outcome.verdict, "n_apis": len(outcome.pairs),
    }


def _grouped(items: Iterable[Any], key: Any) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(sorted(groups.items()))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "none compared"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value.normalize():f}"
