"""``llmflation.load``: one published table as a DataFrame, from a folder, an HTTP server or S3.

The published tree is the same everywhere (``data/published/`` locally, ``[publish] target``
remotely): one folder per version, ``latest/``, and ``LATEST`` naming the newest version on object
stores. ``release="latest"`` is resolved to a version first (``LATEST``, else
``latest/release.json``), and the table is read from that version's folder, so every table one
program loads for "latest" comes from the same release even while a new one is being copied.

Remote files are cached under ``cache_dir/<base digest>/<version>/``: a version folder never
changes, so a cached table is never fetched again. Local folders are read in place.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

#: Where the published tree is when ``base`` is not given: the local data folder's ``published/``.
DEFAULT_BASE_ENV = "LLMFLATION_DATA_DIR"


class LoadError(LookupError):
    """The release or table asked for is not at ``base``."""


def default_base() -> str:
    """``$LLMFLATION_DATA_DIR/published``, else ``./data/published``."""
    return str(Path(os.environ.get(DEFAULT_BASE_ENV) or "data") / "published")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/llmflation``, else ``~/.cache/llmflation``."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "llmflation"


def load(
    table: str,
    release: str = "latest",
    base: str | os.PathLike[str] | None = None,
    storage_options: dict[str, Any] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The table ``table`` (``cheapest_by_quality``, ``price_changes``...) of a release.

    ``base``: the top of a published tree: a folder, ``https://...`` or ``s3://bucket/prefix``
    (default: the local data folder's ``published/``). ``release``: ``latest`` or a version
    (``20261202T030000Z``). ``storage_options`` go to fsspec (an S3 ``endpoint_url`` in
    ``client_kwargs``...). Remote tables are cached by version in ``cache_dir``.
    """
    base = str(base) if base is not None else default_base()
    if _is_local(base):
        return _load_local(Path(base.removeprefix("file://")), table, release)
    import fsspec

    fs, root = fsspec.core.url_to_fs(base, **(storage_options or {}))
    root = root.rstrip("/")
    version = resolve_release(fs, root, release, base)
    cached = Path(cache_dir or default_cache_dir()) / hashlib.sha256(base.rstrip("/").encode()).hexdigest()[:16] / version / f"{table}.parquet"
    if not cached.is_file():
        try:
            data = fs.cat_file(f"{root}/{version}/{table}.parquet")
        except FileNotFoundError as exc:
            raise LoadError(f"{base}: release {version} has no table {table}") from exc
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
        log.info("fetched %s of release %s from %s into %s", table, version, base, cached)
    return pd.read_parquet(io.BytesIO(cached.read_bytes()))


def resolve_release(fs: Any, root: str, release: str, base: str) -> str:
    """The version ``release`` names at ``root``: itself, or for ``latest`` what ``LATEST`` (else ``latest/release.json``) says."""
    if release != "latest":
        return release
    try:
        version = fs.cat_file(f"{root}/LATEST").decode("utf-8").strip()
        if version:
            return version
    except FileNotFoundError:
        pass
    try:
        return str(json.loads(fs.cat_file(f"{root}/latest/release.json"))["version"])
    except (FileNotFoundError, KeyError, ValueError) as exc:
        raise LoadError(f"{base}: no LATEST and no latest/release.json: is this a published llmflation tree?") from exc


def _load_local(root: Path, table: str, release: str) -> pd.DataFrame:
    folder = (root / release).resolve() if release == "latest" else root / release
    path = folder / f"{table}.parquet"
    if not path.is_file():
        raise LoadError(f"{root}: release {release} has no table {table} ({path} does not exist)")
    return pd.read_parquet(path)


def _is_local(base: str) -> bool:
    return "://" not in base or base.startswith("file://")
