"""``llmflation backfill`` against a fake Wayback Machine on 127.0.0.1, through the real CLI and Scrapy.

These tests run the ``every_version`` strategy (every distinct digest fetched once); the
default sample-and-bisect strategy is tested in ``test_backfill_bisect.py``.

Captures are built from real corpus files: the 23 litellm price-table versions as captures
of litellm's URL, and OpenRouter model-list responses; with repeats of the same digest at
other timestamps, non-200 captures, and faults on the listing and on snapshots.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from llmflation import prices_as_of
from llmflation.cli import main
from llmflation.config import load_settings
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport
from llmflation.sources import get_source
from llmflation.stages import build_stage
from tests.support.fake_wayback import Capture, FakeWayback, sha1_base32
from tests.support.loopback import Route

pytestmark = [pytest.mark.integration, pytest.mark.corpus]

LITELLM_URL = get_source("litellm").live_url
OPENROUTER_URL = get_source("openrouter").live_url


def litellm_versions(corpus_dir: Path) -> list[tuple[str, bytes]]:
    """(timestamp, bytes) per corpus version, captured at noon UTC of its content date."""
    files = sorted((corpus_dir / "prices" / "litellm").glob("litellm_*.json"))
    assert len(files) == 23
    return [(f.name.split("_")[1].replace("-", "") + "120000", f.read_bytes()) for f in files]


def litellm_archive(corpus_dir: Path) -> list[Capture]:
    versions = litellm_versions(corpus_dir)
    captures = [Capture(LITELLM_URL, ts, body) for ts, body in versions]
    for i in (0, 5, 10, 22):  # recaptured unchanged the same evening: adjacent, collapsed by the CDX
        captures.append(Capture(LITELLM_URL, versions[i][0][:8] + "180000", versions[i][1]))
    # Version 3 seen again between versions 6 and 7, version 9 between 15 and 16: listed again, fetched once.
    captures.append(Capture(LITELLM_URL, versions[7][0][:8] + "000000", versions[3][1]))
    captures.append(Capture(LITELLM_URL, versions[16][0][:8] + "000000", versions[9][1]))
    captures.append(Capture(LITELLM_URL, "20231215120000", versions[0][1]))  # before --since
    captures.append(Capture(LITELLM_URL, "20240301000000", b"404: Not Found", "text/plain", "404"))
    return captures


@pytest.fixture
def config(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[FakeWayback], Path]]:
    def write(fake: FakeWayback) -> Path:
        path = tmp_path / "llmflation.toml"
        path.write_text(
            f'[wayback]\nurl = "{fake.url}"\nstrategy = "every_version"\nrequests_per_minute = 1200\ncdx_page_size = 7\nretries = 3\n'
            "[capture]\ntimeout_s = 1\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("LLMFLATION_CONFIG", str(path))
        return path

    yield write


def _serve(captures: list[Capture]) -> FakeWayback:
    fake = FakeWayback(captures)
    fake.start()
    return fake


def _wayback_captures(data_dir: Path, source_id: str) -> list:
    return [m for m in RawStore(data_dir / "raw").captures() if m.via == "wayback" and m.source_id == source_id]


def _report(data_dir: Path) -> dict:
    newest = sorted((data_dir / "state" / "runs").glob("*/run_report.json"))[-1]
    return json.loads(newest.read_text(encoding="utf-8"))


def test_backfill_stores_each_distinct_version_once_and_a_rerun_fetches_nothing(
    corpus_dir: Path, data_dir: Path, config, capsys: pytest.CaptureFixture[str]
) -> None:
    versions = litellm_versions(corpus_dir)
    fake = _serve(litellm_archive(corpus_dir))
    try:
        config(fake)
        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
        first_out = capsys.readouterr().out
        first_requests = list(fake.paths_requested())

        stored = _wayback_captures(data_dir, "litellm")
        assert len(stored) == 23
        assert {m.wayback_digest for m in stored} == {sha1_base32(body) for _, body in versions}
        assert sorted(m.wayback_timestamp for m in stored) == [ts for ts, _ in versions]
        for meta in stored:
            assert meta.observed_at.strftime("%Y%m%d%H%M%S") == meta.wayback_timestamp
            assert meta.url == LITELLM_URL and meta.status == 200
        snapshots = Counter(fake.snapshot_requests())
        assert len(snapshots) == 23 and set(snapshots.values()) == {1}  # no snapshot fetched twice
        assert not any("20231215" in p for p in snapshots)  # before --since: not even listed
        assert any("resumeKey=" in p for p in fake.cdx_requests())  # several CDX pages
        assert "litellm: backfill 25 version(s) listed, 0 already stored, 2 repeat(s), 23 fetched, 0 failed" in first_out

        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
        second_out = capsys.readouterr().out
        assert fake.snapshot_requests() == [p for p in first_requests if p.startswith("/web/")]  # nothing new
        assert "litellm: backfill 25 version(s) listed, 25 already stored, 0 fetched, 0 failed" in second_out
        assert len(_wayback_captures(data_dir, "litellm")) == 23

        # Every request was a CDX page, robots.txt once, or a distinct version: 28 requests for 23 versions.
        first_cdx = [p for p in first_requests if p.startswith("/cdx/")]
        assert sorted(set(first_requests) - set(snapshots) - set(first_cdx)) == ["/robots.txt"]
        assert len(first_requests) == len(first_cdx) + 23 + 1 == 28
    finally:
        fake.stop()


@pytest.mark.skipif(importlib.util.find_spec("llmflation.parsers.litellm") is None,
                    reason="the litellm parser is on another branch")
def test_backfilled_litellm_versions_publish_prices_at_their_own_timestamps(
    corpus_dir: Path, data_dir: Path, config
) -> None:
    fake = _serve(litellm_archive(corpus_dir))
    try:
        config(fake)
        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
    finally:
        fake.stop()
    prices = build_stage(load_settings(), RunReport(run_id="test")).tables["prices"]
    litellm = prices[prices["source_id"] == "litellm"]
    assert sorted({t.strftime("%Y%m%d%H%M%S") for t in litellm["observed_at"]}) == [
        ts for ts, _ in litellm_versions(corpus_dir)]
    assert set(litellm["wayback_timestamp"]) == {t.strftime("%Y%m%d%H%M%S") for t in litellm["observed_at"]}


def test_a_429_on_the_first_listing_delays_the_backfill_and_does_not_shorten_it(
    corpus_dir: Path, data_dir: Path, config, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = _serve(litellm_archive(corpus_dir))
    fake.fail_next_cdx(Route(429, b"<html>Too Many Requests</html>", {"Retry-After": "1", "Content-Type": "text/html"}))
    try:
        config(fake)
        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
        out = capsys.readouterr().out
        assert "23 fetched, 0 failed" in out
        assert len(_wayback_captures(data_dir, "litellm")) == 23
        first, second = fake.arrival_times("/cdx/")[:2]
        assert second - first >= 1.0  # the Retry-After was honoured
        events = _report(data_dir)["backfill"]["listing_events"]
        assert events == ["CDX HTTP 429 (attempt 1); waited 1 s (Retry-After)"]
    finally:
        fake.stop()


def openrouter_archive(corpus_dir: Path) -> tuple[list[Capture], dict[str, bytes]]:
    """Six OpenRouter model-list versions (two real responses, four shorter lists cut from one) and a broken page."""
    files = sorted((corpus_dir / "prices" / "openrouter-api").glob("*.json"))
    second = json.loads(files[1].read_bytes())
    bodies = [files[0].read_bytes(), files[1].read_bytes()]
    for n in (40, 30, 20, 10):
        bodies.append(json.dumps({"data": second["data"][:n]}).encode())
    stamps = ["20240110000000", "20240210000000", "20240310000000", "20240410000000", "20240510000000",
              "20240610000000"]
    versions = dict(zip(stamps, bodies, strict=True))
    captures = [Capture(OPENROUTER_URL, ts, body) for ts, body in versions.items()]
    captures.append(Capture(OPENROUTER_URL, "20240510010000", versions["20240510000000"]))  # where v4 redirects
    captures.append(Capture(OPENROUTER_URL, "20240710000000", b"<html><h1>Down for maintenance</h1></html>",
                            "text/html"))
    return captures, versions


def test_snapshot_faults_are_retried_reported_and_resumed(
    corpus_dir: Path, data_dir: Path, config, capsys: pytest.CaptureFixture[str]
) -> None:
    captures, versions = openrouter_archive(corpus_dir)
    v0, v1, v2, v3, v4, v5 = versions
    v6 = "20240810000000"
    captures.append(Capture(OPENROUTER_URL, v6, json.dumps({"data": json.loads(versions[v1])["data"][:5]}).encode()))
    fake = _serve(captures)
    fake.route("/maintenance", Route(200, b"<html>The archive is down for maintenance</html>", {"Content-Type": "text/html"}))
    fake.always_failing[v6] = Route(302, b"", {"Location": "/maintenance"})  # away from the snapshots
    fake.fail_snapshot(v0, Route(429, b"slow down", {"Retry-After": "1"}))
    fake.fail_snapshot(v1, Route(503, b"busy"))
    fake.fail_snapshot(v2, Route(200, versions[v2], delay_s=2.0))  # longer than the 1 s timeout
    fake.always_failing[v3] = Route(200, versions[v3], truncate_to=1000)
    fake.redirects[v4] = "20240510010000"  # served from a neighbour with the same digest
    fake.redirects[v5] = v2  # served from a neighbour with other content
    try:
        config(fake)
        assert main(["backfill", "--sources", "openrouter"]) == 1
        out = capsys.readouterr().out
        stored = {m.wayback_timestamp: m for m in _wayback_captures(data_dir, "openrouter")}
        assert set(stored) == {v0, v1, v2, "20240510010000", "20240710000000"}
        assert stored["20240510010000"].wayback_digest == sha1_base32(versions[v4])
        assert stored["20240510010000"].observed_at.isoformat() == "2024-05-10T01:00:00+00:00"
        assert sum(p.endswith(f"{v0}id_/{OPENROUTER_URL}") for p in fake.snapshot_requests()) == 2
        assert f"failed openrouter {v3} {OPENROUTER_URL}: body truncated" in out
        assert f"failed openrouter {v5} {OPENROUTER_URL}: redirected to {v2}, whose payload has digest" in out
        assert f"failed openrouter {v6} {OPENROUTER_URL}: redirected away from the archive's snapshots" in out
        assert (f"unreadable openrouter 20240710000000 {OPENROUTER_URL}: not parsed: an HTML page where the API serves data"
                in out)  # the archived maintenance page is kept, marked, and never parsed
        report = _report(data_dir)["backfill"]["sources"]["openrouter"]
        assert report["fetched"] == 5 and [f["timestamp"] for f in report["failed"]] == [v3, v5, v6]
        assert any("listed at 20240510000000 was served as 20240510010000" in n for n in report["notes"])
        pending = json.loads((data_dir / "state" / "wayback" / "pending.json").read_text())
        assert [p["timestamp"] for p in pending] == [v3, v5, v6]

        fake.always_failing.clear()
        fake.redirects.clear()
        before = len(fake.snapshot_requests())
        assert main(["backfill", "--sources", "openrouter"]) == 0
        out = capsys.readouterr().out
        assert sorted(fake.snapshot_requests()[before:]) == sorted(
            f"/web/{ts}id_/{OPENROUTER_URL}" for ts in (v3, v5, v6))
        # Listed again from the newest stored capture (20240710): v6 comes back by listing, v3 and v5 from pending.
        assert "openrouter: backfill 2 version(s) listed, 1 already stored, 2 retried from an earlier run, " \
               "3 fetched, 0 failed" in out
        assert json.loads((data_dir / "state" / "wayback" / "pending.json").read_text()) == []
    finally:
        fake.stop()

    prices = build_stage(load_settings(), RunReport(run_id="test")).tables["prices"]
    served = {v0, v1, v2, v3, "20240510010000", v5, v6}
    # Each served version starts or ends rows (the versions differ); what each showed is the rows as of its time.
    assert {t.strftime("%Y%m%d%H%M%S") for t in pd.concat([prices["observed_at"], prices["ended_at"]]).dropna()} == served
    counts = {ts: len(prices_as_of(prices, datetime.strptime(ts, "%Y%m%d%H%M%S"))) for ts in served}
    assert counts[v5] < counts["20240510010000"] < counts[v3]  # 10 < 20 < 30 models


def test_a_backfill_killed_half_way_fetches_only_what_is_missing_when_started_again(
    corpus_dir: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    versions = litellm_versions(corpus_dir)
    fake = _serve(litellm_archive(corpus_dir))
    stall = versions[11][0]
    fake.fail_snapshot(stall, Route(200, versions[11][1], delay_s=30.0))  # the crawl is mid-way while this hangs
    config_file = tmp_path / "llmflation.toml"
    config_file.write_text(f'[wayback]\nurl = "{fake.url}"\nstrategy = "every_version"\nrequests_per_minute = 1200\n[capture]\ntimeout_s = 60\n',
                           encoding="utf-8")
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config_file))
    command = [sys.executable, "-m", "llmflation.cli", "backfill", "--sources", "litellm", "--since", "2024-01-01"]
    try:
        process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not any(p.startswith(f"/web/{stall}") for p in fake.snapshot_requests()):
                assert process.poll() is None and time.monotonic() < deadline, "the crawl never reached the stall"
                time.sleep(0.1)
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the CLI and its scrapy child: killed half way
            process.wait()
        stored_before = {m.wayback_timestamp for m in _wayback_captures(data_dir, "litellm")}
        assert len(stored_before) == 11
        before = len(fake.snapshot_requests())

        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
        assert "25 version(s) listed, 13 already stored, 12 fetched, 0 failed" in capsys.readouterr().out
        again = fake.snapshot_requests()[before:]
        missing = [ts for ts, _ in versions if ts not in stored_before]
        assert sorted(again) == [f"/web/{ts}id_/{LITELLM_URL}" for ts in missing]
        assert len(_wayback_captures(data_dir, "litellm")) == 23
    finally:
        fake.stop()


def test_bad_backfill_options_are_usage_errors(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backfill", "--since", "2025-01-01", "--until", "2024-01-01"]) == 2
    assert main(["backfill", "--sources", "nosuchsource"]) == 2
    with pytest.raises(SystemExit):
        main(["backfill", "--since", "January"])
    config_file = tmp_path / "bad.toml"
    config_file.write_text("[wayback]\ncdx_page_size = 0\n", encoding="utf-8")
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config_file))
    assert main(["backfill", "--sources", "litellm"]) == 2
    assert not (data_dir / "raw").exists()


def test_a_listing_throttled_to_the_end_is_a_failure_and_stops_asking(
    corpus_dir: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = _serve(litellm_archive(corpus_dir) + openrouter_archive(corpus_dir)[0])
    fake.fail_next_cdx(*[Route(429, b"Too Many Requests", {"Retry-After": "0"})] * 2)
    config_file = tmp_path / "llmflation.toml"
    config_file.write_text(f'[wayback]\nurl = "{fake.url}"\nstrategy = "every_version"\nrequests_per_minute = 1200\nlisting_attempts = 2\n',
                           encoding="utf-8")
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config_file))
    try:
        assert main(["backfill"]) == 1
        out = capsys.readouterr().out
    finally:
        fake.stop()
    assert "openrouter: backfill 0 version(s) listed, 0 already stored, 0 fetched, 0 failed; listing " \
           f"{OPENROUTER_URL} failed: CDX listing failed after 2 attempts (HTTP 429)" in out
    assert "litellm: backfill 0 version(s) listed, 0 already stored, 0 fetched, 0 failed; 3 address(es) not listed: " \
           "the archive was throttling this run" in out
    assert len(fake.cdx_requests()) == 2 and fake.snapshot_requests() == []
    notes = _report(data_dir)["backfill"]["sources"]["artificial_analysis"]["notes"]
    assert notes == ["not listed: an API behind a key is not something the archive holds"]


def test_the_nightly_run_backfills_history_unless_told_to_skip_it(corpus_dir: Path, data_dir: Path, run_cli) -> None:
    captures, versions = openrouter_archive(corpus_dir)
    fake = _serve(captures)
    live = json.dumps({"data": json.loads(versions["20240210000000"])["data"][:3]}).encode()
    fake.route("/api/v1/models", Route(200, live, {"Content-Type": "application/json"}))
    config = (f'[sources.openrouter]\nurl = "{fake.url}/api/v1/models"\n'
              f'[wayback]\nurl = "{fake.url}"\nstrategy = "every_version"\nrequests_per_minute = 1200\n'
              "[capture]\ndownload_delay_s = 0\nretries = 0\n")
    try:
        done = run_cli("run", "--sources", "openrouter", config=config)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "openrouter: backfill 7 version(s) listed, 0 already stored, 7 fetched, 0 failed" in done.stdout
        assert len(set(fake.snapshot_requests())) == len(fake.snapshot_requests()) == 7
        cdx_before = len(fake.cdx_requests())
        skipped = run_cli("run", "--sources", "openrouter", "--skip-history", config=config)
        assert skipped.returncode == 0, skipped.stderr[-3000:]
        assert len(fake.cdx_requests()) == cdx_before and len(fake.snapshot_requests()) == 7
    finally:
        fake.stop()
    reports = sorted((data_dir / "state" / "runs").glob("*/run_report.json"))
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in reports[-2:])
    assert first["backfill"]["sources"]["openrouter"]["fetched"] == 7 and "backfill" not in second
    prices = pd.read_parquet(data_dir / "published" / "latest" / "prices.parquet")
    archived = prices[prices["wayback_timestamp"].notna()]
    # Every archived version (the HTML one has no prices) starts, ends or last shows rows: the table tells each.
    told = pd.concat([prices[c] for c in ("observed_at", "last_observed_at", "ended_at")]).dropna()
    assert set(versions) <= set(told.dt.strftime("%Y%m%d%H%M%S")) and set(archived["wayback_timestamp"]) <= set(versions)
    assert (archived["observed_at"].dt.strftime("%Y%m%d%H%M%S") == archived["wayback_timestamp"]).all()


def test_an_archived_challenge_page_is_kept_but_never_parsed(corpus_dir: Path, data_dir: Path, config) -> None:
    """The archive sometimes holds a bot-challenge page where the source's data should be."""
    challenge = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                 b"<body><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>")
    good = litellm_versions(corpus_dir)[2][1]
    fake = _serve([Capture(LITELLM_URL, "20240201120000", challenge, "text/html"),
                   Capture(LITELLM_URL, "20240301120000", good)])
    try:
        config(fake)
        assert main(["backfill", "--sources", "litellm", "--since", "2024-01-01"]) == 0
        assert main(["build", "--no-publish"]) == 0
    finally:
        fake.stop()
    stored = {m.wayback_timestamp: m for m in _wayback_captures(data_dir, "litellm")}
    assert set(stored) == {"20240201120000", "20240301120000"}
    assert "bot-challenge" in (stored["20240201120000"].rejected or "")
    assert stored["20240301120000"].rejected is None
    assert RawStore(data_dir / "raw").read(stored["20240201120000"].sha256) == challenge  # bytes kept
    report = _report(data_dir)
    assert report["sources"]["litellm"]["parse"]["errors"] == []  # never parsed, so no parse error
    assert any("bot-challenge" in note for note in report["sources"]["litellm"]["notes"])
