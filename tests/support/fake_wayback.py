"""A fake Wayback Machine on 127.0.0.1: the CDX API as documented, and ``id_`` snapshots.

CDX (``/cdx/search/cdx``), after the wayback-cdx-server documentation:
``url`` with ``matchType`` exact (default) or prefix; ``from``/``to`` as 1-14 digit timestamp
prefixes, both inclusive; ``filter=[!]field:regex`` (full match, several ANDed);
``collapse=field[:N]`` dropping rows whose field (first N characters) equals the previous
row's; ``limit`` (negative: the last rows); ``fl`` field lists; ``output=json`` (a list of
rows headed by the field names); ``showResumeKey``/``resumeKey`` paging (text: a blank line
then the key; JSON: an empty row then ``[key]``). Like the real server, collapsing restarts
on every page, so a page can begin with the digest the previous page ended with.

Snapshots: ``/web/<timestamp>id_/<original>`` answers the archived bytes; a timestamp that
is not archived redirects (302) to the nearest one that is, as the archive does.

Faults are queued per CDX request or per snapshot timestamp; every request is logged with
its arrival time (``time.monotonic``).

:func:`churning_history` builds the archive of a page whose bytes change on every load (a
nonce in each capture) while its content changes only a few times: thousands of captures,
each with its own digest, and a known list of where each version begins.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.support.loopback import LoggedRequest, LoopbackServer, Route

FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
_SNAPSHOT = re.compile(r"^/web/(\d{14})id_/(.+)$")


def surt(url: str) -> str:
    """The SURT form the CDX sorts by: ``com,example)/path?query`` (no scheme, no www)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    return key + (f"?{parts.query.lower()}" if parts.query else "")


def sha1_base32(body: bytes) -> str:
    return base64.b32encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode()


@dataclass(frozen=True)
class Capture:
    """One archived capture of an address."""

    original: str
    timestamp: str
    body: bytes
    mimetype: str = "application/json"
    statuscode: str = "200"

    @cached_property
    def digest(self) -> str:
        return sha1_base32(self.body)

    @cached_property
    def urlkey(self) -> str:
        return surt(self.original)

    def row(self) -> dict[str, str]:
        return self._row

    @cached_property
    def _row(self) -> dict[str, str]:
        return {
            "urlkey": self.urlkey,
            "timestamp": self.timestamp,
            "original": self.original,
            "mimetype": self.mimetype,
            "statuscode": self.statuscode,
            "digest": self.digest,
            "length": str(len(self.body)),
        }


class FakeWayback(LoopbackServer):
    def __init__(self, captures: list[Capture]) -> None:
        super().__init__()
        self.captures = sorted(captures, key=lambda c: (c.urlkey, c.timestamp))
        self.cdx_faults: deque[Route] = deque()
        self.snapshot_faults: dict[str, deque[Route]] = {}
        self.always_failing: dict[str, Route] = {}
        self.redirects: dict[str, str] = {}
        self.arrivals: list[tuple[float, str]] = []
        self._fault_lock = threading.Lock()

    # What tests look at.
    def cdx_requests(self) -> list[str]:
        return [p for p in self.paths_requested() if p.startswith("/cdx/")]

    def snapshot_requests(self) -> list[str]:
        return [p for p in self.paths_requested() if p.startswith("/web/")]

    def arrival_times(self, prefix: str) -> list[float]:
        with self._lock:
            return [t for t, p in self.arrivals if p.startswith(prefix)]

    # Faults.
    def fail_next_cdx(self, *routes: Route) -> None:
        with self._fault_lock:
            self.cdx_faults.extend(routes)

    def fail_snapshot(self, timestamp: str, *routes: Route) -> None:
        with self._fault_lock:
            self.snapshot_faults.setdefault(timestamp, deque()).extend(routes)

    def _next_fault(self, queue: deque[Route] | None) -> Route | None:
        with self._fault_lock:
            return queue.popleft() if queue else None

    def _resolve(self, request: LoggedRequest) -> Route:
        with self._lock:
            self.arrivals.append((time.monotonic(), request.path))
        path = urlsplit(request.path).path
        if path == "/cdx/search/cdx":
            return self._next_fault(self.cdx_faults) or self.cdx(request.path)
        match = _SNAPSHOT.match(request.path)
        if match:
            timestamp = match.group(1)
            if timestamp in self.always_failing:
                return self.always_failing[timestamp]
            return self._next_fault(self.snapshot_faults.get(timestamp)) or self.snapshot(timestamp, match.group(2))
        return super()._resolve(request)  # other routes (a live source beside the archive), else 404

    # The CDX API.
    def cdx(self, path: str) -> Route:
        query = parse_qs(urlsplit(path).query, keep_blank_values=True)
        first = {k: v[0] for k, v in query.items()}
        if "url" not in first:
            return Route(400, b"missing url", {"Content-Type": "text/plain"})
        rows = self._matching(first["url"], first.get("matchType", "exact"))
        rows = [r for r in rows if _in_range(r["timestamp"], first.get("from"), first.get("to"))]
        for spec in query.get("filter", []):
            rows = [r for r in rows if _passes(r, spec)]
        show_key = first.get("showResumeKey") == "true"
        if "resumeKey" in first:
            after = unquote(first["resumeKey"])
            rows = [r for r in rows if f"{r['urlkey']} {r['timestamp']}" > after]
        limit = int(first["limit"]) if first.get("limit") else None
        page: list[dict[str, str]] = []
        last_values: dict[str, str] = {}
        consumed = 0
        for row in rows:
            if limit is not None and limit > 0 and len(page) == limit:
                break
            consumed += 1
            last_consumed = row
            if any(_collapse_value(row, spec) == last_values.get(spec) for spec in query.get("collapse", [])):
                continue
            for spec in query.get("collapse", []):
                last_values[spec] = _collapse_value(row, spec)
            page.append(row)
        if limit is not None and limit < 0:
            page, consumed = page[limit:], len(rows)
        more = show_key and consumed < len(rows) and page
        key = quote(f"{last_consumed['urlkey']} {last_consumed['timestamp']}") if more else None
        fields = first["fl"].split(",") if first.get("fl") else list(FIELDS)
        if first.get("output") == "json":
            doc: list[list[str]] = [fields] + [[r[f] for f in fields] for r in page] if page else []
            if key:
                doc += [[], [key]]
            return Route(200, json.dumps(doc).encode(), {"Content-Type": "application/json"})
        text = "".join(" ".join(r[f] for f in fields) + "\n" for r in page)
        if key:
            text += f"\n{key}\n"
        return Route(200, text.encode(), {"Content-Type": "text/plain"})

    def _matching(self, url: str, match_type: str) -> list[dict[str, str]]:
        wanted = surt(url)
        if match_type == "prefix":
            return [c.row() for c in self.captures if c.urlkey.startswith(wanted)]
        return [c.row() for c in self.captures if c.urlkey == wanted]

    # Snapshots.
    def snapshot(self, timestamp: str, original: str) -> Route:
        wanted = surt(original)
        same_address = [c for c in self.captures if c.urlkey == wanted]
        if not same_address:
            return Route(404, b"not archived", {"Content-Type": "text/plain"})
        served = self.redirects.get(timestamp, timestamp)
        exact = [c for c in same_address if c.timestamp == served]
        if exact and served == timestamp:
            capture = exact[0]
            return Route(200, capture.body, {"Content-Type": capture.mimetype})
        if not exact:
            served = min(same_address, key=lambda c: abs(int(c.timestamp) - int(timestamp))).timestamp
        return Route(302, b"", {"Location": f"/web/{served}id_/{original}", "Content-Type": "text/plain"})


def _in_range(timestamp: str, start: str | None, end: str | None) -> bool:
    if start and timestamp < start.ljust(14, "0"):
        return False
    return not (end and timestamp > end.ljust(14, "9"))


def _passes(row: dict[str, str], spec: str) -> bool:
    negate = spec.startswith("!")
    field, _, pattern = spec.lstrip("!").partition(":")
    return bool(re.fullmatch(pattern, row[field])) != negate


def _collapse_value(row: dict[str, str], spec: str) -> str:
    field, _, width = spec.partition(":")
    return row[field][: int(width)] if width else row[field]


#: Where :func:`churning_history` puts each capture's nonce in a version's bytes.
NONCE = b"@@NONCE@@"


def churning_history(
    original: str, versions: list[bytes], starts: list[int], count: int, first: datetime, last: datetime,
    mimetype: str = "application/json",
) -> list[Capture]:
    """``count`` captures of ``original`` evenly spread from ``first`` to ``last``, each with its own nonce.

    ``versions[k]`` is the content from capture ``starts[k]`` on (``starts[0]`` is 0); every
    ``NONCE`` in it is replaced by a capture's own token, so no two captures share a digest.
    """
    assert starts and starts[0] == 0 and starts == sorted(starts) and len(starts) == len(versions)
    span = (last - first) / max(1, count - 1)
    captures = []
    version = 0
    for i in range(count):
        while version + 1 < len(starts) and starts[version + 1] <= i:
            version += 1
        moment = first + span * i
        nonce = hashlib.sha256(f"{original} {i}".encode()).hexdigest()[:16].encode()
        captures.append(Capture(original, moment.strftime("%Y%m%d%H%M%S"), versions[version].replace(NONCE, nonce),
                                mimetype))
    return captures
