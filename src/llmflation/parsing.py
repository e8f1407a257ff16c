"""Parse captures once per content, ever: results are keyed by the bytes, not by the capture.

A parse result is cached under ``<data_dir>/parsed/`` keyed by the capture's sha256, the parser
module and its ``PARSER_VERSION``, the options it takes (``chars_per_token``), and whatever of the
capture's metadata the parser actually read (noted as it runs): a parser that reads only the bytes
is run once per distinct body however many captures share it. A parser whose records depend on
the capture's date through dated changes in the bytes says so (``ParseResult.date_boundaries``),
and its result is reused for every capture of those bytes between two such dates. Bumping a
parser's ``PARSER_VERSION`` re-parses its captures, nothing else does.

``results.sqlite`` beside the results indexes them with a digest of their records and their
counts, so deciding whether a capture changed its listing never loads its records, and keeps each
parser module's version by the sha256 of its file, so a night of known bytes imports no parser. A
``ParseError`` is cached too (the same bytes give the same error); any other exception is a parser
bug, reported and not cached, so the fixed parser tries again. Many parses at once (a cold
build) are spread over processes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import logging
import multiprocessing
import os
import sqlite3
import sys
import uuid
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from llmflation.config import Settings
from llmflation.parsers import load_parser
from llmflation.fetch.rawstore import RawStore, write_atomic
from llmflation.records import (
    CaptureMeta,
    ModelRecord,
    ParseError,
    ParseResult,
    PriceRecord,
    ScoreRecord,
    UsageRecord,
    record_to_dict,
)
from llmflation.report import RunReport
from llmflation.sources import Source, get_source

log = logging.getLogger(__name__)

#: Parses at once below which spreading them over processes costs more than it saves.
PARALLEL_FROM = 8


@dataclass(frozen=True)
class Outcome:
    """What one parse gave, as indexed: enough to compare versions without loading records."""

    key: str  # names the result file; unique per (parser variant, sha256, capture context)
    parser_id: str  # "llmflation.parsers.openrouter@2"
    path: str  # the result file, relative to the parsed folder
    error: str | None
    prices_digest: str  # sha256 of the price records as a set ("" for an error)
    records_digest: str  # sha256 of every record (prices, scores, models), each kind as a set
    n_prices: int
    n_scores: int
    n_models: int
    skipped: dict[str, int]


class ParsedCapture:
    """A capture and what its parser made of it; cached records are read when first asked for."""

    def __init__(self, capture: CaptureMeta, parser: str, result: ParseResult | None = None, error: str | None = None,
                 *, outcome: Outcome | None = None, cache: ParseCache | None = None) -> None:
        self.capture = capture
        self.parser = parser
        self.error = error
        self.outcome = outcome
        self._result = result
        self._cache = cache

    @property
    def result(self) -> ParseResult | None:
        if self._result is None and self.error is None and self._cache is not None and self.outcome is not None:
            self._result = self._cache.load(self.outcome)
        return self._result


@dataclass
class ParsedStore:
    """Every status-200 capture of a registered source, with what its parser made of it."""

    parsed: list[ParsedCapture] = field(default_factory=list)

    def ok(self) -> list[ParsedCapture]:
        return [p for p in self.parsed if p.error is None]


def parser_options(settings: Settings) -> dict[str, Any]:
    """The settings parsers may take as keyword arguments (and that key their cached results)."""
    return {"chars_per_token": settings.chars_per_token}


@dataclass(frozen=True)
class ParserSpec:
    """One parser as configured: its module path, the keyword options it takes, its cache folder."""

    module: str
    parser_id: str  # module@version, as published in the ``parser`` column
    variant: str  # the version plus options: "2", "3-chars_per_token=4"
    kwargs: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, source: Source, options: dict[str, Any]) -> ParserSpec:
        version, parameters = _parser_facts(source.parser)
        return cls.made(source.parser, version, set(parameters), options)

    @classmethod
    def made(cls, module: str, version: str, parameters: set[str], options: dict[str, Any]) -> ParserSpec:
        """The spec of parser ``module`` at ``version`` whose ``parse`` takes ``parameters``."""
        kwargs = tuple((key, value) for key, value in sorted(options.items()) if key in parameters)
        variant = version + "".join(f"-{key}={value}" for key, value in kwargs)
        return cls(module, f"{module}@{version}", variant, kwargs)

    @property
    def cache_id(self) -> str:
        return f"{self.module}/{self.variant}"

    def parse(self, body: bytes, capture: CaptureMeta) -> ParseResult:
        """The parser's records for ``body``; ``ParseError`` when it returns none (a page with no prices
        is a failure, not an empty success). The one place a registered parser is called."""
        result: ParseResult = load_parser(self.module).parse(body, capture, **dict(self.kwargs))
        if not result.prices and not result.scores and not result.models and not result.usage:
            raise ParseError("the parser returned no records")
        return result


def usable_source(capture: CaptureMeta, report: RunReport) -> Source | None:
    """The capture's registered source when the capture is to be parsed; otherwise None, noted in ``report``."""
    try:
        source = get_source(capture.source_id)
    except KeyError:
        report.sections.setdefault("unregistered_captures", []).append(capture.capture_id)
        return None
    entry = report.source(source.id)
    if capture.status != 200:
        entry.notes.append(f"HTTP {capture.status} capture {capture.capture_id} at {capture.observed_at:%Y-%m-%d %H:%M} not parsed")
        return None
    if capture.rejected:
        entry.notes.append(f"capture {capture.capture_id} at {capture.observed_at:%Y-%m-%d %H:%M} not parsed: {capture.rejected}")
        return None
    return source


def parse_store(
    store: RawStore,
    parsed_dir: Path,
    report: RunReport,
    source_ids: Iterable[str] | None = None,
    options: dict[str, Any] | None = None,
) -> ParsedStore:
    """Parse (or reuse the parse of) every usable capture, recording per-source counts in ``report``.

    ``options`` are settings a parser may take as keyword arguments (``chars_per_token``); each
    parser gets those its ``parse`` accepts, and they are part of its cache key.
    """
    wanted = set(source_ids) if source_ids else None
    items = []
    for capture in store.captures():
        if wanted is not None and capture.source_id not in wanted:
            continue
        source = usable_source(capture, report)
        if source is not None:
            items.append((source, capture))
    cache = ParseCache(parsed_dir)
    try:
        return cache.parse(store, items, report, options or {})
    finally:
        cache.close()


class ParseCache:
    """Parse results keyed by content, and the SQLite index of them (``<parsed_dir>/results.sqlite``)."""

    def __init__(self, parsed_dir: Path) -> None:
        self.root = Path(parsed_dir)
        self._db: sqlite3.Connection | None = None
        self._specs: dict[tuple[str, tuple[tuple[str, Any], ...]], ParserSpec] = {}
        self._known: dict[tuple[str, str], list[tuple[dict[str, Any], Outcome]]] = {}

    def spec(self, source: Source, options: dict[str, Any]) -> ParserSpec:
        """The source's parser as configured. Kept in the index by the digest of the parser module's
        source file, so a night whose captures are all known bytes imports no parser (importing
        them, BeautifulSoup and lxml with them, was a tenth of such a night's build). A module's
        ``PARSER_VERSION`` and ``parse`` signature are in its own file (tested), so a new digest is
        the only way either can change."""
        key = (source.parser, tuple(sorted(options.items())))
        if key not in self._specs:
            if source.parser in sys.modules:  # loaded already: reading it costs nothing, and it is what will run
                self._specs[key] = ParserSpec.of(source, options)
            else:
                self._specs[key] = self._spec_by_file(source, options)
        return self._specs[key]

    def _spec_by_file(self, source: Source, options: dict[str, Any]) -> ParserSpec:
        """The spec from the version kept for the module file's digest; the module is imported (and its
        version kept) only when the file is new to the index."""
        digest = _module_digest(source.parser)
        db = self._connect()
        row = db.execute("SELECT version, parameters FROM parsers WHERE module = ? AND source_sha256 = ?",
                         (source.parser, digest)).fetchone() if digest else None
        if row is not None:
            version, parameters = row[0], json.loads(row[1])
        else:
            version, parameters = _parser_facts(source.parser)
            if digest is not None:
                with db:
                    db.execute("INSERT OR REPLACE INTO parsers(module, source_sha256, version, parameters) VALUES (?, ?, ?, ?)",
                               (source.parser, digest, version, json.dumps(parameters)))
        return ParserSpec.made(source.parser, version, set(parameters), options)

    def parse(self, store: RawStore, items: list[tuple[Source, CaptureMeta]], report: RunReport,
              options: dict[str, Any]) -> ParsedStore:
        """Every item's parse, from the cache or parsed now; counts and errors go into ``report``."""
        out = ParsedStore()
        for (_source, capture), (spec, outcome, crash) in zip(items, self.resolve(store, items, report, options), strict=True):
            if outcome is None:
                out.parsed.append(ParsedCapture(capture, spec.parser_id, None, crash))
                continue
            report_outcome(report, capture, outcome)
            out.parsed.append(ParsedCapture(capture, spec.parser_id, error=outcome.error, outcome=outcome, cache=self))
        return out

    def resolve(self, store: RawStore, items: list[tuple[Source, CaptureMeta]], report: RunReport,
                options: dict[str, Any]) -> list[tuple[ParserSpec, Outcome | None, str | None]]:
        """For each item, in order: its parser, its outcome (None when the parser crashed) and the crash.

        Looks every capture up first; parses the distinct bytes that missed (over processes when
        there are many), then looks again, until every capture has its outcome.
        """
        specs = [self.spec(source, options) for source, _ in items]
        found: list[Outcome | None] = [None] * len(items)
        crashes: dict[int, str] = {}
        pending = list(range(len(items)))
        while pending:
            tasks: dict[tuple[str, str], int] = {}
            missed = []
            for i in pending:
                capture = items[i][1]
                outcome = self.lookup(specs[i], capture)
                if outcome is not None:
                    found[i] = outcome
                    if i not in tasks.values():
                        report.source(capture.source_id).captures_reused += 1
                    continue
                missed.append(i)
                tasks.setdefault((specs[i].cache_id, capture.sha256), i)
            parsed_now = set(tasks.values())
            for i, (outcome_or_crash, context) in zip(parsed_now, self._run(store, [(specs[i], items[i][1]) for i in parsed_now]),
                                                      strict=True):
                report.source(items[i][1].source_id).captures_parsed += 1
                if isinstance(outcome_or_crash, str):
                    crashes[i] = outcome_or_crash
                    continue
                self._insert(specs[i], items[i][1].sha256, context, outcome_or_crash)
                found[i] = outcome_or_crash
            pending = [i for i in missed if i not in parsed_now]
        for i, crash in crashes.items():
            capture = items[i][1]
            report.source(capture.source_id).parse_errors.append(_error_row(capture, crash))
        return [(specs[i], found[i], crashes.get(i)) for i in range(len(items))]

    def lookup(self, spec: ParserSpec, capture: CaptureMeta) -> Outcome | None:
        """The cached outcome of these bytes under this parser whose capture context matches, or None."""
        key = (spec.cache_id, capture.sha256)
        if key not in self._known:
            rows = self._connect().execute(
                "SELECT context, outcome FROM results WHERE cache_id = ? AND sha256 = ?", key).fetchall()
            self._known[key] = [(json.loads(context), Outcome(**json.loads(outcome))) for context, outcome in rows]
        for context, outcome in self._known[key]:
            if _context_matches(context, capture) and (outcome.error is not None or (self.root / outcome.path).exists()):
                return outcome
        return None

    def load(self, outcome: Outcome) -> ParseResult:
        """The records of a cached result (parsed again by the next build if its file is unreadable)."""
        cached = _read_cache(self.root / outcome.path)
        if cached is None or cached[0] is None:
            raise ParseError(f"cached parse result {outcome.path} is missing or unreadable: build again to re-parse")
        return cached[0]

    def _run(self, store: RawStore, tasks: list[tuple[ParserSpec, CaptureMeta]]) -> list[tuple[Outcome | str, dict[str, Any]]]:
        jobs = [(str(store.root), str(self.root), spec, capture) for spec, capture in tasks]
        workers = min(os.cpu_count() or 1, len(jobs))
        if len(jobs) < PARALLEL_FROM or workers < 2:
            return [_parse_job(job) for job in jobs]
        log.info("parsing %d distinct captures over %d processes", len(jobs), workers)
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
                return list(pool.map(_parse_job, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
        except BrokenProcessPool as exc:  # e.g. a script without a __main__ guard: its workers cannot start
            log.warning("parse workers failed (%s): parsing %d captures in this process", exc, len(jobs))
            return [_parse_job(job) for job in jobs]

    def _insert(self, spec: ParserSpec, sha256: str, context: dict[str, Any], outcome: Outcome) -> None:
        db = self._connect()
        with db:
            db.execute("INSERT OR REPLACE INTO results(key, cache_id, sha256, context, outcome) VALUES (?, ?, ?, ?, ?)",
                       (outcome.key, spec.cache_id, sha256, json.dumps(context, sort_keys=True), json.dumps(asdict(outcome))))
        self._known.setdefault((spec.cache_id, sha256), []).append((context, outcome))

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / "results.sqlite"
            try:
                self._db = _open_index(path)
            except sqlite3.DatabaseError as exc:
                log.warning("parse index %s is unreadable (%s): starting it again (results are re-parsed)", path, exc)
                path.unlink(missing_ok=True)
                self._db = _open_index(path)
        return self._db

    def generation(self) -> str:
        """Names this index of results: a new one (the old lost or unreadable) may lack results others point at."""
        return str(self._connect().execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _parser_facts(module: str) -> tuple[str, list[str]]:
    """A parser module's ``PARSER_VERSION`` and the names of its ``parse`` parameters (importing it)."""
    loaded = load_parser(module)
    return loaded.PARSER_VERSION, sorted(inspect.signature(loaded.parse).parameters)


def _module_digest(module: str) -> str | None:
    """sha256 of a parser module's source file, found without importing the module; None when it has none."""
    found = importlib.util.find_spec(module)
    if found is None or not found.origin or not found.origin.endswith(".py"):
        return None
    return hashlib.sha256(Path(found.origin).read_bytes()).hexdigest()


def _open_index(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS results(key TEXT PRIMARY KEY, cache_id TEXT NOT NULL, sha256 TEXT NOT NULL,"
                   " context TEXT NOT NULL, outcome TEXT NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS results_content ON results(cache_id, sha256)")
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', ?)", (uuid.uuid4().hex,))
        db.execute("CREATE TABLE IF NOT EXISTS parsers(module TEXT NOT NULL, source_sha256 TEXT NOT NULL, version TEXT NOT NULL,"
                   " parameters TEXT NOT NULL, PRIMARY KEY(module, source_sha256))")
    db.execute("SELECT COUNT(*) FROM results").fetchone()
    return db


def report_outcome(report: RunReport, capture: CaptureMeta, outcome: Outcome) -> None:
    """Count one capture's parse in the report: its rows and skips, or its error."""
    entry = report.source(capture.source_id)
    entry.captures_total += 1
    if outcome.error is not None:
        entry.parse_errors.append(_error_row(capture, outcome.error))
        return
    entry.price_rows += outcome.n_prices
    entry.score_rows += outcome.n_scores
    entry.skipped.update(outcome.skipped)


class _ReadRecorder:
    """Stands in for a ``CaptureMeta`` given to a parser, noting which fields it reads."""

    def __init__(self, capture: CaptureMeta) -> None:
        self.capture = capture
        self.fields_read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.capture, name)
        self.fields_read.add(name)
        return value


def _parse_job(job: tuple[str, str, ParserSpec, CaptureMeta]) -> tuple[Outcome | str, dict[str, Any]]:
    """Parse one capture and write its result file: the outcome, or the crash message, and the context.

    Runs in a worker process during a cold build: everything it needs is in ``job``.
    """
    raw_root, parsed_root, spec, capture = job
    recorder = _ReadRecorder(capture)
    result: ParseResult | None = None
    error: str | None = None
    try:
        result = spec.parse(RawStore(Path(raw_root)).read(capture.sha256), cast(CaptureMeta, recorder))
    except ParseError as exc:
        error = str(exc) or type(exc).__name__
        result = None
    except Exception as exc:  # a parser bug must not stop the other sources
        log.exception("parser %s crashed on capture %s", spec.parser_id, capture.capture_id)
        return f"parser crashed: {type(exc).__name__}: {exc}", {}
    context = _context(recorder.fields_read, capture, result)
    key = hashlib.sha256("\n".join([spec.cache_id, capture.sha256, json.dumps(context, sort_keys=True)]).encode()).hexdigest()[:32]
    path = f"{spec.cache_id}/{key[:2]}/{key}.json"
    encoded = _write_cache(Path(parsed_root) / path, result, error)
    outcome = Outcome(
        key=key, parser_id=spec.parser_id, path=path, error=error,
        prices_digest=_set_digest(encoded.get("prices", [])) if result is not None else "",
        records_digest=_set_digest([_set_digest(v) if isinstance(v, list) else v for _, v in sorted(encoded.items())]),
        n_prices=len(result.prices) if result else 0, n_scores=len(result.scores) if result else 0,
        n_models=len(result.models) if result else 0, skipped=dict(result.skipped) if result else {},
    )
    return outcome, context


def _set_digest(rows: list[Any]) -> str:
    """sha256 of ``rows`` as a set: a listing that only reorders its entries is the same version
    (as the backfill's bisection compares captures)."""
    return hashlib.sha256("\n".join(sorted(json.dumps(row, sort_keys=True, separators=(",", ":")) for row in rows)).encode()).hexdigest()


def _context(fields_read: set[str], capture: CaptureMeta, result: ParseResult | None) -> dict[str, Any]:
    """What of the capture (beyond its bytes) this result depends on, as JSON values.

    ``observed_at`` becomes the range of dates between the parser's date boundaries when it
    gave them, else the exact time.
    """
    context: dict[str, Any] = {}
    for name in sorted(fields_read - {"sha256", "size"}):  # the same bytes have the same hash and size
        value = getattr(capture, name)
        if name == "observed_at" and result is not None and result.date_boundaries is not None:
            day = value.astimezone(UTC).date()
            since = max((b for b in result.date_boundaries if b <= day), default=None)
            until = min((b for b in result.date_boundaries if b > day), default=None)
            context[name] = {"dates": [since.isoformat() if since else None, until.isoformat() if until else None]}
        else:
            context[name] = _json_value(value)
    return context


def _context_matches(context: dict[str, Any], capture: CaptureMeta) -> bool:
    for name, expected in context.items():
        value = getattr(capture, name)
        if isinstance(expected, dict) and "dates" in expected:
            day = value.astimezone(UTC).date()
            since, until = (date.fromisoformat(d) if d else None for d in expected["dates"])
            if (since is not None and day < since) or (until is not None and day >= until):
                return False
        elif _json_value(value) != expected:
            return False
    return True


def _json_value(value: object) -> object:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _error_row(capture: CaptureMeta, error: str) -> dict[str, str]:
    return {
        "capture_id": capture.capture_id,
        "observed_at": capture.observed_at.isoformat(),
        "url": capture.url,
        "via": capture.via,
        "sha256": capture.sha256,
        "error": error,
    }


def _write_cache(path: Path, result: ParseResult | None, error: str | None) -> dict[str, Any]:
    """Write one result file (atomically); the JSON document written."""
    doc: dict[str, Any]
    if result is None:
        doc = {"error": error}
    else:
        doc = {
            "prices": [_encode(record_to_dict(r)) for r in result.prices],
            "scores": [_encode(record_to_dict(r)) for r in result.scores],
            "models": [_encode(record_to_dict(r)) for r in result.models],
            "skipped": dict(result.skipped),
        }
        if result.usage:  # only when there is some: the records digest of every other result stays as it was
            doc["usage"] = [_encode(record_to_dict(r)) for r in result.usage]
    write_atomic(path, json.dumps(doc, separators=(",", ":")).encode())
    return doc


def _read_cache(path: Path) -> tuple[ParseResult | None, str | None] | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "error" in doc:
            return None, str(doc["error"])
        result = ParseResult(
            prices=[PriceRecord(**_decode(r, PriceRecord)) for r in doc["prices"]],
            scores=[ScoreRecord(**_decode(r, ScoreRecord)) for r in doc["scores"]],
            models=[ModelRecord(**_decode(r, ModelRecord)) for r in doc.get("models", [])],
            usage=[UsageRecord(**_decode(r, UsageRecord)) for r in doc.get("usage", [])],
        )
        result.skipped.update(doc.get("skipped", {}))
        return result, None
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring unreadable parse cache %s (%s): parsing again", path, exc)
        return None


def _encode(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            out[key] = {"$decimal": str(value)}
        elif isinstance(value, datetime):
            out[key] = {"$datetime": value.isoformat()}
        else:
            out[key] = value
    return out


def _decode(row: dict[str, Any], record_type: type) -> dict[str, Any]:
    known = {f.name for f in fields(record_type)}
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key not in known:
            continue
        if isinstance(value, dict) and "$decimal" in value:
            out[key] = Decimal(value["$decimal"])
        elif isinstance(value, dict) and "$datetime" in value:
            out[key] = datetime.fromisoformat(value["$datetime"])
        elif isinstance(value, list):  # JSON has no tuples; records keep sequences as tuples
            out[key] = tuple(value)
        else:
            out[key] = value
    return out


def parse_bytes(body: bytes, capture: CaptureMeta, options: dict[str, Any]) -> ParseResult:
    """The registered parser's records for ``body`` as ``capture``, uncached; ``ParseError`` when there are none.

    The backfill's bisection uses it to read a listed capture whose bytes are already stored
    under another capture (the same digest): parsers may read the capture's date (genai-prices
    resolves dated prices), so the same bytes are parsed as the capture they stand for.
    """
    return ParserSpec.of(get_source(capture.source_id), options).parse(body, capture)


def parse_capture(store: RawStore, parsed_dir: Path, capture: CaptureMeta, report: RunReport,
                  options: dict[str, Any] | None = None) -> ParsedCapture:
    """Parse (or reuse the parse of) one usable capture of a registered source, as ``parse_store`` does."""
    cache = ParseCache(parsed_dir)
    try:
        return cache.parse(store, [(get_source(capture.source_id), capture)], report, options or {}).parsed[0]
    finally:
        cache.close()
