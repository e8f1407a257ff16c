"""Price tables in Markdown source: the pipe tables a docs site renders its HTML tables from.

Some documentation sites publish the Markdown their pages are built from (Mistral's docs, 2023-2024,
from the ``mistralai/platform-docs-public`` repository). A pipe table there reads

    ### Chat Completions API

    | Model  | Endpoint  | Input (USD) | Output (USD) |
    |-----------|-----------|-----------|-----------|
    | Mistral 7B | `open-mistral-7b` | 0.25$ / 1M tokens | 0.25$ / 1M tokens |

and becomes ``("Chat Completions API", [["Model", "Endpoint", ...], ["Mistral 7B", "open-mistral-7b", ...]])``:
the same ``(heading, rows)`` shape ``pricing_text.find_tables`` gives for an HTML page, so a parser
reads the rendered page and its source alike.
"""

from __future__ import annotations

import re

from llmflation.parsers.pricing_text import MAX_TABLES, clean
from llmflation.records import ParseError

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = re.compile(r"`([^`]*)`|\*\*([^*]*)\*\*|__([^_]*)__|\[([^\]]*)\]\([^)]*\)")


def has_markdown_tables(text: str) -> bool:
    """True when ``text`` holds at least one pipe table (a header row followed by a ``|---|`` row)."""
    lines = text.splitlines()
    return any(_SEPARATOR.match(line) and i > 0 and "|" in lines[i - 1] for i, line in enumerate(lines))


def markdown_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Every pipe table in ``text`` with the nearest heading before it: ``(heading, rows)``, header first.

    Cells lose their inline markup (code spans, bold, links keep their text). Rows with a different
    number of cells than the header are kept as they are: the caller decides what a short row means.
    """
    lines = text.splitlines()
    found: list[tuple[str, list[list[str]]]] = []
    heading = ""
    i = 0
    while i < len(lines):
        match = _HEADING.match(lines[i])
        if match:
            heading = _cell_text(match.group("text"))
            i += 1
            continue
        if "|" in lines[i] and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1]):
            if len(found) >= MAX_TABLES:
                raise ParseError(f"markdown has more than {MAX_TABLES} tables: not a pricing page")
            rows = [_cells(lines[i])]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            found.append((heading, rows))
            continue
        i += 1
    return found


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [_cell_text(cell) for cell in re.split(r"(?<!\\)\|", text)]


def _cell_text(cell: str) -> str:
    return clean(_INLINE.sub(lambda m: next(g for g in m.groups() if g is not None), cell).replace("\\|", "|"))
