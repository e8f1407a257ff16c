"""Sample, then bisect, against a local archive at the real archive's scale, through the real CLI and Scrapy.

The archive serves OpenRouter's model list (a real response, cut to six models) at thousands
of captures, each with its own nonce (so each has its own digest, as a served page does), and
a dozen real price changes among them. What is asserted is counted, never timed: requests made
against captures listed, every change pinned to its exact capture, and the same published
tables as a store holding every capture.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from llmflation.fetch.bisection import sample_positions
from llmflation.cli import main
from llmflation.fetch.rawstore import RawStore
from llmflation.sources import get_source
from tests.support.fake_wayback import Capture, FakeWayback, churning_history
from tests.support.loopback import Route
from tests.support.price_history import MODELS, change_starts, comparable, price_versions, published_tables

pytestmark = [pytest.mark.integration, pytest.mark.corpus]

OPENROUTER_URL = get_source("openrouter").live_url
#: After every model of the synthetic history was released: a price seen before its model's
#: release is not that model's (llmflation.match), so an earlier span would leave them unmatched.
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2026, 10, 20, tzinfo=UTC)


@pytest.fixture
def archive_config(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    def write(fake: FakeWayback, extra: str = "") -> None:
        path = tmp_path / "llmflation.toml"
        path.write_text(f'[wayback]\nurl = "{fake.url}"\nrequests_per_minute = 60000\ncdx_page_size = 5000\n'
                        f"{extra}[capture]\ntimeout_s = 5\n", encoding="utf-8")
        monkeypatch.setenv("LLMFLATION_CONFIG", str(path))

    yield write


def _serve(captures: list[Capture]) -> FakeWayback:
    fake = FakeWayback(captures)
    fake.start()
    return fake


def _report(data_dir: Path) -> dict:
    newest = sorted((data_dir / "state" / "runs").glob("*/run_report.json"))[-1]
    return json.loads(newest.read_text(encoding="utf-8"))["backfill"]


def _backfill_once(captures: list[Capture], archive_config, capsys: pytest.CaptureFixture[str],
                   *args: str) -> tuple[FakeWayback, str]:
    """Serve ``captures``, run one successful backfill of openrouter against them; the (stopped) archive and the output."""
    fake = _serve(captures)
    try:
        archive_config(fake)
        assert main(["backfill", "--sources", "openrouter", *args]) == 0
        return fake, capsys.readouterr().out
    finally:
        fake.stop()


def _expected_changes(captures: list[Capture], starts: list[int]) -> list[tuple[str, str]]:
    return [(captures[s - 1].timestamp, captures[s].timestamp) for s in starts[1:]]


def test_5000_captures_and_12_changes_take_under_250_requests_and_every_change_is_dated_exactly(
    corpus_dir: Path, data_dir: Path, archive_config, capsys: pytest.CaptureFixture[str]
) -> None:
    count, n_changes = 5000, 12
    starts = change_starts(count, n_changes)
    captures = churning_history(OPENROUTER_URL, price_versions(corpus_dir, n_changes), starts, count, FIRST, LAST)
    assert len({c.digest for c in captures}) == count  # every capture has its own bytes
    fake, out = _backfill_once(captures, archive_config, capsys)

    requests = fake.paths_requested()
    snapshots = fake.snapshot_requests()
    months = len({c.timestamp[:6] for c in captures})
    budget = n_changes * math.log2(count) + months + 1 + len(fake.cdx_requests())
    assert len(requests) < 250 and len(requests) <= budget, (len(requests), budget)
    assert len(set(snapshots)) == len(snapshots)  # no capture fetched twice
    report = _report(data_dir)
    entry = report["sources"]["openrouter"]
    found = [(c["last_old"], c["first_new"]) for c in entry["changes"]]
    assert found == _expected_changes(captures, starts)
    assert all(c["exact"] and c["both_stored"] and c["listed_between"] == 0 for c in entry["changes"])
    assert entry["listed"] == count and entry["distinct_digests"] == count
    assert entry["fetched"] == len(snapshots) and entry["sample_fetches"] == months + 1
    stored = {m.wayback_timestamp for m in RawStore(data_dir / "raw").captures()}
    assert {t for pair in found for t in pair} <= stored
    assert (f"plan openrouter {OPENROUTER_URL}: {count} capture(s) listed ({count} distinct digests), "
            f"{FIRST:%Y%m%d}..{captures[-1].timestamp[:8]}; sample of {months + 1} (step month): {months + 1} to fetch") in out
    assert "12 change(s) found, 12 to the exact capture, 0 failed" in out
    assert "a change reverted before the next sampled capture is not seen" in out
    # The figures the README quotes, for whoever runs this test with -s.
    print(f"\n{count} captures, {n_changes} changes: {len(requests)} requests ({len(fake.cdx_requests())} CDX, "
          f"{len(snapshots)} snapshots, {requests.count('/robots.txt')} robots.txt) in {report['rounds']} rounds")


def test_the_published_tables_are_those_of_every_capture_and_the_dates_are_exact(
    corpus_dir: Path, data_dir: Path, tmp_path: Path, archive_config, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    count, n_changes = 600, 12
    starts = change_starts(count, n_changes)
    captures = churning_history(OPENROUTER_URL, price_versions(corpus_dir, n_changes), starts, count, FIRST, LAST)
    fake, _ = _backfill_once(captures, archive_config, capsys)
    assert len(fake.snapshot_requests()) < count // 3
    bisected = published_tables()

    everything = tmp_path / "everything"  # the same archive with every capture stored
    store = RawStore(everything / "raw")
    for capture in captures:
        moment = datetime.strptime(capture.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        store.put(capture.body, source_id="openrouter", url=capture.original, observed_at=moment, via="wayback",
                  status=200, content_type=capture.mimetype, wayback_timestamp=capture.timestamp,
                  wayback_digest=capture.digest)
    monkeypatch.setenv("LLMFLATION_DATA_DIR", str(everything))
    full = published_tables()

    for name in ("prices", "price_intervals", "cheapest_by_quality", "decline_rates"):
        assert comparable(bisected[name]).equals(comparable(full[name])), name
    assert full["prices"]["n_captures"].sum() > bisected["prices"]["n_captures"].sum()

    # Exact dates: each new price is valid from the first capture showing it; the old one was last seen just before.
    intervals = bisected["price_intervals"]
    stamps = [c.timestamp for c in captures]
    assert not intervals.empty
    for first_new in starts[1:]:
        new_from = pd.Timestamp(datetime.strptime(stamps[first_new], "%Y%m%d%H%M%S"), tz="UTC")
        old_last = pd.Timestamp(datetime.strptime(stamps[first_new - 1], "%Y%m%d%H%M%S"), tz="UTC")
        started = intervals[intervals["valid_from"] == new_from]
        ended = intervals[intervals["valid_to"] == new_from]
        model = MODELS[(starts.index(first_new) - 1) % len(MODELS)]
        if started.empty:  # a model the catalog does not know has no interval; its prices row still dates it
            prices = bisected["prices"]
            assert (prices["observed_at"] == new_from).any() and (prices["last_observed_at"] == old_last).any(), model
            continue
        assert len(started) == 1 and len(ended) == 1, model
        assert ended.iloc[0]["last_seen"] == old_last


def test_a_bisection_that_failed_half_way_resumes_and_a_nightly_run_reads_only_newer_captures(
    corpus_dir: Path, data_dir: Path, archive_config, capsys: pytest.CaptureFixture[str]
) -> None:
    count, n_changes = 800, 4
    starts = change_starts(count, n_changes + 2)[:n_changes + 1]
    versions = price_versions(corpus_dir, n_changes)
    captures = churning_history(OPENROUTER_URL, versions, starts, count, FIRST, LAST)
    fake = _serve(captures)
    target = starts[2]  # fail every capture around the second change: it cannot be pinned in this run
    for capture in captures[target - 40:target + 40]:
        fake.always_failing[capture.timestamp] = Route(404, b"gone for now", {"Content-Type": "text/plain"})
    try:
        archive_config(fake, "retries = 0\n")
        assert main(["backfill", "--sources", "openrouter"]) == 1
        out = capsys.readouterr().out
        first = _report(data_dir)["sources"]["openrouter"]
        assert first["open_addresses"] == 1 and first["failed"]
        assert "bisect.json" not in {p.name for p in (data_dir / "state" / "wayback").iterdir()} or \
            OPENROUTER_URL not in (data_dir / "state" / "wayback" / "bisect.json").read_text()
        assert "failed openrouter" in out
        asked_first = Counter(fake.snapshot_requests())

        fake.always_failing.clear()
        assert main(["backfill", "--sources", "openrouter"]) == 0
        second = _report(data_dir)["sources"]["openrouter"]
        asked = Counter(fake.snapshot_requests()) - asked_first
        stored_before = {f"/web/{c.timestamp}id_/{OPENROUTER_URL}" for c in captures
                         if c.timestamp not in {f['timestamp'] for f in first['failed']}} & set(asked_first)
        assert not (set(asked) & stored_before)  # what the first run stored is not fetched again
        assert [(c["last_old"], c["first_new"]) for c in second["changes"]] == _expected_changes(captures, starts)
        state = json.loads((data_dir / "state" / "wayback" / "bisect.json").read_text())
        assert state[f"openrouter {OPENROUTER_URL}"]["resolved_through"] == captures[-1].timestamp

        # A night later: three new captures, one with a new price. Only those are sampled and bisected.
        later = churning_history(OPENROUTER_URL, [versions[-1], versions[0]], [0, 2], 3,
                                 datetime(2026, 10, 21, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC))
        fake.stop()
        fake = _serve(captures + later)
        archive_config(fake, "retries = 0\n")
        assert main(["backfill", "--sources", "openrouter"]) == 0
        third = _report(data_dir)["sources"]["openrouter"]
        assert third["listed"] == 4  # the last resolved capture and the three new ones
        assert sorted(fake.snapshot_requests()) == sorted(f"/web/{c.timestamp}id_/{OPENROUTER_URL}" for c in later)
        assert [(c["last_old"], c["first_new"]) for c in third["changes"]] == [(later[1].timestamp, later[2].timestamp)]
    finally:
        fake.stop()


def test_a_dry_run_lists_and_plans_but_fetches_nothing(
    corpus_dir: Path, data_dir: Path, archive_config, capsys: pytest.CaptureFixture[str]
) -> None:
    captures = churning_history(OPENROUTER_URL, price_versions(corpus_dir, 2), [0, 100, 200], 300, FIRST, LAST)
    fake, out = _backfill_once(captures, archive_config, capsys, "--dry-run", "--step", "week")
    week_of = [datetime.strptime(c.timestamp[:8], "%Y%m%d").isocalendar()[:2] for c in captures]
    weeks = len({i for i, w in enumerate(week_of) if i == 0 or w != week_of[i - 1]} | {len(captures) - 1})
    assert fake.snapshot_requests() == []
    assert f"plan openrouter {OPENROUTER_URL}: 300 capture(s) listed (300 distinct digests)" in out
    assert f"sample of {weeks} (step week): {weeks} to fetch, 0 already in the store" in out
    assert f"dry run: {weeks} sample fetch(es) to make, nothing fetched" in out
    assert not RawStore(data_dir / "raw").captures()


def test_a_bisection_killed_between_rounds_resumes_without_fetching_again(
    corpus_dir: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    count, n_changes = 1000, 3
    starts = change_starts(count, n_changes)
    captures = churning_history(OPENROUTER_URL, price_versions(corpus_dir, n_changes), starts, count, FIRST, LAST)
    sample = {captures[p].timestamp for p in sample_positions([c.timestamp for c in captures], "month")}
    fake = _serve(captures)
    for capture in captures:  # the sample comes back at once; the first bisecting fetch hangs
        if capture.timestamp not in sample:
            fake.fail_snapshot(capture.timestamp, Route(200, capture.body, delay_s=30.0))
    config_file = tmp_path / "llmflation.toml"
    config_file.write_text(f'[wayback]\nurl = "{fake.url}"\nrequests_per_minute = 60000\n[capture]\ntimeout_s = 60\n',
                           encoding="utf-8")
    monkeypatch.setenv("LLMFLATION_CONFIG", str(config_file))
    command = [sys.executable, "-m", "llmflation.cli", "backfill", "--sources", "openrouter"]
    try:
        process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not any(p.split("/")[2][:14] not in sample for p in fake.snapshot_requests()):
                assert process.poll() is None and time.monotonic() < deadline, "the bisection never began"
                time.sleep(0.1)
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the CLI and its scrapy child, in the second round
            process.wait()
        stored = {m.wayback_timestamp for m in RawStore(data_dir / "raw").captures()}
        assert stored == sample  # the first round is stored, nothing else
        assert not (data_dir / "state" / "wayback" / "bisect.json").exists()
        before = len(fake.snapshot_requests())
        fake.snapshot_faults.clear()

        assert main(["backfill", "--sources", "openrouter"]) == 0
        capsys.readouterr()
        again = {p.split("/")[2][:14] for p in fake.snapshot_requests()[before:]}
        assert not again & sample  # what the killed run stored is read from the store
        entry = _report(data_dir)["sources"]["openrouter"]
        assert entry["already_stored"] == len(sample) and entry["sample_fetches"] == 0
        assert [(c["last_old"], c["first_new"]) for c in entry["changes"]] == _expected_changes(captures, starts)
    finally:
        fake.stop()


def test_unreadable_captures_are_bisected_past_and_listed_never_taken_as_equal_or_different(
    corpus_dir: Path, data_dir: Path, archive_config, capsys: pytest.CaptureFixture[str]
) -> None:
    """Archived bot-challenge pages where the API's JSON should be: at the first capture and right after a change."""
    challenge = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                 b"<body><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>")
    count = 300
    captures = churning_history(OPENROUTER_URL, price_versions(corpus_dir, 1), [0, 150], count, FIRST, LAST)
    for i in (0, 150, 151, 152):
        captures[i] = Capture(OPENROUTER_URL, captures[i].timestamp, challenge, "text/html")
    fake, out = _backfill_once(captures, archive_config, capsys)
    entry = _report(data_dir)["sources"]["openrouter"]
    assert [(c["last_old"], c["first_new"], c["unreadable_between"], c["exact"]) for c in entry["changes"]] == [
        (captures[149].timestamp, captures[153].timestamp, 3, True)]
    asked = {p.split("/")[2][:14] for p in fake.snapshot_requests()}
    assert captures[1].timestamp in asked  # the first readable capture after an unreadable first one
    # The challenge bytes were fetched once (the first capture); the same bytes later are read from the store.
    assert {row["wayback_timestamp"] for row in entry["unreadable"]} == {captures[0].timestamp}
    assert not asked & {captures[i].timestamp for i in (150, 151, 152)} and entry["from_store"] >= 2
    assert f"first new {captures[153].timestamp} (exact, 3 unreadable between)" in out
