"""One name for every model: map the names sources use to catalog ``model_id``s.

Sources spell the same model many ways: ``gpt-4o-2024-08-06``, ``azure/eu/gpt-4o-2024-08-06``,
``meta-llama/Llama-3.2-3B-Instruct-Turbo``, ``accounts/fireworks/models/llama-v3p2-3b-instruct``,
``bedrock/us-east-1/meta.llama3-2-3b-instruct-v1:0``. A name is matched in steps, and the first
step that finds anything decides:

1. **alias**: the name exactly as written (compared case-insensitively) in ``model_aliases.csv``,
   or a catalog ``model_id`` itself. A **dated alias** (``valid_from``/``valid_to``) names a model
   only over its date range: ``gpt-4o`` seen in March 2025 is the snapshot it meant then. Matched
   without a date (``llmflation match`` without ``--at``), a dated alias is unmatched, naming its models.
2. **normalized**: the routing part is taken off (provider and region path segments such as
   ``openai/``, ``groq/``, ``bedrock/us-east-1/``, ``accounts/fireworks/models/``; Bedrock's
   ``meta.`` / ``us.anthropic.`` prefixes and ``-v1:0`` revision; OpenRouter's ``:free`` style
   variants), version spellings are unified (``v3p2`` -> ``3.2``, ``llama3`` -> ``llama-3``,
   Azure's ``gpt-35`` -> ``gpt-3.5``, ``claude-4-5-sonnet`` -> ``claude-sonnet-4-5`` (Anthropic's
   order from Claude 4 on), ``llama-3-3-instruct-70b`` -> ``llama-3-3-70b-instruct``,
   ``2024-08-06`` = ``20240806``), and the name is compared
   as a sequence of letter and digit runs, so case, ``.``, ``-``, ``_``, ``@`` and spaces do
   not matter. Catalog ids and aliases
   are compared the same way (aliases only when written as ids, not display names).
3. **serving attributes**: trailing quantization (``-fp8``, ``-int4``, ``-awq``...), packaging
   (``-hf``, ``-gguf``) and, after an ``instruct``/``chat``/``it`` marker, serving labels
   (``-Turbo``, ``-Lite``, ``-fast``) and a free tier (``-Free``) are taken off and kept as
   attributes of the match.
4. **creator word**: a leading creator or host word inside the name (``Meta-Llama-3-8B``,
   ``databricks-meta-llama-3-1-8b-instruct``, ``gemini-gemma-2-9b-it``) is taken off.

Nothing is guessed: a name whose step finds two catalog models is unmatched, naming both; a
name no step finds is unmatched with the reason. Base and instruct models never meet, because
``instruct``/``chat``/``it`` are part of the compared name and never taken off. Fine-tuned model
prices (``ft:gpt-4o...``) are never matched to the base model.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from llmflation.frames import column_values
from llmflation.schema import UNMATCHED_MODELS

log = logging.getLogger(__name__)

#: Trailing name segments that state how weights are stored, not which model it is.
QUANTIZATION_WORDS = frozenset(
    {"fp4", "fp6", "fp8", "fp16", "bf16", "fp32", "int4", "int8", "awq", "gptq", "nf4", "4bit", "8bit", "w8a8", "w4a16"}
)
#: Trailing segments naming a packaging of the same weights.
FORMAT_WORDS = frozenset({"hf", "gguf", "mlx"})
#: Trailing serving labels of hosts; only taken off after an instruct/chat marker, because
#: ``gpt-3.5-turbo`` or ``gemini-2.0-flash-lite`` carry the same words as part of their name.
SERVING_WORDS = frozenset({"turbo", "lite", "fast"})
#: Segments that mark a chat/instruction-tuned model.
TUNED_WORDS = frozenset({"instruct", "chat", "it"})
#: OpenRouter-style ``:variant`` suffixes: the same model, sold differently.
VARIANT_SUFFIXES = frozenset({"free", "beta", "nitro", "floor", "extended", "online", "thinking", "exacto"})
#: Words a host or creator puts in front of the model's own name.
CREATOR_WORDS = frozenset({"meta", "databricks", "openai", "gemini", "google", "mistralai", "anthropic", "qwen"})
#: Hugging Face Hub namespaces of model creators: a repository there is the creator's own release.
HUB_CREATOR_ORGS = frozenset(
    {
        "meta-llama",
        "mistralai",
        "qwen",
        "google",
        "microsoft",
        "deepseek-ai",
        "01-ai",
        "tiiuae",
        "openai",
        "nvidia",
        "cohereforai",
        "coherelabs",
        "ai21labs",
        "allenai",
        "ibm-granite",
        "internlm",
        "thudm",
        "zai-org",
        "moonshotai",
        "minimaxai",
        "xai-org",
    }
)
#: Bedrock's ``<vendor>.`` and cross-region ``<geo>.`` prefixes on the model segment.
_BEDROCK_PREFIX = re.compile(
    r"^(?:(?:us|eu|apac|global|us-gov|jp|au)\.)?(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek|qwen|openai|writer|google)\."
)
#: Bedrock's model revision suffix (``-v1:0``, ``-v2:0``); ``-v0:2`` (Mistral 7B v0.2) is a version, kept.
_BEDROCK_REVISION = re.compile(r"-v\d+:0$")
_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
#: Azure OpenAI's deployment spelling of GPT-3.5 (``gpt-35-turbo-0125``): no dot allowed in its names.
_AZURE_GPT35 = re.compile(r"(?<![a-z0-9])gpt-35(?![0-9])")
_FIREWORKS_VERSION = re.compile(r"(?<!\d)v?(\d+)p(\d+)(?!\d)")
_LLAMA_V = re.compile(r"\b(llama)-?v(\d)")
#: From Claude 4 on Anthropic names the tier first (``claude-sonnet-4-5``); some sources keep the
#: Claude 3 order for them (``claude-4-5-sonnet`` at Artificial Analysis): the same model.
_CLAUDE_VERSION_FIRST = re.compile(r"\bclaude-([4-9]|[1-9]\d)((?:[-.]\d)?)-(opus|sonnet|haiku)\b")
#: Meta's Llama ids put the size before ``instruct`` (``llama-3.3-70b-instruct``); Artificial
#: Analysis writes it after (``llama-3-3-instruct-70b``, ``llama-3-2-instruct-11b-vision``).
_LLAMA_INSTRUCT_FIRST = re.compile(r"\bllama-(\d+(?:[-.]\d+)?)((?:-nemotron)?)-instruct-(\d+b)((?:-vision)?)\b")
_RUNS = re.compile(r"[a-z]+|\d+")


@dataclass(frozen=True)
class Match:
    """What one name maps to.

    ``model_id`` is ``None`` when the name is unmatched; ``reason`` then says why (no catalog
    entry, or which entries it could be). For a match, ``reason`` says which step found it.
    ``attributes`` keeps what normalization took off: ``quantization`` (``fp8``), ``serving``
    (``turbo``), ``format`` (``hf``), ``variant`` (``free``), ``route`` (the provider/region path).
    """

    name: str
    model_id: str | None
    reason: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    candidates: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.model_id is not None


@dataclass(frozen=True)
class DatedAlias:
    """One row of a dated alias: the model a name meant over ``[valid_from, valid_to)`` (None: unbounded)."""

    model_id: str
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)

    def describe(self) -> str:
        start = self.valid_from.date().isoformat() if self.valid_from is not None else "..."
        end = self.valid_to.date().isoformat() if self.valid_to is not None else "..."
        return f"{self.model_id} [{start}, {end})"


@dataclass(frozen=True)
class _Parsed:
    """A name taken apart: its comparable keys at each step, and the attributes taken off."""

    route: str
    base: tuple[str, ...]
    stripped: tuple[str, ...]
    creatorless: tuple[str, ...]
    attributes: dict[str, str]
    fine_tuned: bool


class Catalog:
    """The catalog's model ids and aliases, indexed for matching."""

    def __init__(
        self,
        model_ids: Iterable[str],
        aliases: Mapping[str, str] | None = None,
        dated_aliases: Iterable[tuple[str, DatedAlias]] = (),
        released: Mapping[str, datetime] | None = None,
    ) -> None:
        self.model_ids = frozenset(model_ids)
        #: First public availability of each model, where known: a price seen well before it is not
        #: that model's (an undated name such as ``deepseek-chat`` meant an earlier model then).
        self.released: Mapping[str, datetime] = dict(released or {})
        self._exact: dict[str, str] = {m.casefold(): m for m in self.model_ids}
        self._ids_folded = frozenset(self._exact)
        self._by_key: dict[tuple[str, ...], set[str]] = defaultdict(set)
        #: Names already matched (a build matches the same names for prices, the summary and unmatched_models).
        self._matched: dict[str, Match] = {}
        for model_id in self.model_ids:
            self._by_key[_parse(model_id).base].add(model_id)
        for alias, model_id in (aliases or {}).items():
            if model_id not in self.model_ids:
                raise ValueError(f"alias {alias!r} points at {model_id!r}, which is not in the catalog")
            folded = alias.casefold()
            if self._exact.get(folded, model_id) != model_id:
                raise ValueError(f"alias {alias!r} maps to {model_id!r} and to {self._exact[folded]!r}")
            self._exact[folded] = model_id
            if _is_identifier(alias):
                self._by_key[_parse(alias).base].add(model_id)
        #: Dated aliases are matched exactly only (with a host's route or a ``:variant`` taken off):
        #: loosened, a name that moves between snapshots would capture other spellings.
        self._dated: dict[str, list[DatedAlias]] = defaultdict(list)
        for alias, entry in dated_aliases:
            if entry.model_id not in self.model_ids:
                raise ValueError(f"dated alias {alias!r} points at {entry.model_id!r}, which is not in the catalog")
            folded = alias.casefold()
            if folded in self._exact:
                raise ValueError(f"alias {alias!r} is both dated and undated (or a model id)")
            self._dated[folded].append(entry)

    @classmethod
    def from_frames(cls, models: pd.DataFrame, aliases: pd.DataFrame | None = None) -> Catalog:
        """From the reference loaders' ``models`` (``model_id``) and ``aliases`` (``alias``, ``model_id``,
        and ``valid_from``/``valid_to`` when dated: a row with either set is a dated alias)."""
        alias_map: dict[str, str] = {}
        dated: list[tuple[str, DatedAlias]] = []
        if aliases is not None:
            starts = aliases["valid_from"] if "valid_from" in aliases.columns else [None] * len(aliases)
            ends = aliases["valid_to"] if "valid_to" in aliases.columns else [None] * len(aliases)
            for alias, model_id, start, end in zip(aliases["alias"], aliases["model_id"], starts, ends):
                start, end = _instant(start), _instant(end)
                if start is None and end is None:
                    alias_map[alias] = model_id
                else:
                    dated.append((alias, DatedAlias(model_id, start, end)))
        released: dict[str, datetime] = {}
        if "release_date" in models.columns:
            for model_id, day in zip(models["model_id"], models["release_date"], strict=True):
                instant = _instant(day)
                if instant is not None:
                    released[model_id] = instant
        return cls(models["model_id"], alias_map, dated, released)

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        """The catalog in ``data/reference/`` (``folder``, default the configured reference folder)."""
        from llmflation import reference

        folder = Path(folder) if folder is not None else reference.default_reference_dir()
        models = reference.load_models(folder)
        aliases = reference.load_aliases(folder, models) if (folder / reference.ALIASES_FILE).is_file() else None
        return cls.from_frames(models, aliases)

    def depends_on_time(self, name: str) -> bool:
        """Whether ``name`` is (a routed or ``:variant`` form of) a dated alias: its match needs a date."""
        return bool(self._dated) and self._dated_tail(name.strip()) is not None

    def match(self, name: str, owners: frozenset[str] | None = None, at: datetime | None = None) -> Match:
        """The catalog model ``name`` refers to, or why it refers to none (see the module doc).

        ``owners``: for names that are repository ids (``meta-llama/Llama-3.2-3B-Instruct`` on the
        Hugging Face Hub), the namespaces whose repositories are the creators' own
        (:data:`HUB_CREATOR_ORGS`). A repository under any other namespace is a copy, a
        quantization or a fine-tune, and is left unmatched unless an alias names it.

        ``at``: when the name was seen (a price's ``observed_at``), for dated aliases.
        """
        clean = name.strip()
        if not clean:
            return Match(name, None, "empty name")
        if owners is not None:
            owner = clean.split("/", 1)[0].casefold() if "/" in clean else ""
            if owner not in owners and clean.casefold() not in self._exact:
                return Match(name, None, f"repository of {owner or 'no namespace'!r}, not of a model's creator")
        exact = self._exact_match(name, clean, at)
        if exact is not None:
            return exact
        parsed = _parse(clean)
        attributes = dict(parsed.attributes)
        if parsed.fine_tuned:
            return Match(name, None, "a fine-tuned model (ft: prefix), not the catalog model", attributes)
        steps = (("normalized", parsed.base), ("serving attributes", parsed.stripped), ("creator word", parsed.creatorless))
        tried: set[tuple[str, ...]] = set()
        for step, key in steps:
            if not key or key in tried:
                continue
            tried.add(key)
            found = self._by_key.get(key, set())
            if len(found) == 1:
                kept = attributes if step != "normalized" else _without_serving(attributes)
                return Match(name, next(iter(found)), step, kept)
            if len(found) > 1:
                candidates = tuple(sorted(found))
                return Match(name, None, f"ambiguous: could be {', '.join(candidates)}", attributes, candidates)
        snapshots = self._snapshots_of(parsed.stripped)
        if snapshots:
            listed = ", ".join(snapshots)
            return Match(name, None, f"names no snapshot: the catalog has {listed} (add an alias if one is meant)",
                         attributes, snapshots)
        return Match(name, None, f"no catalog model or alias matches {'-'.join(parsed.base)!r}", attributes)

    def _snapshots_of(self, key: tuple[str, ...]) -> tuple[str, ...]:
        """Catalog ids that are ``key`` plus a date or version number only (``gpt-4o`` -> its dated snapshots)."""
        if not key:
            return ()
        found: set[str] = set()
        for other, ids in self._by_key.items():
            if len(other) > len(key) and other[: len(key)] == key and all(t.isdigit() for t in other[len(key):]):
                found.update(i for i in ids if i in self.model_ids)
        return tuple(sorted(found))


    def _dated_tail(self, clean: str) -> str | None:
        """The dated alias ``clean`` is, after a route or variant is taken off, if any."""
        for candidate, _ in self._candidates(clean):
            parts = candidate.split("/")
            for start in range(len(parts)):
                tail = "/".join(parts[start:]).casefold()
                if tail in self._dated:
                    return tail
        return None

    @staticmethod
    def _candidates(clean: str) -> list[tuple[str, dict[str, str]]]:
        """``clean``, and without its ``:variant`` suffix (with the variant kept as an attribute)."""
        head, colon, suffix = clean.rpartition(":")
        if colon and suffix.isalpha() and "/" not in suffix and not clean.startswith("ft:"):
            return [(clean, {}), (head, {"variant": suffix.casefold()})]
        return [(clean, {})]

    def _resolve_dated(self, name: str, tail: str, attributes: dict[str, str], at: datetime | None) -> Match:
        """The model a dated alias named at ``at``; without a date, none: its range says when it is true."""
        entries = self._dated[tail]
        known = ", ".join(e.describe() for e in entries)
        if at is None:
            ids = tuple(sorted({e.model_id for e in entries}))
            return Match(name, None, f"dated alias: named {known}; needs the date it was seen", attributes, ids)
        when = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        covering = sorted({e.model_id for e in entries if e.covers(when)})
        if len(covering) == 1:
            return Match(name, covering[0], f"dated alias on {when.date().isoformat()}", attributes)
        if not covering:
            return Match(name, None, f"dated alias names no model on {when.date().isoformat()} (known: {known})",
                         attributes)
        return Match(name, None, f"ambiguous on {when.date().isoformat()}: could be {', '.join(covering)}",
                     attributes, tuple(covering))

    def _exact_match(self, name: str, clean: str, at: datetime | None = None) -> Match | None:
        """Step 1: the name, or its tail after a host's route, exactly as an alias or model id.

        ``openrouter/openai/gpt-4.1-mini`` (litellm's key for an OpenRouter model) finds the
        alias ``openai/gpt-4.1-mini``; ``anthropic/claude-3.7-sonnet:thinking`` finds
        ``anthropic/claude-3.7-sonnet``, keeping ``thinking`` as the variant.
        """
        for candidate, attributes in self._candidates(clean):
            parts = candidate.split("/")
            for start in range(len(parts)):
                tail = "/".join(parts[start:]).casefold()
                found = self._exact.get(tail)
                if found is None and tail not in self._dated:
                    continue
                kept = dict(attributes)
                if start:
                    kept["route"] = "/".join(parts[:start]).casefold()
                if found is None:
                    return self._resolve_dated(name, tail, kept, at)
                return Match(name, found, "model id" if tail in self._ids_folded else "alias", kept)
        return None


def _instant(value: object) -> datetime | None:
    """A UTC ``datetime`` from a timestamp cell; missing (None, NaT, NaN) -> None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _is_identifier(alias: str) -> bool:
    """An alias written as a bare API id (lowercase, no spaces, no route), used by normalization too.

    Display names (``GPT-4 Turbo``, ``Gemma-2-9B`` in a study's table) and routed ids
    (``deepseek/deepseek-chat`` at OpenRouter) are matched exactly only: loosened, they would
    capture other sources' names that mean another model (OpenAI's ``gpt-4-turbo``, the base
    model ``google/gemma-2-9b``, DeepSeek's own ``deepseek-chat``, which moved between versions).
    """
    return alias == alias.lower() and not any(ch.isspace() for ch in alias) and "/" not in alias


def _without_serving(attributes: dict[str, str]) -> dict[str, str]:
    """Attributes that hold whatever step matched (the route and variant, not the stripped suffixes)."""
    return {k: v for k, v in attributes.items() if k in ("route", "variant")}


def _parse(name: str) -> _Parsed:
    text = name.strip().lower()
    attributes: dict[str, str] = {}
    fine_tuned = text.startswith("ft:") or "/ft:" in text
    text = text.replace("ft:", "") if fine_tuned else text
    text = _BEDROCK_REVISION.sub("", text)
    if ":" in text:
        head, _, suffix = text.rpartition(":")
        if suffix in VARIANT_SUFFIXES or re.fullmatch(r"[a-z]+", suffix):
            attributes["variant"] = suffix
            text = head
    route, _, model = text.rpartition("/")
    if route:
        attributes["route"] = route
    model = _BEDROCK_PREFIX.sub("", model)
    model = _DATE.sub(lambda m: m[1] + m[2] + m[3], model)
    model = _AZURE_GPT35.sub("gpt-3.5", model)
    model = _LLAMA_V.sub(r"\1-\2", model)
    model = _CLAUDE_VERSION_FIRST.sub(r"claude-\3-\1\2", model)
    model = _LLAMA_INSTRUCT_FIRST.sub(r"llama-\1\2-\3\4-instruct", model)
    model = _FIREWORKS_VERSION.sub(r"\1.\2", model)
    segments = [s for s in re.split(r"[^a-z0-9]+", model) if s]
    base = _runs(segments)

    kept = list(segments)
    while kept:
        last = kept[-1]
        if last in QUANTIZATION_WORDS:
            attributes.setdefault("quantization", last)
        elif last in FORMAT_WORDS:
            attributes.setdefault("format", last)
        elif last in SERVING_WORDS and any(word in TUNED_WORDS for word in kept[:-1]):
            attributes.setdefault("serving", last)
        elif last == "free" and any(word in TUNED_WORDS for word in kept[:-1]):
            attributes.setdefault("variant", last)  # Together's ``-Turbo-Free``: OpenRouter's ``:free``
        else:
            break
        kept.pop()
    stripped = _runs(kept)

    route_words = set(route.split("/")) if route else set()
    lead = 0
    while len(kept) - lead > 1 and (kept[lead] in CREATOR_WORDS or kept[lead] in route_words):
        lead += 1
    creatorless = _runs(kept[lead:])
    return _Parsed(route, base, stripped, creatorless, attributes, fine_tuned)


def _runs(segments: list[str]) -> tuple[str, ...]:
    """Letter and digit runs of the segments: ``["llama3", "8b"]`` -> ``("llama", "3", "8", "b")``."""
    return tuple(run for segment in segments for run in _RUNS.findall(segment))


def name_key(name: str) -> str:
    """A name as the normalized step compares it, written out: ``Claude Sonnet 4.5`` -> ``claude-sonnet-4-5``.

    The routing part is taken off (``openai/``, ``gemini/``, ``accounts/fireworks/models/``), case,
    separators, date and version spellings are unified, and the name becomes its letter and digit
    runs joined by ``-``. Everything else is kept, so two names share a key only when they are the
    same name: quantization and serving words stay in (``...-fp8`` is not the plain name), a
    ``:variant`` stays as ``:variant``, and a fine-tune keeps its ``ft:`` mark. For comparing names
    of one provider that the catalog does not know (the cross-check of pages and price APIs).
    """
    parsed = _parse(name)
    key = "-".join(parsed.base)
    if "variant" in parsed.attributes:
        key += ":" + parsed.attributes["variant"]
    return ("ft:" + key) if parsed.fine_tuned else key


# --- what the build and the CLI call ---------------------------------------------------------


def match_names(names: Iterable[str], catalog: Catalog | None = None, at: datetime | None = None) -> dict[str, Match]:
    """Each distinct name -> its :class:`Match` (``llmflation match NAME...``), seen at ``at`` when given."""
    catalog = catalog or Catalog.load()
    if at is not None:
        return {name: catalog.match(name, at=at) for name in dict.fromkeys(names)}
    memo = catalog._matched  # a name without a time matches the same way every time it is asked
    return {name: memo[name] if name in memo else memo.setdefault(name, catalog.match(name)) for name in dict.fromkeys(names)}


def match_ids(names: Iterable[str], catalog: Catalog | None = None, at: datetime | None = None) -> dict[str, str | None]:
    """Each distinct name -> its ``model_id`` or ``None``: the ``llmflation match --json`` object."""
    return {name: m.model_id for name, m in match_names(names, catalog, at).items()}


def assign_model_ids(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key",
                     time_column: str = "observed_at") -> pd.DataFrame:
    """A copy of ``prices`` with ``model_id`` (``None`` when unmatched) and ``match_reason`` filled in.

    A name that is a dated alias is matched at the row's ``time_column`` (when the price was
    seen), so ``gpt-4o`` in a March 2025 capture is the snapshot it meant in March 2025. Where
    the row has no ``quantization`` of its own, the one read from the name (``-fp8``) is set.
    """
    catalog = catalog or Catalog.load()
    codes, distinct = pd.factorize(prices[name_column].astype(str))  # a year of rows repeats a few thousand names
    matches = match_names(distinct, catalog)
    found = np.array([matches[name] for name in distinct], dtype=object)[codes]
    timed = [i for i, name in enumerate(distinct) if catalog.depends_on_time(name)] if time_column in prices.columns else []
    if timed:
        at_cache: dict[tuple[str, object], Match] = {}
        when = column_values(prices[time_column])
        for index in np.flatnonzero(np.isin(codes, timed)).tolist():
            name, at = str(distinct[codes[index]]), when[index]
            if at is not None and not pd.isna(at):
                key = (name, at)
                if key not in at_cache:
                    at_cache[key] = catalog.match(name, at=pd.Timestamp(at).to_pydatetime())
                found[index] = at_cache[key]
    if time_column in prices.columns and catalog.released:
        found = _not_before_release(found, prices[time_column], catalog)
    out = prices.copy()
    out["model_id"] = pd.Series([m.model_id for m in found], index=out.index, dtype=object)
    out["match_reason"] = pd.Series([m.reason for m in found], index=out.index, dtype=object)
    from_name = pd.Series([m.attributes.get("quantization") for m in found], index=out.index, dtype=object)
    if "quantization" in out.columns:
        out["quantization"] = out["quantization"].where(out["quantization"].notna(), from_name)
    else:
        out["quantization"] = from_name
    return out


#: How long before a model's stated release a price may be seen and still be that model's: release
#: dates from sources are often a few weeks off (a preview on sale first, a month-only date).
RELEASE_SLACK = pd.Timedelta(days=31)


def seen_before_release(model_ids: Iterable[str | None], seen: pd.Series, catalog: Catalog
                        ) -> tuple[np.ndarray, pd.Series, pd.Series]:
    """Which (model, time) pairs are over :data:`RELEASE_SLACK` before the model's release (a name seen
    then meant another model), with the times and release dates compared (UTC; NaT when none)."""
    codes, ids = pd.factorize(pd.Series([i or None for i in model_ids], dtype=object), use_na_sentinel=True)
    dates = pd.to_datetime(pd.Series([catalog.released.get(i) for i in ids] + [None], dtype=object), utc=True)
    released = dates.take(codes).reset_index(drop=True)  # once per model; code -1 (unmatched) takes the last: NaT
    when = pd.to_datetime(seen, utc=True).reset_index(drop=True)
    return (when < released - RELEASE_SLACK).fillna(False).to_numpy(), when, released


def _not_before_release(found: np.ndarray, seen: pd.Series, catalog: Catalog) -> np.ndarray:
    """``found`` with each match of a row seen over :data:`RELEASE_SLACK` before its model's release unmatched.

    Such a row is an undated name (``deepseek-chat``, ``gemini-pro``) that meant an earlier model
    when the price was seen; giving it the later model would credit an old price with a newer
    model's scores. Compared column-wise: a build matches every price row.
    """
    early, when, released = seen_before_release([m.model_id for m in found], seen, catalog)
    out = found.copy()
    for index in early.nonzero()[0]:
        match = out[index]
        out[index] = Match(match.name, None, f"seen {when[index]:%Y-%m-%d}, before {match.model_id} was released "
                                             f"({released[index]:%Y-%m-%d}): the name meant another model then",
                           match.attributes)
    return out


def _assigned(prices: pd.DataFrame, catalog: Catalog | None, name_column: str) -> pd.DataFrame:
    """``prices`` with ``model_id`` and ``match_reason`` as :func:`assign_model_ids` sets them (kept when present)."""
    if {"model_id", "match_reason"} <= set(prices.columns):
        return prices
    return assign_model_ids(prices, catalog, name_column)


UNMATCHED_COLUMNS = UNMATCHED_MODELS.column_names


def unmatched_table(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key") -> pd.DataFrame:
    """The ``unmatched_models`` table: one row per (name, source) with price rows that map to no single catalog model.

    Columns ``name, source_id, n_price_rows, reason``, ranked by ``n_price_rows`` (most first), so the
    names whose matching would add the most prices come first (``llmflation unmatched``). Rows
    already matched (``model_id`` set, as by :func:`assign_model_ids`) are taken as they are; a
    dated alias may match some rows of a name (those seen in its range) and not others.
    """
    if prices.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    rows = _assigned(prices, catalog, name_column)
    unmatched = rows[rows["model_id"].isna()]
    if unmatched.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    grouped = unmatched.groupby([name_column, "source_id"], sort=False)
    table = grouped.agg(n_price_rows=("match_reason", "size"), reason=("match_reason", "first")).reset_index()
    table = table.rename(columns={name_column: "name"})[UNMATCHED_COLUMNS]
    table = table.sort_values(["n_price_rows", "source_id", "name"], ascending=[False, True, True])
    return table.reset_index(drop=True)


SUMMARY_COLUMNS = ["source_id", "n_models", "n_matched", "share_matched", "n_price_rows", "n_price_rows_matched"]


def match_summary(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key") -> pd.DataFrame:
    """Per source: distinct model names, how many match a catalog model, and the share (0-1).

    ``prices`` should hold chat-model price rows only (what the parsers emit). A name counts as
    matched when its rows are matched (a dated alias: when any of its rows falls in its range).
    Printed by ``llmflation unmatched --summary``; a last row ``source_id = "all"`` counts every (source, name).
    """
    rows = _assigned(prices, catalog, name_column)
    frame = pd.DataFrame(
        {
            "source_id": rows["source_id"].astype(str),
            "name": rows[name_column].astype(str),
            "matched": rows["model_id"].notna(),
        }
    )
    records = []
    for source_id, group in [*frame.groupby("source_id", sort=True), ("all", frame)]:
        per_name = group.groupby(["source_id", "name"], sort=False)["matched"].any()
        n_models = len(per_name)
        n_matched = int(per_name.sum())
        records.append(
            {
                "source_id": source_id,
                "n_models": n_models,
                "n_matched": n_matched,
                "share_matched": n_matched / n_models if n_models else 0.0,
                "n_price_rows": len(group),
                "n_price_rows_matched": int(group["matched"].sum()),
            }
        )
    return pd.DataFrame(records, columns=SUMMARY_COLUMNS)


def format_summary(summary: pd.DataFrame) -> list[str]:
    """One line per source: ``litellm: 412 of 1,830 chat models matched (22.5%), 3,101 of 9,950 price rows``."""
    return [
        f"{row.source_id}: {row.n_matched:,} of {row.n_models:,} chat models matched ({row.share_matched:.1%}), "
        f"{row.n_price_rows_matched:,} of {row.n_price_rows:,} price rows"
        for row in summary.itertuples()
    ]


def cheapest_rows_unmatched(cheapest: pd.DataFrame, catalog: Catalog | None = None) -> list[str]:
    """Problems with ``cheapest_by_quality``: rows whose ``model_id`` is empty or not a catalog model.

    A published "cheapest model at MMLU >= X" must be a catalog model, or its score and its
    price may belong to two different models. Empty list when every row is matched; the
    validation gate fails the run otherwise.
    """
    catalog = catalog or Catalog.load()
    problems = []
    for row in cheapest.itertuples(index=False):
        model_id = getattr(row, "model_id", None)
        if not isinstance(model_id, str) or model_id not in catalog.model_ids:
            what = f"model {model_id!r} is not a catalog model" if isinstance(model_id, str) else "no model_id"
            problems.append(
                f"cheapest_by_quality {getattr(row, 'month', '?')} {getattr(row, 'benchmark', '?')} >= "
                f"{getattr(row, 'threshold', '?')} ({getattr(row, 'blend', '?')}) at "
                f"{getattr(row, 'provider', '?')}: {what}"
            )
    return problems


def format_matches(matches: Mapping[str, Match]) -> list[str]:
    """``llmflation match`` lines: ``NAME -> model_id [attributes]`` or ``NAME -> no match: reason``."""
    lines = []
    for name, found in matches.items():
        if found.model_id is None:
            lines.append(f"{name} -> no match: {found.reason}")
            continue
        extras = ", ".join(f"{k}={v}" for k, v in sorted(found.attributes.items()))
        lines.append(f"{name} -> {found.model_id}" + (f" [{extras}]" if extras else ""))
    return lines
