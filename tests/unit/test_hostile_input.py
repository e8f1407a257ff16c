"""Hostile bytes: external entities, entity bombs, deep JSON, path tricks, JavaScript and network in parsers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

import llmflation.parsers
from llmflation.parsers.common import MAX_BODY_BYTES, load_json
from llmflation.parsers.safe_markup import parse_html, parse_xml
from llmflation.fetch.rawstore import RawStore, RawStoreError
from llmflation.records import ParseError

PARSERS_DIR = Path(llmflation.parsers.__file__).parent
SCRAPERS_DIR = Path(__file__).resolve().parents[2] / "scrapers"


def test_xml_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    root = parse_xml(doc)
    assert b"TOP-SECRET" not in etree.tostring(root)


def test_an_entity_bomb_does_not_expand() -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh"))
    doc = f'<?xml version="1.0"?><!DOCTYPE l [{entities}]><l>&h;</l>'.encode()  # 10^8 characters if expanded
    try:
        root = parse_xml(doc)
    except ParseError:
        return  # refused outright: fine too
    assert len(etree.tostring(root)) < 10_000


def test_html_parsing_fetches_nothing_and_malformed_input_is_a_parse_error() -> None:
    page = parse_html(b'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/never.dtd"><html><body><p>$2.50</p></body></html>')
    assert "$2.50" in page.text_content()
    with pytest.raises(ParseError):
        parse_html(b"   ")
    with pytest.raises(ParseError):
        parse_xml(b"<unclosed>")


def test_json_depth_and_size_are_bounded() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        load_json(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(ParseError, match="over the"):
        load_json(b" " * (MAX_BODY_BYTES + 1))
    with pytest.raises(ParseError, match="not UTF-8"):
        load_json(b'{"a": "\xff"}')


def test_store_file_names_come_from_hashes_only(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    meta = store.put(b"body", source_id="../../../etc", url="https://x/../../passwd?f=/etc/shadow",
                     observed_at=datetime(2026, 1, 1, tzinfo=UTC), via="live", status=200, content_type="text/plain")
    written = sorted(p.relative_to(tmp_path / "raw").as_posix() for p in (tmp_path / "raw").rglob("*") if p.is_file())
    assert written == [f"blobs/{meta.sha256[:2]}/{meta.sha256}", f"captures/2026-01/{meta.capture_id}.json"]
    assert re.fullmatch(r"[0-9a-f]{24}", meta.capture_id)
    with pytest.raises(RawStoreError):
        store.blob_path("../../etc/passwd")


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


#: Parsers are pure: no network, no processes, no JavaScript engines, no headless browsers.
FORBIDDEN_IN_PARSERS = re.compile(
    r"^\s*(import|from)\s+(requests|httpx|urllib\.request|urllib3|aiohttp|socket|subprocess|selenium|playwright|"
    r"pyppeteer|js2py|dukpy|quickjs|py_mini_racer|requests_html|scrapy)\b", re.MULTILINE)
#: lxml XML parsing that bypasses ``safe_markup`` (entity resolution on by default), and
#: BeautifulSoup's XML mode, which builds such a parser.
UNSAFE_XML = re.compile(r"etree\.(XMLParser|fromstring|XML|parse|iterparse)\(|BeautifulSoup\([^)]*[\"'](lxml-xml|xml)[\"']")


@pytest.mark.parametrize("path", _python_files(PARSERS_DIR), ids=lambda p: p.name)
def test_parser_modules_stay_offline_and_parse_xml_safely(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not FORBIDDEN_IN_PARSERS.search(source), f"{path.name} imports a network, process or JavaScript library"
    if path.name != "safe_markup.py":
        assert not UNSAFE_XML.search(source), f"{path.name} parses XML without llmflation.parsers.safe_markup"


def test_the_unsafe_patterns_are_caught() -> None:
    assert UNSAFE_XML.search("root = etree.fromstring(body)")
    assert UNSAFE_XML.search('BeautifulSoup(body, "lxml-xml")')
    assert not UNSAFE_XML.search('BeautifulSoup(body, "lxml")')
    assert FORBIDDEN_IN_PARSERS.search("import requests\n")
    assert FORBIDDEN_IN_PARSERS.search("from playwright.sync_api import sync_playwright\n")


@pytest.mark.parametrize("path", _python_files(SCRAPERS_DIR), ids=lambda p: p.name)
def test_capture_runs_no_javascript(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"playwright|selenium|splash|pyppeteer|js2py", source, re.IGNORECASE), path.name
