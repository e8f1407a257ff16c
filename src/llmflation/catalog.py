"""The nightly model catalog: the curated rows of ``data/reference/`` plus what sources state about models.

Sources that describe models (models.dev, OpenRouter's model list, genai-prices, Epoch AI's model
tables...) yield :class:`~llmflation.records.ModelRecord`s. Every build takes the records of the
newest capture of each source that has any, and decides for each record which model it is:

1. **A curated model**, when one of the record's names matches one catalog model through the
   rules of :mod:`llmflation.match` at the capture's time: first the source's
   ``canonical_slug`` (OpenRouter's permanent name: ``openai/gpt-4.1`` -> ``openai/gpt-4.1-2025-04-14``),
   then its ``hugging_face_id`` (only a repository of the model's creator, ``HUB_CREATOR_ORGS``),
   then its own id. When they name two different models, or a name could be two models (an
   undated name whose snapshots the catalog has), the record is **unresolved** and listed.
2. **A model made from sources**, when no name matches and none is in doubt, and the record
   names its creator. Records of one creator whose ids compare equal under the matcher's
   normalization (``claude-sonnet-4-6`` at Anthropic, ``anthropic/claude-sonnet-4.6`` at
   OpenRouter) are one model. A group whose name is another group's name plus a date
   (``gpt-9`` beside ``gpt-9-2027-01-01``) names a snapshot it does not say: it joins that group
   only when one of its records' ``canonical_slug`` is that snapshot, else it is unresolved. A
   ``-latest`` name never makes a model: it moves between models, and only a dated alias can
   say which one it meant when. Nor does a display name (``Claude 3.5 Sonnet (Oct 2024)`` in a
   leaderboard's table): it may match a model, never make one.

**Model ids.** Curated ids never change. A model made from sources gets
``<creator>/<name>``: the creator as the catalog spells makers (:data:`CREATOR_NAMES` maps other
spellings: ``meta-llama`` -> ``meta``), and the model's id at its creator's own listing when a
source has one (models.dev's ``openai`` host, genai-prices' ``anthropic``), else the
alphabetically first spelling among the sources, lowercased, route and ``:variant`` taken off.
The rule reads only source facts, never row order, so the same facts give the same id every
night. Only makers are creators: a creator must be curated, stated by OpenRouter (whose ids are
``author/slug``), or be a host that is its own maker; a host's route (``@cf``, ``accounts``) never is.

**Provenance.** A curated fact always wins; a fact a curated row leaves out, or a row made from
sources, takes the first source that states it, in :data:`SOURCE_ORDER`. Each fact's origin is
written beside it (``<fact>_source``: ``reference``, or ``<source_id>:<capture sha256>``), and every
row made from sources cites the capture of its first record (``source_id``, ``capture_url``,
``capture_sha256``).

**Aliases.** Where a record was linked to a model by its canonical slug or Hugging Face id
rather than its own id, its id becomes an alias of that model from the time the source first
listed it (OpenRouter's ``created``) or, when it does not say, from the capture, with the
capture as citation. Curated aliases win over such derived ones.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

import pandas as pd

from llmflation.match import HUB_CREATOR_ORGS, Catalog, _parse
from llmflation.parsing import ParsedCapture, ParsedStore
from llmflation.records import CaptureMeta, ModelRecord
from llmflation.reference import Reference
from llmflation.schema import MODEL_FACTS, MODELS
from llmflation.sources import CATALOG_ORDER, SOURCES

log = logging.getLogger(__name__)

#: Spellings sources use for a model maker -> the catalog's creator slug.
CREATOR_NAMES = {
    "meta-llama": "meta",
    "llama": "meta",
    "mistralai": "mistral",
    "mistral-ai": "mistral",
    "x-ai": "xai",
    "deepseek-ai": "deepseek",
    "z-ai": "zhipu",
    "zai": "zhipu",
    "zai-org": "zhipu",
    "zhipuai": "zhipu",
    "thudm": "zhipu",
    "alibaba": "qwen",
    "alibaba-cn": "qwen",
    "minimaxai": "minimax",
    "minimax-cn": "minimax",
    "moonshotai-cn": "moonshotai",
    "xiaomimimo": "xiaomi",
    "cohereforai": "cohere",
    "coherelabs": "cohere",
    "stepfun-ai": "stepfun",
    "ai21labs": "ai21",
    "ai21-labs": "ai21",
    "nova": "amazon",
    "ibm-granite": "ibm",
    "bytedance-seed": "bytedance",
}
#: A name with this word (``claude-3-7-sonnet-latest``, ``chatgpt-4o-latest``) names whatever model
#: its maker points it at: never a model of its own.
FLOATING_WORD = "latest"
#: Sources whose model records say who made a model, in the order their facts are taken (the registry's ``catalog_rank``).
SOURCE_ORDER = CATALOG_ORDER
#: Sources whose ids are ``author/slug`` with the author the model's maker.
_AUTHOR_SOURCES = frozenset(source.id for source in SOURCES if source.ids_name_author)
_CREATOR = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ID_CHARS = re.compile(r"[^a-z0-9._-]+")

ALIAS_COLUMNS = ["alias", "model_id", "seen_in", "source_url", "valid_from", "valid_to"]
UNRESOLVED_COLUMNS = ["source_id", "model_key", "provider", "reason"]


@dataclass(frozen=True)
class SourcedRecord:
    """A model record with the capture it came from."""

    capture: CaptureMeta
    record: ModelRecord

    @property
    def cite(self) -> str:
        return f"{self.capture.source_id}:{self.capture.sha256}"


@dataclass
class CatalogBuild:
    """What one build knows about models: the catalog, its tables, and what stayed undecided."""

    models: pd.DataFrame
    aliases: pd.DataFrame
    unresolved: pd.DataFrame
    catalog: Catalog
    #: (source_id, model_key) of each record -> the model it was decided to be.
    record_models: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (source_id, model_key) -> when the source first listed it (else the release date it states).
    listed: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        origin = self.models["origin"].value_counts().to_dict() if len(self.models) else {}
        return {
            "models": len(self.models),
            "curated_models": int(origin.get("reference", 0)),
            "models_from_sources": int(origin.get("sources", 0)),
            "derived_aliases": int((self.aliases["seen_in"] != "reference").sum()) if len(self.aliases) else 0,
            "unresolved_records": len(self.unresolved),
            "unresolved": self.unresolved.head(200).to_dict("records"),
        }


def newest_model_captures(parsed: ParsedStore) -> list[ParsedCapture]:
    """Each source's newest capture that states any model records (by time, then sha256).

    A capture whose cached parse counts no model records is passed over without loading its
    records: a year of nightly price lists is thousands of versions.
    """
    newest: dict[str, ParsedCapture] = {}
    for item in parsed.ok():
        if item.outcome is not None and not item.outcome.n_models:
            continue
        if item.outcome is None and not item.result.models:  # type: ignore[union-attr]
            continue
        known = newest.get(item.capture.source_id)
        if known is None or (item.capture.observed_at, item.capture.sha256) > (known.capture.observed_at, known.capture.sha256):
            newest[item.capture.source_id] = item
    return list(newest.values())


def newest_model_records(parsed: ParsedStore) -> list[SourcedRecord]:
    """The model records of each source's newest capture that states any (one capture per source)."""
    return [SourcedRecord(item.capture, record) for item in newest_model_captures(parsed)
            for record in item.result.models]  # type: ignore[union-attr]


def build_catalog(reference: Reference, records: Iterable[SourcedRecord]) -> CatalogBuild:
    """Merge the curated catalog with source records (see the module doc for every rule)."""
    curated = Catalog.from_frames(reference.models, reference.aliases)
    ordered = sorted(records, key=_record_order)
    makers = _makers(reference, ordered)
    linked: dict[str, list[SourcedRecord]] = defaultdict(list)
    derived: list[dict[str, object]] = []
    unresolved: list[dict[str, object]] = []
    keyed: dict[tuple[str, ...], list[SourcedRecord]] = defaultdict(list)
    record_models: dict[tuple[str, str], str] = {}

    for item in ordered:
        decided = _decide(curated, item)
        if isinstance(decided, str) and decided.startswith("model:"):
            model_id = decided.removeprefix("model:")
            linked[model_id].append(item)
            record_models[(item.capture.source_id, item.record.model_key)] = model_id
            if not curated.match(item.record.model_key, at=item.capture.observed_at).matched:
                derived.append(_alias_row(item, model_id))
            continue
        if decided is not None:
            unresolved.append(_unresolved(item, decided))
            continue
        if any(ch.isspace() for ch in item.record.model_key.strip()):
            unresolved.append(_unresolved(item, "a display name, not an id: it may match a model, never make one"))
            continue
        if FLOATING_WORD in _key(item.record.model_key):
            unresolved.append(_unresolved(item, f"a {FLOATING_WORD!r} name moves between models: only a dated alias can say which"))
            continue
        keyed[_key(item.record.model_key)].append(item)

    groups = _join_undated(_by_creator(keyed, makers, unresolved), unresolved)
    taken = set(curated.model_ids)
    new_rows: list[dict[str, object]] = []
    for (creator, _), items in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        model_id = _new_id(creator, items)
        known = curated.match(model_id, at=items[0].capture.observed_at)
        if known.matched:  # a curated alias is written as the creator-qualified name (mistral/open-mixtral-8x22b)
            for item in items:
                linked[known.model_id].append(item)  # type: ignore[index]
                record_models[(item.capture.source_id, item.record.model_key)] = known.model_id  # type: ignore[assignment]
                derived.append(_alias_row(item, known.model_id))  # type: ignore[arg-type]
            continue
        if model_id in taken:
            for item in items:
                unresolved.append(_unresolved(item, f"its id {model_id!r} is already another model's"))
            continue
        taken.add(model_id)
        new_rows.append(_source_row(model_id, creator, items))
        for item in items:
            record_models[(item.capture.source_id, item.record.model_key)] = model_id
            if not _is_same(item, model_id):
                derived.append(_alias_row(item, model_id))

    models = pd.concat(
        [_curated_rows(reference.models, linked), pd.DataFrame(new_rows)], ignore_index=True
    ).reindex(columns=MODELS.column_names)
    aliases = _merged_aliases(reference.aliases, derived, set(models["model_id"]))
    catalog = Catalog.from_frames(models, aliases)
    table = pd.DataFrame(unresolved, columns=UNRESOLVED_COLUMNS).drop_duplicates()
    log.info("catalog: %d curated models, %d from sources, %d derived aliases, %d records unresolved",
             len(reference.models), len(new_rows), len(derived), len(table))
    return CatalogBuild(models, aliases, table.sort_values(UNRESOLVED_COLUMNS).reset_index(drop=True), catalog,
                        record_models, _listing_dates(ordered))


def _listing_dates(records: list[SourcedRecord]) -> dict[tuple[str, str], datetime]:
    """(source_id, model_key) -> the earliest first listing (else release date) its records state."""
    dates: dict[tuple[str, str], datetime] = {}
    for item in records:
        when = item.record.first_listed_at or item.record.release_date
        key = (item.capture.source_id, item.record.model_key)
        if when is not None and (key not in dates or when < dates[key]):
            dates[key] = when
    return dates


# --- deciding one record ------------------------------------------------------------------------


def _decide(curated: Catalog, item: SourcedRecord) -> str | None:
    """``"model:<id>"`` when the record is one curated model; a reason when it is in doubt; None when new."""
    record, at = item.record, item.capture.observed_at
    names = [(record.canonical_slug, None), (record.hugging_face_id, HUB_CREATOR_ORGS), (record.model_key, None)]
    found: dict[str, str] = {}
    doubts: list[str] = []
    for name, owners in names:
        if not name:
            continue
        match = curated.match(name, owners=owners, at=at)
        if match.matched:
            found.setdefault(match.model_id, name)  # type: ignore[arg-type]
        elif match.candidates:
            doubts.append(f"{name}: {match.reason}")
    if len(found) == 1:
        return f"model:{next(iter(found))}"
    if len(found) > 1:
        return "its names are different catalog models: " + ", ".join(f"{n} -> {m}" for m, n in sorted(found.items()))
    return "; ".join(doubts) if doubts else None


def _record_order(item: SourcedRecord) -> tuple[object, ...]:
    """Facts are taken in this order: first-party listings, then :data:`SOURCE_ORDER`, then by name."""
    source = item.capture.source_id
    rank = SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER)
    return (not _first_party(item), rank, source, item.record.provider or "", item.record.model_key)


def _first_party(item: SourcedRecord) -> bool:
    """The record is the maker's own listing (the host is the creator), so its id is the creator's id."""
    record = item.record
    return record.creator is not None and "/" not in record.model_key and record.provider is not None \
        and canonical_creator(record.provider) == canonical_creator(record.creator)


def canonical_creator(name: str) -> str:
    """A maker's name as the catalog writes it (:data:`CREATOR_NAMES`), lowercased."""
    folded = name.strip().casefold()
    return CREATOR_NAMES.get(folded, folded)


def _makers(reference: Reference, records: list[SourcedRecord]) -> frozenset[str]:
    """Creators that are model makers: curated creators, OpenRouter authors, hosts that are their own maker."""
    makers = {canonical_creator(c) for c in reference.models["creator"]}
    for item in records:
        if item.record.creator and (item.capture.source_id in _AUTHOR_SOURCES or _first_party(item)):
            makers.add(canonical_creator(item.record.creator))
    return frozenset(m for m in makers if _CREATOR.match(m))


def _creator(item: SourcedRecord, makers: frozenset[str]) -> str | None:
    if not item.record.creator:
        return None
    creator = canonical_creator(item.record.creator)
    return creator if creator in makers else None


def _by_creator(keyed: dict[tuple[str, ...], list[SourcedRecord]], makers: frozenset[str],
                unresolved: list[dict[str, object]]) -> dict[tuple[str, tuple[str, ...]], list[SourcedRecord]]:
    """Records of one name, under the creator they state: OpenRouter's author outranks an owner in
    another source's id (``Qwen/...``), which outranks a host taken to be the maker. Only makers
    count (a host's route is none); when the best-ranked statements disagree, or no record names a
    maker, the records are unresolved."""
    groups: dict[tuple[str, tuple[str, ...]], list[SourcedRecord]] = {}
    for key, items in keyed.items():
        tiers = (
            {_creator(i, makers) for i in items if i.capture.source_id in _AUTHOR_SOURCES} - {None},
            {_creator(i, makers) for i in items if not _first_party(i)} - {None},
            {_creator(i, makers) for i in items if _first_party(i)} - {None},
        )
        creators = next((tier for tier in tiers if tier), set())
        if len(creators) == 1:
            groups[(creators.pop(), key)] = items  # type: ignore[index]
            continue
        for item in items:
            reason = (f"sources name different makers: {', '.join(sorted(creators))}" if creators  # type: ignore[arg-type]
                      else f"no maker stated (creator {item.record.creator!r})")
            unresolved.append(_unresolved(item, reason))
    return groups


def _base_name(model_key: str) -> str:
    """The model's own name: route and ``:variant`` taken off (``openrouter/openai/gpt-5:free`` -> ``gpt-5``)."""
    name = model_key.strip().rsplit("/", 1)[-1]
    head, colon, suffix = name.rpartition(":")
    return head if colon and suffix.isalpha() else name


def _key(model_key: str) -> tuple[str, ...]:
    return _parse(_base_name(model_key)).base


def _is_same(item: SourcedRecord, model_id: str) -> bool:
    return _key(item.record.model_key) == _key(model_id)


def _is_snapshot_of(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """``longer`` is ``shorter`` plus a date (one run of 8 or 4 digits: ``20270101``, ``0324``)."""
    tail = longer[len(shorter):]
    return longer[: len(shorter)] == shorter and len(tail) == 1 and tail[0].isdigit() and len(tail[0]) in (4, 8)


def _join_undated(groups: dict[tuple[str, tuple[str, ...]], list[SourcedRecord]],
                  unresolved: list[dict[str, object]]) -> dict[tuple[str, tuple[str, ...]], list[SourcedRecord]]:
    """Undated groups join the snapshot their canonical slug names; without one they are unresolved."""
    out = {k: list(v) for k, v in groups.items()}
    for (creator, key), items in sorted(groups.items()):
        snapshots = sorted(k for c, k in groups if c == creator and _is_snapshot_of(k, key))
        if not snapshots:
            continue
        named = {_key(i.record.canonical_slug) for i in items if i.record.canonical_slug} & set(snapshots)
        del out[(creator, key)]
        if len(named) == 1:
            out[(creator, named.pop())].extend(items)
            continue
        listed = ", ".join("-".join(k) for k in snapshots)
        for item in items:
            unresolved.append(_unresolved(item, f"names no snapshot: sources list {listed}"))
    return out


def _new_id(creator: str, items: list[SourcedRecord]) -> str:
    first_party = sorted(_base_name(i.record.model_key).casefold() for i in items if _first_party(i))
    spellings = first_party or sorted(_base_name(i.record.model_key).casefold() for i in items)
    return f"{creator}/{_ID_CHARS.sub('-', spellings[0]).strip('-')}"


# --- rows ---------------------------------------------------------------------------------------


def _facts(items: list[SourcedRecord]) -> dict[str, object]:
    """Each fact from the first record (in :func:`_record_order`) that states it, with its origin.

    ``first_listed_at`` is the earliest any source states.
    """
    row: dict[str, object] = {}
    for fact in MODEL_FACTS:
        stated = [(value, item.cite) for item in items if (value := _value(item.record, fact)) is not None]
        if not stated:
            continue
        value, cite = min(stated, key=lambda pair: cast(datetime, pair[0])) if fact == "first_listed_at" else stated[0]
        row[fact], row[f"{fact}_source"] = value, cite
    return row


def _value(record: ModelRecord, fact: str) -> object:
    value = getattr(record, fact)
    if isinstance(value, tuple):
        return ",".join(value) if value else None
    if isinstance(value, datetime):
        return pd.Timestamp(value)
    return value


def _source_row(model_id: str, creator: str, items: list[SourcedRecord]) -> dict[str, object]:
    first = items[0]
    row = _facts(items)
    row.update(
        {
            "model_id": model_id,
            "creator": creator,
            "creator_source": next(i.cite for i in items if i.record.creator),
            "name": row.get("name") or _base_name(first.record.model_key),
            "origin": "sources",
            "source_id": first.capture.source_id,
            "capture_url": first.capture.url,
            "capture_sha256": first.capture.sha256,
            "source_url": first.capture.url,
        }
    )
    row.setdefault("name_source", first.cite)
    return row


def _curated_rows(models: pd.DataFrame, linked: dict[str, list[SourcedRecord]]) -> pd.DataFrame:
    """Curated rows as written, with the facts sources add where the curated file has no such column."""
    rows = []
    for row in models.to_dict("records"):
        out: dict[str, object] = {**row, "origin": "reference", "source_id": "reference"}
        out.update({f"{fact}_source": "reference" for fact in ("creator", *MODEL_FACTS)
                    if fact in models.columns and not _missing(row.get(fact))})
        for fact, value in _facts(linked.get(row["model_id"], [])).items():
            base = fact.removesuffix("_source")
            if base not in models.columns:
                out[fact] = value
        rows.append(out)
    return pd.DataFrame(rows)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _alias_row(item: SourcedRecord, model_id: str) -> dict[str, object]:
    start = item.record.first_listed_at or item.capture.observed_at
    return {
        "alias": item.record.model_key,
        "model_id": model_id,
        "seen_in": item.capture.source_id,
        "source_url": item.capture.url,
        "valid_from": pd.Timestamp(start),
        "valid_to": pd.NaT,
    }


def _unresolved(item: SourcedRecord, reason: str) -> dict[str, object]:
    return {"source_id": item.capture.source_id, "model_key": item.record.model_key,
            "provider": item.record.provider or "", "reason": reason}


def _merged_aliases(curated: pd.DataFrame, derived: list[dict[str, object]], model_ids: set[str]) -> pd.DataFrame:
    """Curated aliases, then derived ones whose name no curated alias or model id already uses."""
    frame = curated.reindex(columns=ALIAS_COLUMNS).copy()
    used = {str(a).casefold() for a in frame["alias"]} | {m.casefold() for m in model_ids}
    kept: dict[str, dict[str, object]] = {}
    for row in derived:
        folded = str(row["alias"]).casefold()
        if folded in used:
            continue
        earlier = kept.get(folded)
        if earlier is not None and earlier["model_id"] != row["model_id"]:
            log.warning("sources name %r as two models (%s, %s): alias left out", row["alias"], earlier["model_id"], row["model_id"])
            kept[folded] = {**earlier, "model_id": None}
            continue
        if earlier is None or row["valid_from"] < earlier["valid_from"]:  # type: ignore[operator]
            kept[folded] = row
    rows = [r for r in kept.values() if r["model_id"] is not None]
    extra = pd.DataFrame(rows, columns=ALIAS_COLUMNS)
    for column in ("valid_from", "valid_to"):
        extra[column] = pd.to_datetime(extra[column], utc=True)
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return pd.concat([frame, extra], ignore_index=True) if len(extra) else frame


def release_catalog(published_dir: Path, reference_dir: Path) -> Catalog:
    """The catalog of the latest release (its ``models`` and the ``model_aliases`` it was built with),
    so a name a source made known matches without a code change; the curated files when there is
    no release, or when the release has no alias table (a release older than the nightly catalog)."""
    from llmflation.publish import read_latest_table

    models = read_latest_table(published_dir, "models")
    aliases = read_latest_table(published_dir, "model_aliases") if models is not None else None
    if models is None or aliases is None:
        log.info("no released catalog under %s: matching with the curated files in %s", published_dir, reference_dir)
        return Catalog.load(reference_dir)
    log.info("matching with the catalog of the latest release: %d models, %d aliases", len(models), len(aliases))
    return Catalog.from_frames(models, aliases)
