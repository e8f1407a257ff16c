"""Reading CSV exports (leaderboard dumps) safely: bounded size, known header, clean cells."""

from __future__ import annotations

import csv
import io
from datetime import datetime, UTC

from llmflation.parsers.common import decode_text
from llmflation.records import ParseError


def read_csv(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a UTF-8 CSV body, each row a dict of stripped cells.

    Rows with more cells than the header are a parse error (a shifted row would put a score in
    the wrong column); missing trailing cells read as empty strings.
    """
    text = decode_text(body)
    if "\x00" in text:
        raise ParseError("body holds NUL bytes: not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ParseError("empty CSV: no header line") from None
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV header: {exc}") from exc
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise ParseError(f"line {reader.line_num}: {len(cells)} cells for {len(header)} columns")
            padded = [cell.strip() for cell in cells] + [""] * (len(header) - len(cells))
            rows.append(dict(zip(header, padded)))
    except csv.Error as exc:
        raise ParseError(f"unreadable CSV at line {reader.line_num}: {exc}") from exc
    return header, rows


def number(text: str) -> float | None:
    """A float from a cell, ``None`` for an empty cell, NaN or anything that is not a number."""
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def utc_datetime(text: str) -> datetime | None:
    """A UTC datetime from an ISO date or timestamp cell (``2024-04-18T17:04:58Z``), else ``None``."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
