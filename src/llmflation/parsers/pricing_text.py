"""Reading provider pricing pages: HTML loading, finding tables, embedded JSON, row labels.

Every pricing-page parser needs the same few steps: decode bytes safely, find the price
tables (or the JSON a page renders them from), and read what a row's label says (a size band,
a context length). Tables are read by ``price_tables`` and money strings by ``money_strings``.
Nothing here knows any provider.

The last section serves pages that show prices as cards or in eras without tables: text
renderings of a page, its visible text as lines, and every string of its embedded data
(``__NEXT_DATA__`` and the inline payload of Next.js app-router pages). Money strings with their
own unit and currency ("0.25$ / 1M tokens", "$3 / MTok") are read by ``money_strings``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal

from bs4 import BeautifulSoup, Tag

from llmflation.parsers.common import check_size
from llmflation.records import ParseError

#: Pricing pages are tens to hundreds of KB; anything over this is refused before parsing.
MAX_PAGE_BYTES = 16 * 1024 * 1024

#: Real pricing pages have tens of thousands of tags at most; building a tree is slow enough
#: (about 25 s per million tags here) that a page with more than this is refused unparsed.
MAX_TAGS = 200_000

#: Real pricing pages have a few dozen tables; a page with more is refused rather than walked.
MAX_TABLES = 300

_SPACE = re.compile(r"\s+")


def load_page(body: bytes, source: str) -> BeautifulSoup:
    """Parse a page's bytes with lxml; a size limit keeps hostile input bounded.

    Plain text (a text-browser rendering of a page) parses too: it becomes one paragraph.
    """
    check_size(body, MAX_PAGE_BYTES, f"{source}: page")
    if not body.strip():
        raise ParseError(f"{source}: empty page")
    if body.count(b"<") > MAX_TAGS:
        raise ParseError(f"{source}: page has more than {MAX_TAGS} tags: not a pricing page")
    text = body.decode("utf-8", errors="replace")
    try:
        return BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml refuses some binary input outright
        raise ParseError(f"{source}: not a readable HTML page ({exc})") from exc


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces, no-break spaces included."""
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def page_text(soup: BeautifulSoup) -> str:
    """The page's visible text, scripts and styles left out, whitespace collapsed."""
    for hidden in soup.find_all(["script", "style", "noscript", "template"]):
        hidden.extract()
    return clean(soup.get_text(" "))


def table_rows(table: Tag) -> list[list[str]]:
    """The cell texts of each row of an HTML ``<table>`` or an ARIA grid (``role="row"``)."""
    out: list[list[str]] = []
    for row in _rows(table):
        texts = [clean(cell.get_text(" ")) for cell in _cells(row, aria=table.name != "table")]
        if any(texts):
            out.append(texts)
    return out


_ARIA_CELL = re.compile(r"^(?:cell|columnheader|rowheader|gridcell)$")


def _rows(table: Tag) -> list[Tag]:
    if table.name == "table":
        return list(table.find_all("tr"))
    return list(table.find_all(role="row"))


def _cells(row: Tag, aria: bool) -> list[Tag]:
    if aria:
        return list(row.find_all(role=_ARIA_CELL))
    return list(row.find_all(["th", "td"]))


def find_tables(soup: BeautifulSoup) -> list[tuple[str, list[list[str]]]]:
    """Every table of the page with the nearest heading before it: ``(heading, rows)``.

    The heading (a ``caption``, else the last ``h1``-``h4`` before the table) says what the
    table prices ("Embeddings", "Fine-tuning"), which the column headers alone often do not.
    One pass in document order, so a hostile page cannot make this quadratic.
    """
    found: list[tuple[str, list[list[str]]]] = []
    heading = ""
    tables = 0
    for tag in soup.find_all(True):
        if tag.name in _HEADINGS:
            heading = clean(tag.get_text(" "))
            continue
        if not _is_table(tag):
            continue
        tables += 1
        if tables > MAX_TABLES:
            raise ParseError(f"page has more than {MAX_TABLES} tables: not a pricing page")
        caption = tag.find("caption")
        rows = table_rows(tag)
        if rows:
            found.append((clean(caption.get_text(" ")) if caption is not None else heading, rows))
    return found


_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})


def _is_table(tag: Tag) -> bool:
    """An HTML table, or an ARIA grid that is not just a wrapper around an HTML table."""
    if tag.name == "table":
        return True
    return tag.get("role") in ("table", "grid") and tag.find("table") is None


def embedded_json(soup: BeautifulSoup, source: str, script_id: str = "__NEXT_DATA__") -> object | None:
    """The JSON a page renders from (Next.js ``__NEXT_DATA__`` by default); None when absent.

    Numbers with a fraction are read as ``Decimal``, so a price such as 0.0023 stays exact.
    """
    script = soup.find("script", id=script_id)
    if script is None:
        return None
    try:
        return json.loads(script.string or "", parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"{source}: the page's {script_id} script is not valid JSON ({exc})") from exc


_BAND = re.compile(
    r"^(?:moe\s+)?(?:up\s+to|less\s+than|more\s+than|over|above|\d+(?:\.\d+)?\s?[bm]\s*(?:-|–|to)|"
    r"\d+(?:\.\d+)?\s?[bm]\+|models\s+up\s+to|models\s+\d)",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\(([^()]{1,200})\)")


def size_band(label: str) -> tuple[bool, list[str]]:
    """Whether a row label is a model-size band, and the models it names in parentheses.

    ``"MoE 56.1B - 176B (DBRX, Mixtral 8x22B)"`` -> (True, ["DBRX", "Mixtral 8x22B"]);
    ``"16.1B - 80B"`` -> (True, []); ``"Llama 3 70B"`` -> (False, []). "e.g." is dropped.
    """
    text = clean(label)
    if not _BAND.match(text):
        return False, []
    names: list[str] = []
    for group in _PARENS.findall(text):
        group = re.sub(r"^\s*(?:e\.g\.|eg\.?|such as)\s*", "", group, flags=re.IGNORECASE)
        names.extend(name.strip() for name in group.split(",") if name.strip())
    return True, names


def context_tokens(text: str) -> int | None:
    """A context length written as ``4096``, ``8k``, ``128k`` or ``131k``; None if not one.

    Pages write "8k" for 8,192 and "128k" for 131,072 tokens, but "131k" for 131,000: a
    power-of-two number of k counts 1,024 each, any other number 1,000 each.
    """
    match = re.fullmatch(r"(\d{1,7})\s?([kKmM]?)", text.strip())
    if not match:
        return None
    number, suffix = int(match.group(1)), match.group(2).lower()
    if not suffix:
        return number
    binary = number & (number - 1) == 0
    step = 1024 if binary else 1000
    return number * (step if suffix == "k" else step * step)


# -- Text renderings, visible lines and embedded data (card layouts and eras of the provider pages) --


def is_text_rendering(body: bytes, content_type: str) -> bool:
    """True for a plain-text rendering of a page (``text/plain``, or no markup at its start)
    rather than the page's HTML: parsers read such captures line by line."""
    return content_type.split(";")[0].strip().lower() == "text/plain" or b"<" not in body[:4096]


def decode_page(body: bytes) -> str:
    """The page as text: size-bounded, UTF-8 (with replacement: pages are sometimes mis-encoded)."""
    check_size(body, MAX_PAGE_BYTES, "page")
    return body.decode("utf-8", errors="replace")


_INLINE = ["span", "a", "b", "strong", "em", "i", "sup", "sub", "small", "code", "abbr", "bdi", "mark", "u"]


def visible_lines(soup: BeautifulSoup) -> list[str]:
    """The page's visible text as non-empty lines, one per block, scripts excluded.

    Inline elements are unwrapped first (in place), so "$0.0008<span> / 1K tokens</span>"
    stays one line, as a reader sees it.
    """
    for tag in soup.find_all(_INLINE):
        tag.unwrap()
    soup.smooth()  # merge the strings the unwrapped tags left side by side
    lines = []
    for text in soup.find_all(string=True):
        if text.parent is not None and text.parent.name in {"script", "style", "noscript", "template", "head", "title"}:
            continue
        line = clean(str(text))
        if line:
            lines.append(line)
    return lines


_NEXT_FLIGHT = re.compile(r'self\.__next_f\.push\(\[1,\s*"((?:[^"\\]|\\.)*)"\]\)')
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def embedded_json_strings(soup: BeautifulSoup) -> list[str] | None:
    """Every string of the page's embedded data, in document order; ``None`` when it embeds none.

    Read as JSON, not as text: Next.js ``__NEXT_DATA__`` and other ``application/json`` /
    ``application/ld+json`` scripts, and the React Server Components payload that app-router
    pages push inline (``self.__next_f.push([1, "..."])``). A page that renders its cards from
    this data states every price here even when the visible HTML is an empty shell.
    """
    strings: list[str] = []
    found = False
    for script in soup.find_all("script"):
        source = script.string or ""
        if script.get("type") in ("application/json", "application/ld+json"):
            found = True
            try:
                doc = json.loads(source)
            except (json.JSONDecodeError, RecursionError):
                continue
            strings.extend(_json_strings(doc))
        elif "__next_f" in source:
            found = True
            strings.extend(_flight_strings(source))
    cleaned = [clean(s) for s in strings if clean(s)]
    return cleaned if found and cleaned else None


def _flight_strings(source: str) -> Iterator[str]:
    """The string literals of the RSC payload chunks pushed by an inline script, in order."""
    for chunk in _NEXT_FLIGHT.finditer(source):
        try:
            payload = json.loads(f'"{chunk.group(1)}"')
        except json.JSONDecodeError:
            continue
        for literal in _JSON_STRING.finditer(payload):
            try:
                yield json.loads(f'"{literal.group(1)}"')
            except json.JSONDecodeError:
                continue


def _json_strings(doc: object) -> Iterator[str]:
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
