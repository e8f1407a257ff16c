import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llmflation.parsers import openrouter
from llmflation.parsing import parse_store
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport

MODELS = {"data": [
    {"id": "meta-llama/llama-3.2-3b-instruct", "name": "Llama 3.2 3B", "pricing": {"prompt": "0.00000006", "completion": "0.00000006"}},
    {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}},
]}


def store_with(tmp_path: Path, *bodies: bytes) -> RawStore:
    store = RawStore(tmp_path / "raw")
    for day, body in enumerate(bodies, start=1):
        store.put(body, source_id="openrouter", url="https://openrouter.ai/api/v1/models",
                  observed_at=datetime(2025, 1, day, tzinfo=UTC), via="live", status=200, content_type="application/json")
    return store


def test_parse_results_are_reused_until_the_parser_version_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_with(tmp_path, json.dumps(MODELS).encode())
    first = RunReport("r1")
    parsed = parse_store(store, tmp_path / "parsed", first)
    (item,) = parsed.ok()
    assert [p.model_key for p in item.result.prices] == ["meta-llama/llama-3.2-3b-instruct"]
    assert str(item.result.prices[0].input_usd_per_mtok) == "0.06"
    assert first.sources["openrouter"].captures_parsed == 1
    assert first.sources["openrouter"].skipped == {"variable price (router)": 1}

    second = RunReport("r2")
    again = parse_store(store, tmp_path / "parsed", second)
    assert second.sources["openrouter"].captures_parsed == 0
    assert second.sources["openrouter"].captures_reused == 1
    assert again.ok()[0].result.prices == item.result.prices  # Decimals survive the cache exactly
    assert second.sources["openrouter"].skipped == {"variable price (router)": 1}

    monkeypatch.setattr(openrouter, "PARSER_VERSION", "999")
    third = RunReport("r3")
    parse_store(store, tmp_path / "parsed", third)
    assert third.sources["openrouter"].captures_parsed == 1


def test_an_unreadable_capture_is_reported_and_the_others_still_parse(tmp_path: Path) -> None:
    store = store_with(tmp_path, b"<html>Just a moment...</html>", json.dumps(MODELS).encode())
    report = RunReport("r")
    parsed = parse_store(store, tmp_path / "parsed", report)
    assert len(parsed.ok()) == 1
    (error,) = report.sources["openrouter"].parse_errors
    assert "not JSON" in error["error"] and error["observed_at"].startswith("2025-01-01")
    assert "1 unreadable capture" in report.sources["openrouter"].line()


def test_a_capture_with_no_prices_is_an_error_not_an_empty_success(tmp_path: Path) -> None:
    store = store_with(tmp_path, json.dumps({"data": []}).encode())
    report = RunReport("r")
    assert parse_store(store, tmp_path / "parsed", report).ok() == []
    assert "no token prices" in report.sources["openrouter"].parse_errors[0]["error"]


def test_error_pages_are_kept_but_not_parsed(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    store.put(b"Internal error", source_id="openrouter", url="https://openrouter.ai/api/v1/models",
              observed_at=datetime(2025, 1, 1, tzinfo=UTC), via="live", status=500, content_type="text/plain")
    report = RunReport("r")
    assert parse_store(store, tmp_path / "parsed", report).parsed == []
    assert "HTTP 500" in report.sources["openrouter"].notes[0]


def test_a_parser_is_not_imported_to_know_its_version_while_its_file_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse index keeps each parser module's version by the digest of its file: a night of known
    bytes imports no parser, and an edited file (a bumped version) is read again."""
    from dataclasses import replace
    import sys

    from llmflation.parsing import ParseCache
    from llmflation.sources import get_source

    package = tmp_path / "code"
    package.mkdir()
    module = package / "llmflation_test_parser.py"
    module.write_text('PARSER_VERSION = "1"\n\ndef parse(body, capture, chars_per_token=4):\n    raise NotImplementedError\n')
    monkeypatch.syspath_prepend(str(package))
    source = replace(get_source("openrouter"), parser="llmflation_test_parser")
    options = {"chars_per_token": 4, "unused": "x"}

    def spec_in_a_fresh_process():  # a new cache object, the module not loaded: as the next night's build
        sys.modules.pop("llmflation_test_parser", None)
        cache = ParseCache(tmp_path / "parsed")
        try:
            return cache.spec(source, options)
        finally:
            cache.close()

    first = spec_in_a_fresh_process()
    assert (first.parser_id, first.cache_id) == ("llmflation_test_parser@1", "llmflation_test_parser/1-chars_per_token=4")
    assert "llmflation_test_parser" in sys.modules  # the first time it had to be read
    assert spec_in_a_fresh_process() == first
    assert "llmflation_test_parser" not in sys.modules  # known by its file's digest: not imported
    module.write_text('PARSER_VERSION = "2"\n\ndef parse(body, capture):\n    raise NotImplementedError\n')
    bumped = spec_in_a_fresh_process()
    assert (bumped.parser_id, bumped.kwargs) == ("llmflation_test_parser@2", ())
    sys.modules.pop("llmflation_test_parser", None)


def test_every_parser_states_its_version_and_parse_in_its_own_file() -> None:
    """What the parse index's memo of parser versions relies on: a module's PARSER_VERSION is a string
    written in that module, and ``parse`` is defined there, so only an edit of the file changes them."""
    import ast
    import importlib.util

    from llmflation.sources import SOURCES

    for dotted in sorted({source.parser for source in SOURCES}):
        found = importlib.util.find_spec(dotted)
        assert found is not None and found.origin, dotted
        tree = ast.parse(Path(found.origin).read_text(encoding="utf-8"))
        versions = [node.value for node in tree.body if isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "PARSER_VERSION" for t in node.targets)]
        assert len(versions) == 1 and isinstance(versions[0], ast.Constant) and isinstance(versions[0].value, str), dotted
        assert any(isinstance(node, ast.FunctionDef) and node.name == "parse" for node in tree.body), dotted
