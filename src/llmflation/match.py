"""One name for every model: map the names sources use to catalog ``model_id``s.

Sources spell the same model many ways: ``gpt-4o-2024-08-06``, ``azure/eu/gpt-4o-2024-08-06``,
``meta-llama/Llama-3.2-3B-Instruct-Turbo``, ``accounts/fireworks/models/llama-v3p2-3b-instruct``,
``bedrock/us-east-1/meta.llama3-2-3b-instruct-v1:0``. A name is matched in steps, and the first
step that finds anything decides:

1. **alias**: the name exactly as written (compared case-insensitively) in ``model_aliases.csv``,
   or a catalog ``model_id`` itself.
2. **normalized**: the routing part is taken off (provider and region path segments such as
   ``openai/``, ``groq/``, ``bedrock/us-east-1/``, ``accounts/fireworks/models/``; Bedrock's
   ``meta.`` / ``us.anthropic.`` prefixes and ``-v1:0`` revision; OpenRouter's ``:free`` style
   variants), version spellings are unified (``v3p2`` -> ``3.2``, ``llama3`` -> ``llama-3``,
   Azure's ``gpt-35`` -> ``gpt-3.5``, ``2024-08-06`` = ``20240806``), and the name is compared
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

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

    def __init__(self, model_ids: Iterable[str], aliases: Mapping[str, str] | None = None) -> None:
        self.model_ids = frozenset(model_ids)
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

    @classmethod
    def from_frames(cls, models: pd.DataFrame, aliases: pd.DataFrame | None = None) -> Catalog:
        """From the reference loaders' ``models`` (``model_id``) and ``aliases`` (``alias``, ``model_id``)."""
        alias_map = {} if aliases is None else dict(zip(aliases["alias"], aliases["model_id"]))
        return cls(models["model_id"], alias_map)

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        """The catalog in ``data/reference/`` (``folder``, default the configured reference folder)."""
        from llmflation import reference

        folder = Path(folder) if folder is not None else reference.default_reference_dir()
        models = reference.load_models(folder)
        aliases = reference.load_aliases(folder, models) if (folder / reference.ALIASES_FILE).is_file() else None
        return cls.from_frames(models, aliases)

    def match(self, name: str, owners: frozenset[str] | None = None) -> Match:
        """The catalog model ``name`` refers to, or why it refers to none (see the module doc).

        ``owners``: for names that are repository ids (``meta-llama/Llama-3.2-3B-Instruct`` on the
        Hugging Face Hub), the namespaces whose repositories are the creators' own
        (:data:`HUB_CREATOR_ORGS`). A repository under any other namespace is a copy, a
        quantization or a fine-tune, and is left unmatched unless an alias names it.
        """
        clean = name.strip()
        if not clean:
            return Match(name, None, "empty name")
        if owners is not None:
            owner = clean.split("/", 1)[0].casefold() if "/" in clean else ""
            if owner not in owners and clean.casefold() not in self._exact:
                return Match(name, None, f"repository of {owner or 'no namespace'!r}, not of a model's creator")
        exact = self._exact_match(name, clean)
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


    def _exact_match(self, name: str, clean: str) -> Match | None:
        """Step 1: the name, or its tail after a host's route, exactly as an alias or model id.

        ``openrouter/openai/gpt-4.1-mini`` (litellm's key for an OpenRouter model) finds the
        alias ``openai/gpt-4.1-mini``; ``anthropic/claude-3.7-sonnet:thinking`` finds
        ``anthropic/claude-3.7-sonnet``, keeping ``thinking`` as the variant.
        """
        attributes: dict[str, str] = {}
        text = clean
        head, colon, suffix = text.rpartition(":")
        if colon and suffix.isalpha() and "/" not in suffix and not text.startswith("ft:"):
            attributes["variant"] = suffix.casefold()
            candidates = [text, head]
        else:
            candidates = [text]
        for candidate in candidates:
            parts = candidate.split("/")
            for start in range(len(parts)):
                tail = "/".join(parts[start:]).casefold()
                found = self._exact.get(tail)
                if found is None:
                    continue
                kept = dict(attributes) if candidate != text else {}
                if start:
                    kept["route"] = "/".join(parts[:start]).casefold()
                return Match(name, found, "model id" if tail in self._ids_folded else "alias", kept)
        return None


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


def match_names(names: Iterable[str], catalog: Catalog | None = None) -> dict[str, Match]:
    """Each distinct name -> its :class:`Match` (``llmflation match NAME...``)."""
    catalog = catalog or Catalog.load()
    memo = catalog._matched
    return {name: memo[name] if name in memo else memo.setdefault(name, catalog.match(name)) for name in dict.fromkeys(names)}


def match_ids(names: Iterable[str], catalog: Catalog | None = None) -> dict[str, str | None]:
    """Each distinct name -> its ``model_id`` or ``None``: the ``llmflation match --json`` object."""
    return {name: m.model_id for name, m in match_names(names, catalog).items()}


def assign_model_ids(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key") -> pd.DataFrame:
    """A copy of ``prices`` with ``model_id`` (``None`` when unmatched) and ``match_reason`` filled in.

    Where the row has no ``quantization`` of its own, the one read from the name (``-fp8``) is set.
    """
    catalog = catalog or Catalog.load()
    names = prices[name_column].astype(str)
    matches = match_names(names, catalog)
    out = prices.copy()

    def per_row(value: Callable[[Match], object]) -> pd.Series:  # one lookup per distinct name, not per row
        return names.map({name: value(m) for name, m in matches.items()}).astype(object).where(names.notna(), None)

    out["model_id"] = per_row(lambda m: m.model_id)
    out["match_reason"] = per_row(lambda m: m.reason)
    from_name = per_row(lambda m: m.attributes.get("quantization"))
    if "quantization" in out.columns:
        out["quantization"] = out["quantization"].where(out["quantization"].notna(), from_name)
    else:
        out["quantization"] = from_name
    return out


UNMATCHED_COLUMNS = ["name", "source_id", "n_price_rows", "reason"]


def unmatched_table(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key") -> pd.DataFrame:
    """The ``unmatched_models`` table: one row per (name, source) that maps to no single catalog model.

    Columns ``name, source_id, n_price_rows, reason``, ranked by ``n_price_rows`` (most first), so the
    names whose matching would add the most prices come first (``llmflation unmatched``).
    """
    catalog = catalog or Catalog.load()
    if prices.empty:
        return pd.DataFrame(columns=UNMATCHED_COLUMNS)
    counts = prices.groupby([name_column, "source_id"], sort=False).size().reset_index(name="n_price_rows")
    matches = match_names(counts[name_column].astype(str), catalog)
    counts["reason"] = [matches[str(n)].reason for n in counts[name_column]]
    unmatched = counts[[matches[str(n)].model_id is None for n in counts[name_column]]]
    table = unmatched.rename(columns={name_column: "name"})[UNMATCHED_COLUMNS]
    table = table.sort_values(["n_price_rows", "source_id", "name"], ascending=[False, True, True])
    return table.reset_index(drop=True)


SUMMARY_COLUMNS = ["source_id", "n_models", "n_matched", "share_matched", "n_price_rows", "n_price_rows_matched"]


def match_summary(prices: pd.DataFrame, catalog: Catalog | None = None, name_column: str = "model_key") -> pd.DataFrame:
    """Per source: distinct model names, how many match a catalog model, and the share (0-1).

    ``prices`` should hold chat-model price rows only (what the parsers emit). Printed by
    ``llmflation unmatched --summary``; a last row ``source_id = "all"`` counts every (source, name).
    """
    catalog = catalog or Catalog.load()
    matches = match_names(prices[name_column].astype(str), catalog)
    frame = pd.DataFrame(
        {
            "source_id": prices["source_id"].astype(str),
            "name": prices[name_column].astype(str),
        }
    )
    frame["matched"] = [matches[n].model_id is not None for n in frame["name"]]
    rows = []
    for source_id, group in [*frame.groupby("source_id", sort=True), ("all", frame)]:
        distinct = group.drop_duplicates(["source_id", "name"])
        n_models = len(distinct)
        n_matched = int(distinct["matched"].sum())
        rows.append(
            {
                "source_id": source_id,
                "n_models": n_models,
                "n_matched": n_matched,
                "share_matched": n_matched / n_models if n_models else 0.0,
                "n_price_rows": len(group),
                "n_price_rows_matched": int(group["matched"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


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
