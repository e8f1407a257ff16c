"""Atomic, versioned releases: ``published/<version>/`` complete, then ``latest`` switched in one step.

A release is written into ``published/.staging-<version>/``, renamed to
``published/<version>/`` (one atomic rename), and only then does the ``latest`` symlink move
(a new link made beside it and ``os.replace``d over it). A reader following ``latest`` sees
the old release or the new one, never half of one; a run killed at any point leaves at most
an orphan staging folder, which the next publish removes.

A release whose tables are identical in content to the latest one is not published again:
``content_digest`` (sha256 over every table's canonical Parquet bytes) decides.

Each release also holds ``index.html``, its page (:mod:`llmflation.release_page`), and the top
of the published tree gets the page of ``latest`` (``published/index.html``, linking into
``latest/``).

When ``[publish] target`` names an fsspec URL (``s3://bucket/llmflation``), the current
release is then copied there by :mod:`llmflation.publish_target` (also when its content is
unchanged but the target does not have it yet: a new target starts with the current release).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from llmflation import __version__
from llmflation.failpoints import failpoint
from llmflation.fetch.rawstore import write_atomic
from llmflation.publish_target import TargetResult, sync_to_target
from llmflation.release_page import write_release_page
from llmflation.schema import SCHEMA_VERSION, TABLES, datapackage_resource, to_arrow

log = logging.getLogger(__name__)

RELEASE_MANIFEST = "release.json"


class PublishError(RuntimeError):
    """The release could not be written; the previous release stays published."""


@dataclass
class PublishResult:
    version: str
    path: Path | None
    published: bool
    content_digest: str
    reason: str
    target: TargetResult | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "path": str(self.path) if self.path else None,
            "published": self.published,
            "content_digest": self.content_digest,
            "reason": self.reason,
            **({"target": self.target.to_json()} if self.target else {}),
        }


def parquet_bytes(name: str, frame: pd.DataFrame) -> bytes:
    """The table as Parquet with its explicit schema; the same rows always give the same bytes."""
    table = to_arrow(TABLES[name], frame)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=True, store_schema=True)
    return sink.getvalue()


def latest_release(published_dir: Path) -> Path | None:
    """The folder ``latest`` points at, if any."""
    link = published_dir / "latest"
    if not link.exists():
        return None
    return link.resolve()


def _manifest(release: Path | None) -> dict[str, Any]:
    """A release's ``release.json`` (empty when there is no release or no manifest)."""
    if release is None or not (release / RELEASE_MANIFEST).exists():
        return {}
    return dict(json.loads((release / RELEASE_MANIFEST).read_text(encoding="utf-8")))


def latest_digest(published_dir: Path) -> str | None:
    return _manifest(latest_release(published_dir)).get("content_digest")


def read_latest_table(published_dir: Path, name: str) -> pd.DataFrame | None:
    """A table of the release ``latest`` points at (the drift checks' baseline); None when absent, unreadable,
    or of another major schema version (its rows mean something else: comparing counts would be wrong)."""
    release = latest_release(published_dir)
    if release is None or not (release / f"{name}.parquet").exists():
        return None
    schema = _manifest(release).get("schema_version")
    if str(schema).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        log.info("release %s has schema %s, this build %s: no drift baseline for %s", release.name, schema,
                 SCHEMA_VERSION, name)
        return None
    try:
        return pq.read_table(release / f"{name}.parquet").to_pandas()
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s of release %s (%s): no drift baseline", name, release.name, exc)
        return None


def publish(
    published_dir: Path,
    version: str,
    tables: dict[str, pd.DataFrame],
    report: dict[str, Any],
    extra_files: dict[str, Callable[[Path], object]] | None = None,
    metadata: dict[str, Any] | None = None,
    target: str | None = None,
    target_options: dict[str, Any] | None = None,
) -> PublishResult:
    """Write a complete release and point ``latest`` at it, unless its content is unchanged.

    ``extra_files`` maps a file name to a function that writes it at the given path (the chart).
    ``metadata`` goes into ``datapackage.json`` (sources, licences, attributions).
    ``target`` / ``target_options``: an fsspec URL and its storage options; the current release
    is copied there whenever the target's ``LATEST`` does not name it yet.
    """
    published_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(published_dir)  # left by a killed publish; runs hold the run lock
    encoded = {name: parquet_bytes(name, frame) for name, frame in sorted(tables.items())}
    digest = hashlib.sha256()
    for name, data in encoded.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\n")
    content_digest = digest.hexdigest()

    previous = latest_digest(published_dir)
    if previous == content_digest:
        current = latest_release(published_dir)
        reason = f"content unchanged since release {current.name if current else '?'}: not published again"
        log.info(reason)
        synced = sync_to_target(published_dir, current, target, target_options) if target and current else None
        return PublishResult(version, current, False, content_digest, reason, synced)

    orphan = _complete_release_with(published_dir, content_digest)
    if orphan is not None:  # a run killed between renaming its release into place and switching latest
        _point_latest(published_dir, orphan.name)
        reason = f"release {orphan.name} of the same content, left complete by an interrupted publish, is now latest"
        log.warning(reason)
        synced = sync_to_target(published_dir, orphan, target, target_options) if target else None
        return PublishResult(orphan.name, orphan, True, content_digest, reason, synced)

    final = published_dir / version
    if final.exists():
        raise PublishError(f"release {version} already exists at {final}")
    staging = published_dir / f".staging-{version}"
    staging.mkdir()
    try:
        for name, data in encoded.items():
            write_atomic(staging / f"{name}.parquet", data)
        for name, writer in (extra_files or {}).items():
            writer(staging / name)
        write_atomic(staging / "run_report.json", json.dumps(report, indent=2, default=str).encode())
        package = {
            "profile": "data-package",
            "name": "llmflation",
            "title": "llmflation: the cheapest LLM price per quality level, month by month",
            "version": version,
            "llmflation_version": __version__,
            "schema_version": SCHEMA_VERSION,
            "content_digest": content_digest,
            **(metadata or {}),
            "resources": [datapackage_resource(TABLES[name]) for name in encoded],
        }
        write_atomic(staging / "datapackage.json", json.dumps(package, indent=2, default=str).encode())
        write_atomic(
            staging / RELEASE_MANIFEST,
            json.dumps({"version": version, "schema_version": SCHEMA_VERSION, "content_digest": content_digest,
                        "tables": sorted(encoded)}).encode(),
        )
        write_release_page(staging, latest_release(published_dir))
        _fsync_dir(staging)
        failpoint("publish.staged")
        os.rename(staging, final)
        _fsync_dir(published_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    failpoint("publish.renamed")
    _point_latest(published_dir, version)
    log.info("published release %s (%s tables) at %s", version, len(encoded), final)
    synced = sync_to_target(published_dir, final, target, target_options) if target else None
    return PublishResult(version, final, True, content_digest, "published", synced)


def _point_latest(published_dir: Path, version: str) -> None:
    """Swap the ``latest`` symlink in one atomic step."""
    tmp_link = published_dir / f".latest-{version}"
    tmp_link.unlink(missing_ok=True)
    os.symlink(version, tmp_link, target_is_directory=True)
    os.replace(tmp_link, published_dir / "latest")
    _fsync_dir(published_dir)
    # The top of the tree shows latest's page, its links into latest/ (written after the switch).
    page = (published_dir / version / "index.html")
    if page.is_file():
        write_atomic(published_dir / "index.html", top_page(page.read_text(encoding="utf-8")).encode("utf-8"))


def _complete_release_with(published_dir: Path, content_digest: str) -> Path | None:
    """A finished release folder (manifest and every table present) holding exactly this content."""
    for folder in sorted(published_dir.iterdir(), reverse=True):
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            manifest = json.loads((folder / RELEASE_MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if manifest.get("content_digest") == content_digest and all(
                (folder / f"{name}.parquet").is_file() for name in manifest.get("tables", [])):
            return folder
    return None


def _remove_stale_staging(published_dir: Path) -> None:
    for stale in published_dir.glob(".staging-*"):
        log.warning("removing %s, left by an interrupted publish", stale)
        shutil.rmtree(stale, ignore_errors=True)
    for stale in [*published_dir.glob(".latest-*"), *published_dir.glob(".index.html.*")]:
        stale.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def top_page(release_page: str) -> str:
    """A release's page as the top of the published tree shows it: every relative link goes into ``latest/``."""
    from llmflation.release_page import with_link_prefix

    return with_link_prefix(release_page, "latest/")
