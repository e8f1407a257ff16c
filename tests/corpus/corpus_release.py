"""A whole release built from the real corpus, and the table-by-table difference between two such releases.

A refactor must not change what is published. This builds, with the code of the checkout it
runs from, every table of a release from one raw store filled with the corpus (every pricing
page and price API file on its content date, the newest models.dev catalog, the Open LLM
Leaderboard, the monthly LMArena exports, llm-stats' repository, Artificial Analysis' API page and
leaderboard payload, and Epoch AI's benchmark files) and writes them to a folder; ``--compare`` then says which tables
of two such folders differ, and how::

    .venv/bin/python -m tests.corpus.corpus_release --out /tmp/before   # on the old commit
    .venv/bin/python -m tests.corpus.corpus_release --out /tmp/after    # on the new one
    .venv/bin/python -m tests.corpus.corpus_release --compare /tmp/before /tmp/after

The analysis runs as of one fixed instant (``--as-of``, default 2026-12-01), so two builds on
different days compare equal. Nothing here reaches the network.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from llmflation.build import analyze, build
from llmflation.config import load_settings
from llmflation.fetch.rawstore import RawStore
from llmflation.publish import parquet_bytes
from llmflation.report import RunReport
from llmflation.sources import get_source
from llmflation.stages import validate_stage
from tests.conftest import REPO_ROOT, corpus_root
from tests.corpus import agreement_corpus
from tests.support.leaderboards import zip_folder, zip_members

log = logging.getLogger(__name__)
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)


def _put(store: RawStore, source_id: str, body: bytes, day: str, content_type: str = "text/csv") -> None:
    store.put(body, source_id=source_id, url=get_source(source_id).live_url,
              observed_at=datetime.fromisoformat(day).replace(tzinfo=UTC), via="live", status=200,
              content_type=content_type)


def fill_store(store: RawStore, corpus: Path) -> None:
    """Every corpus file the registry has a parser for, as a live capture on its content date."""
    agreement_corpus.fill_store(store, corpus)
    dates = agreement_corpus.content_dates(corpus)
    for path in sorted((corpus / "catalog" / "models-dev").glob("*.json")):
        day = agreement_corpus.content_day(path.relative_to(corpus).as_posix(), dates)
        _put(store, "models_dev", path.read_bytes(), day.date().isoformat(), "application/json")
    scores = corpus / "scores"
    for source_id, name in [("open_llm_leaderboard_v1", "open_llm_leaderboard_v1_final.csv"),
                            ("open_llm_leaderboard_v2", "open_llm_leaderboard_v2_final.csv")]:
        _put(store, source_id, (scores / "open-llm-leaderboard" / name).read_bytes(), "2025-03-21")
    for path in sorted((scores / "lmarena").glob("lmsys_*.csv")):
        _put(store, "lmarena", path.read_bytes(), path.name.split("_")[1])
    _put(store, "llm_stats", zip_folder(scores / "llm-stats" / "data", "llm-leaderboard-main/data/"), "2025-06-01",
         "application/zip")
    for path in sorted((scores / "artificial-analysis").glob("aa-api-v2-*.json")):
        _put(store, "artificial_analysis", path.read_bytes(), path.name.split("_")[1], "application/json")
    for path in sorted((scores / "artificial-analysis").glob("aa-leaderboard-page-payload_*.json")):
        _put(store, "artificial_analysis_leaderboard", path.read_bytes(), path.name.split("_")[1], "application/json")
    epoch = {p.name.split("_2")[0] + ".csv": p.read_text(encoding="utf-8") for p in sorted((scores / "epoch").glob("*.csv"))}
    _put(store, "epoch_benchmarks", zip_members(epoch), "2026-04-10", "application/zip")


def build_release(out: Path, corpus: Path, as_of: datetime = AS_OF) -> dict[str, int]:
    """Build, validate and analyse a release of the corpus into ``out`` (one Parquet file per table); rows per table.

    The stages of ``llmflation build`` without the publishing: validation holds rows out exactly
    as a nightly run does (the allowlist included), and the analysis runs on what remains.
    """
    with tempfile.TemporaryDirectory(prefix="llmflation-corpus-release-") as tmp:
        data = Path(tmp)
        (data / "reference").symlink_to(REPO_ROOT / "data" / "reference", target_is_directory=True)
        settings = load_settings(env={"LLMFLATION_DATA_DIR": str(data)})
        fill_store(RawStore(settings.raw_dir), corpus)
        report = RunReport("corpus-release")
        result = build(settings, report)
        validation = validate_stage(settings, report, result)
        if not validation.ok:
            raise SystemExit("the corpus release does not validate:\n" + "\n".join(validation.lines()))
        result = replace(result, tables=dict(validation.tables))  # the held-out rows left out
        analyze(settings, report, result, now=as_of)
        out.mkdir(parents=True, exist_ok=True)
        for name, table in result.tables.items():  # as publishing writes them: the schema's columns and types
            (out / f"{name}.parquet").write_bytes(parquet_bytes(name, table))
        return {name: len(table) for name, table in result.tables.items()}


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order whatever order a build wrote them in (a table's row order is not part of its contract)."""
    keys = list(table.columns)
    return table.astype("string").sort_values(keys, na_position="first").reset_index(drop=True)


def compare(before: Path, after: Path) -> list[str]:
    """One line per table: equal, or how it differs (rows, columns, differing cells)."""
    lines = []
    names = sorted({p.stem for p in before.glob("*.parquet")} | {p.stem for p in after.glob("*.parquet")})
    for name in names:
        a, b = before / f"{name}.parquet", after / f"{name}.parquet"
        if not a.exists() or not b.exists():
            lines.append(f"{name}: only in {'after' if not a.exists() else 'before'}")
            continue
        old, new = pd.read_parquet(a), pd.read_parquet(b)
        if list(old.columns) != list(new.columns) or dict(old.dtypes.astype(str)) != dict(new.dtypes.astype(str)):
            lines.append(f"{name}: columns or types differ: {sorted(set(old.columns) ^ set(new.columns))}")
            continue
        if len(old) != len(new):
            lines.append(f"{name}: {len(old)} rows before, {len(new)} after")
            continue
        left, right = _canonical(old), _canonical(new)
        differing = ~((left == right).fillna(False) | (left.isna() & right.isna()))  # a value against a missing one differs
        cells = int(differing.to_numpy().sum())
        if cells:
            by_column = differing.sum()
            lines.append(f"{name}: {cells} cells differ in {by_column[by_column > 0].to_dict()}")
        else:
            lines.append(f"{name}: identical ({len(old)} rows)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, help="folder to write the release's tables to")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--as-of", type=datetime.fromisoformat, default=AS_OF)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.compare:
        lines = compare(*args.compare)
        sys.stdout.write("\n".join(lines) + "\n")
        return 0 if all("identical" in line for line in lines) else 1
    if args.out is None:
        parser.error("--out or --compare is required")
    corpus = corpus_root()
    if corpus is None:
        parser.error("the corpus is not found: set LLMFLATION_CORPUS or put shared/corpus beside the repository")
    as_of = args.as_of if args.as_of.tzinfo else args.as_of.replace(tzinfo=UTC)
    for name, rows in build_release(args.out, corpus, as_of).items():
        sys.stdout.write(f"{name}: {rows} rows\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
