"""lxml parsers for hostile bytes: no network, no external entities, no DTDs, bounded trees.

Parsers that use lxml directly take their parser from here (``BeautifulSoup(body, "lxml")``
is HTML mode, which resolves no external entities and fetches nothing, and is fine too).
``tests/unit/test_hostile_input.py`` scans every parser module for lxml calls that bypass these.
"""

from __future__ import annotations

from lxml import etree, html

from llmflation.parsers.common import check_size
from llmflation.records import ParseError


def xml_parser() -> etree.XMLParser:
    """An XML parser that resolves no entities (no XXE, no billion laughs) and never fetches."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_pis=True)


def html_parser() -> etree.HTMLParser:
    """An HTML parser that never fetches and keeps lxml's limits on tree size."""
    return html.HTMLParser(no_network=True, huge_tree=False, remove_pis=True)


def parse_xml(body: bytes) -> etree._Element:
    """The document's root element; ``ParseError`` for oversized or malformed XML."""
    check_size(body)
    try:
        return etree.fromstring(body, parser=xml_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"not well-formed XML: {exc}") from exc


def parse_html(body: bytes) -> html.HtmlElement:
    """The page's root element; ``ParseError`` for oversized or empty input."""
    check_size(body)
    if not body.strip():
        raise ParseError("empty page")
    try:
        return html.document_fromstring(body, parser=html_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not parseable as HTML: {exc}") from exc
