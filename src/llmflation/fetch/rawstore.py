"""The raw store: every captured body, named by its sha256, and one manifest entry per capture.

Layout under ``<data_dir>/raw/``::

    blobs/<sha256[:2]>/<sha256>          the bytes, stored once however often they are seen
    captures/<YYYY-MM>/<capture_id>.json one immutable manifest entry per capture

Append-only: nothing is ever rewritten or deleted. Every file is written to a temporary
name and renamed into place, so a run killed at any moment leaves either the whole file or
nothing. A manifest entry is written only after its blob, so an entry always has its bytes.
One file per capture (not one appended manifest) keeps concurrent writers on several
machines from contending, and maps one-to-one onto object storage.

File names come from hashes only, never from a URL or a page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from llmflation.failpoints import failpoint
from llmflation.records import CaptureMeta

log = logging.getLogger(__name__)

VIA_VALUES = ("live", "wayback")


class RawStoreError(RuntimeError):
    """The store is inconsistent: a blob whose bytes do not match its name, a bad manifest entry."""


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def capture_id_for(source_id: str, url: str, observed_at: datetime, via: str, sha256: str) -> str:
    """A stable id: the same capture (same source, URL, time, bytes) stored twice is one entry."""
    key = "\n".join([source_id, url, observed_at.astimezone(UTC).isoformat(), via, sha256])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file, or the whole new one.

    The temporary file sits in the same folder (same file system) and is fsynced before the
    rename; a failed write removes it, leaving no partial file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes 0600; releases are for everyone to read
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        failpoint("write_atomic")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class RawStore:
    """Content-addressed, append-only store of captured bytes and their provenance."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def blob_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise RawStoreError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / "blobs" / sha256[:2] / sha256

    def put(
        self,
        body: bytes,
        *,
        source_id: str,
        url: str,
        observed_at: datetime,
        via: str,
        status: int,
        content_type: str,
        wayback_timestamp: str | None = None,
        wayback_digest: str | None = None,
        fetched_at: datetime | None = None,
        rejected: str | None = None,
    ) -> CaptureMeta:
        """Store one capture: its bytes (once, whoever else has the same bytes) and its entry.

        ``rejected`` says why status-200 bytes are not the source's content (a login or
        challenge page): the capture is kept as evidence and never parsed.
        """
        if via not in VIA_VALUES:
            raise ValueError(f"via must be one of {VIA_VALUES}, got {via!r}")
        if observed_at.tzinfo is None:
            raise ValueError("observed_at must be timezone-aware (UTC)")
        observed_at = observed_at.astimezone(UTC)
        digest = sha256_hex(body)
        blob = self.blob_path(digest)
        if not blob.exists():
            write_atomic(blob, body)
        failpoint("rawstore.put")
        meta = CaptureMeta(
            capture_id=capture_id_for(source_id, url, observed_at, via, digest),
            source_id=source_id,
            url=url,
            observed_at=observed_at,
            via=via,
            status=int(status),
            content_type=content_type,
            sha256=digest,
            size=len(body),
            wayback_timestamp=wayback_timestamp,
            wayback_digest=wayback_digest,
            fetched_at=(fetched_at or datetime.now(UTC)).astimezone(UTC),
            rejected=rejected,
        )
        entry = self._entry_path(meta)
        if not entry.exists():
            write_atomic(entry, json.dumps(_meta_to_json(meta), sort_keys=True, indent=1).encode())
        return meta

    def read(self, sha256: str) -> bytes:
        """The bytes of a blob, checked against their name."""
        body = self.blob_path(sha256).read_bytes()
        if sha256_hex(body) != sha256:
            raise RawStoreError(f"blob {sha256} is corrupt: its bytes hash to {sha256_hex(body)}")
        return body

    def captures(self) -> list[CaptureMeta]:
        """Every manifest entry, oldest observation first (ties by capture id)."""
        found = list(self._iter_entries())
        found.sort(key=lambda m: (m.observed_at, m.capture_id))
        return found

    def verify(self) -> list[str]:
        """Every way the store is inconsistent, one line each; empty when it is whole.

        A manifest entry whose blob is missing or does not hash to its name is a lost
        capture. A blob no entry names (a run killed between the two writes) is harmless
        and not listed, and so are ``.tmp`` files a killed write left: readers never see them.
        """
        problems = []
        base = self.root / "captures"
        for path in sorted(base.glob("*/*.json")) if base.exists() else []:
            try:
                meta = meta_from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path}: unreadable manifest entry ({exc})")
                continue
            blob = self.blob_path(meta.sha256)
            if not blob.exists():
                problems.append(f"{path}: blob {meta.sha256} is missing")
            elif sha256_hex(blob.read_bytes()) != meta.sha256:
                problems.append(f"{path}: blob {meta.sha256} is corrupt")
        return problems

    def wayback_digests(self, source_id: str | None = None) -> set[str]:
        """CDX digests already stored (for ``source_id`` when given): never fetched again."""
        return {
            m.wayback_digest
            for m in self._iter_entries()
            if m.wayback_digest and (source_id is None or m.source_id == source_id)
        }

    def _entry_path(self, meta: CaptureMeta) -> Path:
        return self.root / "captures" / meta.observed_at.strftime("%Y-%m") / f"{meta.capture_id}.json"

    def _iter_entries(self) -> Iterator[CaptureMeta]:
        base = self.root / "captures"
        if not base.exists():
            return
        for path in base.glob("*/*.json"):
            try:
                yield meta_from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                raise RawStoreError(f"manifest entry {path} is unreadable: {exc}") from exc


def _meta_to_json(meta: CaptureMeta) -> dict[str, object]:
    doc = asdict(meta)
    for key in ("observed_at", "fetched_at"):
        if doc[key] is not None:
            doc[key] = doc[key].isoformat()
    return doc


def meta_from_json(doc: dict[str, object]) -> CaptureMeta:
    values = dict(doc)
    for key in ("observed_at", "fetched_at"):
        if values.get(key) is not None:
            values[key] = datetime.fromisoformat(str(values[key]))
    return CaptureMeta(**values)  # type: ignore[arg-type]
