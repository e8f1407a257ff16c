"""Publishing to object storage for real, and reading it back: an S3 API (moto's server mode) and an
HTTP server, both on 127.0.0.1, started by the tests.

A release is built offline from the curated reference data (as ``make run`` does on a fresh clone
without network) by the real CLI with ``[publish] target = "s3://..."``; readers then get it with
plain pandas and with ``llmflation.load``.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import fsspec
import pandas as pd
import pytest

from llmflation.loader import load
from llmflation.publish_target import sync_to_target
from llmflation.schema import TABLES

pytestmark = pytest.mark.integration

BUCKET = "llmflation-test"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1 (moto), with one empty bucket."""
    moto_server = pytest.importorskip("moto.server")
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in AWS_ENV}
    os.environ.update(AWS_ENV)
    try:
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _build(data: Path, config: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "LLMFLATION_CONFIG"}
    env.update(AWS_ENV, LLMFLATION_DATA_DIR=str(data))
    (data.parent / "llmflation.toml").write_text(config)
    env["LLMFLATION_CONFIG"] = str(data.parent / "llmflation.toml")
    return subprocess.run([sys.executable, "-m", "llmflation.cli", "build"], env=env, cwd=data.parent,
                          capture_output=True, text=True, timeout=600, check=False)


def _config(prefix: str, endpoint: str) -> str:
    return f'[publish]\ntarget = "s3://{BUCKET}/{prefix}"\nendpoint_url = "{endpoint}"\n'


@pytest.fixture(scope="module")
def published(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One offline build published locally and to s3://BUCKET/llmflation."""
    data = tmp_path_factory.mktemp("s3-publish") / "data"
    done = _build(data, _config("llmflation", s3_endpoint))
    assert done.returncode == 0, done.stderr[-3000:]
    return data


def test_the_release_is_in_s3_and_pandas_reads_latest(published: Path, s3_endpoint: str) -> None:
    options = {"client_kwargs": {"endpoint_url": s3_endpoint}}
    version = (published / "published" / "latest").resolve().name
    fs = fsspec.filesystem("s3", **options)
    assert fs.cat_file(f"{BUCKET}/llmflation/LATEST").decode().strip() == version
    local = sorted(p.name for p in (published / "published" / "latest").iterdir())
    for folder in (version, "latest"):
        assert sorted(p.rsplit("/", 1)[-1] for p in fs.ls(f"{BUCKET}/llmflation/{folder}", detail=False)) == local
    assert b"<base href=\"latest/\">" in fs.cat_file(f"{BUCKET}/llmflation/index.html")

    cheapest = pd.read_parquet(f"s3://{BUCKET}/llmflation/latest/cheapest_by_quality.parquet", storage_options=options)
    expected = pd.read_parquet(published / "published" / "latest" / "cheapest_by_quality.parquet")
    pd.testing.assert_frame_equal(cheapest, expected)
    assert cheapest["usd_per_mtok"].dtype == "float64"


def test_an_unchanged_release_goes_to_a_new_target_once(published: Path, s3_endpoint: str) -> None:
    version = (published / "published" / "latest").resolve().name
    again = _build(published, _config("llmflation", s3_endpoint))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "content unchanged" in again.stdout
    assert "already has release" in again.stdout  # the target had it: nothing copied

    fresh = _build(published, _config("mirror", s3_endpoint))
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    fs = fsspec.filesystem("s3", client_kwargs={"endpoint_url": s3_endpoint})
    assert fs.cat_file(f"{BUCKET}/mirror/LATEST").decode().strip() == version
    assert fs.exists(f"{BUCKET}/mirror/{version}/cheapest_by_quality.parquet")


def test_an_unreachable_target_fails_the_run_and_keeps_the_local_release(published: Path, s3_endpoint: str) -> None:
    before = (published / "published" / "latest").resolve()
    done = _build(published, f'[publish]\ntarget = "s3://{BUCKET}/down"\nendpoint_url = "http://127.0.0.1:9"\n')
    assert done.returncode == 1
    assert f"to s3://{BUCKET}/down failed" in done.stderr
    assert (published / "published" / "latest").resolve() == before
    assert "testing" not in done.stderr + done.stdout  # credentials are never logged


def test_the_loader_reads_s3_and_caches_by_version(published: Path, s3_endpoint: str, tmp_path: Path) -> None:
    options = {"client_kwargs": {"endpoint_url": s3_endpoint}}
    table = load("price_changes", base=f"s3://{BUCKET}/llmflation", storage_options=options, cache_dir=tmp_path)
    assert len(table) > 0
    version = (published / "published" / "latest").resolve().name
    cached = list(tmp_path.glob(f"*/{version}/price_changes.parquet"))
    assert len(cached) == 1
    pd.testing.assert_frame_equal(table, pd.read_parquet(cached[0]))


def test_the_loader_reads_a_folder_and_http(published: Path, tmp_path: Path) -> None:
    tree = published / "published"
    local = load("cheapest_by_quality", base=tree)
    assert len(local) > 0 and local["usd_per_mtok"].dtype == "float64"
    for name in ("token_usage", "cost_per_task"):  # published even when empty (an offline build states no usage)
        assert list(load(name, base=tree).columns) == TABLES[name].column_names

    handler = functools.partial(_QuietHandler, directory=str(tree))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        over_http = load("cheapest_by_quality", base=base, cache_dir=tmp_path)
        pd.testing.assert_frame_equal(over_http, local)
        requests_before = len(_QuietHandler.paths)
        load("cheapest_by_quality", base=base, cache_dir=tmp_path)  # cached: only the version is asked for
        assert not any(p.endswith(".parquet") for p in _QuietHandler.paths[requests_before:])
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    paths: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        _QuietHandler.paths.append(self.path)


def test_writes_to_a_target_come_in_the_documented_order(published: Path) -> None:
    """Version folder first (release.json last), then latest/ (release.json last), then index.html, LATEST last."""
    fs = fsspec.filesystem("memory")
    writes: list[str] = []
    put, pipe = fs.put_file, fs.pipe_file

    def record_put(lpath: str, rpath: str, **kw: object) -> None:
        writes.append(rpath)
        put(lpath, rpath, **kw)

    def record_pipe(path: str, value: bytes, **kw: object) -> None:
        writes.append(path)
        pipe(path, value, **kw)

    fs.put_file, fs.pipe_file = record_put, record_pipe  # type: ignore[method-assign]
    try:
        release = (published / "published" / "latest").resolve()
        result = sync_to_target(published / "published", release, "memory://order-test")
    finally:
        del fs.put_file, fs.pipe_file
    assert result.copied
    names = [w.split("order-test/", 1)[1] for w in writes]
    n = len(list(release.iterdir()))
    assert all(w.startswith(f"{release.name}/") for w in names[:n]) and names[n - 1] == f"{release.name}/release.json"
    assert all(w.startswith("latest/") for w in names[n:2 * n]) and names[2 * n - 1] == "latest/release.json"
    assert names[2 * n:] == ["index.html", "LATEST"]
    assert json.loads(fs.cat_file("/order-test/latest/release.json"))["version"] == release.name
