"""Copying the current release to an object store or any fsspec URL (``[publish] target``).

Object stores have no symlinks and no atomic rename of a folder, so the published tree there is
kept by the order of writes, each object whole when it appears:

1. ``<target>/<version>/``: every file of the release, ``release.json`` last. A version folder
   never changes once ``release.json`` is in it.
2. ``<target>/latest/``: the same files copied over the previous release's, ``release.json`` last.
3. ``<target>/index.html``: the release page of ``latest``.
4. ``<target>/LATEST``: one line naming the version, written last.

A reader who follows ``LATEST`` to ``<version>/`` always gets one complete release (it names only a
version whose folder is finished). ``latest/`` is the address that never moves: each file there is
always a whole file of a complete release, but during the seconds of step 2 its files may belong
to two consecutive releases; compare ``release.json``'s version or read through ``LATEST`` (the
loader does) when several tables must agree.

The copy runs whenever the target's ``LATEST`` does not name the current release, so a new target
(or one a failed run left behind) gets the current release on the next run even when the content
did not change. Credentials are never settings: S3 reads them from the standard AWS variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_PROFILE``) or
the machine's role, and nothing here logs or writes them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LATEST_POINTER = "LATEST"
LATEST_FOLDER = "latest"
MANIFEST = "release.json"


class TargetError(RuntimeError):
    """The release could not be copied to the target; the local release is published all the same."""


@dataclass
class TargetResult:
    target: str
    version: str
    copied: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "version": self.version, "copied": self.copied, "reason": self.reason}


def storage_options(endpoint_url: str | None = None, region: str | None = None) -> dict[str, Any]:
    """fsspec storage options for ``[publish]``'s S3-compatible endpoint and region (no credentials)."""
    client_kwargs: dict[str, Any] = {}
    if endpoint_url:
        client_kwargs["endpoint_url"] = endpoint_url
    if region:
        client_kwargs["region_name"] = region
    return {"client_kwargs": client_kwargs} if client_kwargs else {}


def open_target(target: str, options: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The fsspec file system and root path of ``target``; a clear error when its driver is not installed."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(target, **(options or {}))
    except ImportError as exc:
        raise TargetError(f"[publish] target {target}: {exc} (for s3:// install the extra: pip install 'llmflation[s3]')") from exc
    return fs, root.rstrip("/")


def remote_latest(fs: Any, root: str) -> str | None:
    """The version the target's ``LATEST`` names, or None when it has none."""
    try:
        return fs.cat_file(f"{root}/{LATEST_POINTER}").decode("utf-8").strip() or None
    except FileNotFoundError:
        return None


def sync_to_target(published_dir: Path, release: Path, target: str, options: dict[str, Any] | None = None) -> TargetResult:
    """Copy ``release`` to ``target`` unless the target's ``LATEST`` already names it (see the module doc).

    Raises :class:`TargetError` when the target cannot be reached or written; the local release
    is already complete and ``latest`` at that point.
    """
    version = release.name
    try:
        fs, root = open_target(target, options)
        if remote_latest(fs, root) == version:
            log.info("%s already has release %s: nothing copied", target, version)
            return TargetResult(target, version, False, f"{target} already has release {version}")
        files = sorted((p for p in release.iterdir() if p.is_file() and p.name != MANIFEST), key=lambda p: p.name)
        files.append(release / MANIFEST)
        for folder in (version, LATEST_FOLDER):
            fs.makedirs(f"{root}/{folder}", exist_ok=True)
            for path in files:
                fs.put_file(str(path), f"{root}/{folder}/{path.name}")
        names = {p.name for p in files}
        for stale in fs.ls(f"{root}/{LATEST_FOLDER}", detail=False):  # a file the new release no longer has
            if stale.rstrip("/").rsplit("/", 1)[-1] not in names:
                fs.rm_file(stale)
        top_page = published_dir / "index.html"
        if top_page.is_file():
            fs.put_file(str(top_page), f"{root}/index.html")
        fs.pipe_file(f"{root}/{LATEST_POINTER}", f"{version}\n".encode())
    except TargetError:
        raise
    except Exception as exc:  # noqa: BLE001 - every driver has its own errors; the message names the target
        raise TargetError(f"copying release {version} to {target} failed: {type(exc).__name__}: {exc}") from exc
    log.info("copied release %s to %s (%s/, latest/, LATEST)", version, target, version)
    return TargetResult(target, version, True, f"copied release {version} to {target}")
