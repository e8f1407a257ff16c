"""Parse every capture in the raw store, reusing results a parser of the same version already made.

A parse result is cached per (capture, parser module, parser version) under
``<data_dir>/parsed/<parser>/<version>/<capture_id>.json``: bumping a parser's
``PARSER_VERSION`` re-parses its captures, nothing else does. A ``ParseError`` is cached
too (the same bytes give the same error); any other exception is a parser bug, reported
and not cached, so the fixed parser tries again.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmflation.config import Settings
from llmflation.parsers import load_parser
from llmflation.rawstore import RawStore, write_atomic
from llmflation.records import CaptureMeta, ModelRecord, ParseError, ParseResult, PriceRecord, ScoreRecord
from llmflation.report import RunReport
from llmflation.sources import Source, get_source

log = logging.getLogger(__name__)


@dataclass
class ParsedCapture:
    capture: CaptureMeta
    parser: str  # "llmflation.parsers.openrouter@1"
    result: ParseResult | None
    error: str | None = None


@dataclass
class ParsedStore:
    """Every status-200 capture of a registered source, with what its parser made of it."""

    parsed: list[ParsedCapture] = field(default_factory=list)

    def ok(self) -> list[ParsedCapture]:
        return [p for p in self.parsed if p.result is not None]


def parser_options(settings: Settings) -> dict[str, Any]:
    """The settings parsers may take as keyword arguments (and that key their cached results)."""
    return {"chars_per_token": settings.chars_per_token}


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
    out = ParsedStore()
    for capture in store.captures():
        if wanted is not None and capture.source_id not in wanted:
            continue
        try:
            source = get_source(capture.source_id)
        except KeyError:
            report.sections.setdefault("unregistered_captures", []).append(capture.capture_id)
            continue
        entry = report.source(source.id)
        if capture.status != 200:
            entry.notes.append(f"HTTP {capture.status} capture {capture.capture_id} at {capture.observed_at:%Y-%m-%d %H:%M} not parsed")
            continue
        if capture.rejected:
            entry.notes.append(f"capture {capture.capture_id} at {capture.observed_at:%Y-%m-%d %H:%M} not parsed: {capture.rejected}")
            continue
        entry.captures_total += 1
        parsed = _parse_one(store, parsed_dir, source, capture, report, options or {})
        out.parsed.append(parsed)
    return out


def _parse_one(
    store: RawStore, parsed_dir: Path, source: Source, capture: CaptureMeta, report: RunReport, options: dict[str, Any]
) -> ParsedCapture:
    entry = report.source(source.id)
    module = load_parser(source.parser)
    accepted = inspect.signature(module.parse).parameters
    kwargs = {key: value for key, value in sorted(options.items()) if key in accepted}
    parser_id = f"{source.parser}@{module.PARSER_VERSION}"
    variant = module.PARSER_VERSION + "".join(f"-{key}={value}" for key, value in kwargs.items())
    cache = parsed_dir / source.parser / variant / f"{capture.capture_id}.json"
    cached = _read_cache(cache)
    if cached is not None:
        entry.captures_reused += 1
        result, error = cached
    else:
        entry.captures_parsed += 1
        result, error = None, None
        try:
            result = parse_bytes(store.read(capture.sha256), capture, options)
        except ParseError as exc:
            error = str(exc) or type(exc).__name__
            result = None
        except Exception as exc:  # a parser bug must not stop the other sources
            log.exception("parser %s crashed on capture %s", parser_id, capture.capture_id)
            entry.parse_errors.append(_error_row(capture, f"parser crashed: {type(exc).__name__}: {exc}"))
            return ParsedCapture(capture, parser_id, None, f"parser crashed: {exc}")
        _write_cache(cache, result, error)
    if error is not None:
        entry.parse_errors.append(_error_row(capture, error))
        return ParsedCapture(capture, parser_id, None, error)
    assert result is not None
    entry.price_rows += len(result.prices)
    entry.score_rows += len(result.scores)
    entry.skipped.update(result.skipped)
    return ParsedCapture(capture, parser_id, result)


def _error_row(capture: CaptureMeta, error: str) -> dict[str, str]:
    return {
        "capture_id": capture.capture_id,
        "observed_at": capture.observed_at.isoformat(),
        "url": capture.url,
        "via": capture.via,
        "sha256": capture.sha256,
        "error": error,
    }


def _write_cache(path: Path, result: ParseResult | None, error: str | None) -> None:
    doc: dict[str, Any]
    if result is None:
        doc = {"error": error}
    else:
        doc = {
            "prices": [_encode(asdict(r)) for r in result.prices],
            "scores": [_encode(asdict(r)) for r in result.scores],
            "models": [_encode(asdict(r)) for r in result.models],
            "skipped": dict(result.skipped),
        }
    write_atomic(path, json.dumps(doc, separators=(",", ":")).encode())


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
    known = set(record_type.__dataclass_fields__)
    out = {}
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
    module = load_parser(get_source(capture.source_id).parser)
    accepted = inspect.signature(module.parse).parameters
    kwargs = {key: value for key, value in sorted(options.items()) if key in accepted}
    result: ParseResult = module.parse(body, capture, **kwargs)
    if not result.prices and not result.scores and not result.models:
        raise ParseError("the parser returned no records")
    return result


def parse_capture(store: RawStore, parsed_dir: Path, capture: CaptureMeta, report: RunReport,
                  options: dict[str, Any] | None = None) -> ParsedCapture:
    """Parse (or reuse the parse of) one usable capture of a registered source, as ``parse_store`` does."""
    return _parse_one(store, parsed_dir, get_source(capture.source_id), capture, report, options or {})
