"""Pages against price APIs on the real corpus: the share of each page's standard prices the APIs confirm.

Run on demand: ``make agreement`` or ``.venv/bin/python -m tests.corpus.agreement_corpus
[--max-gap-days N]``. The corpus test ``test_source_agreement.py`` asserts on the same run.

Every served page in ``prices/pricing-pages/<source id>/`` and every price API file
(``litellm/``, ``genai-prices/data_*.json``, ``openrouter-api*/``) is stored in a temporary raw
store as a capture observed on its content date (``FILES.csv``), at the registry address the
source had then. The nightly build's own code then parses the store and matches the names
(``build``), and ``crosscheck.cross_check`` compares every page's standard prices with the
API captures nearest in time, within 7 days unless ``--max-gap-days`` says otherwise.
Prints, per page file: its standard rows, how many were compared and agree, the API captures
used, and every row that does not agree, with why.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from llmflation.build import build
from llmflation.config import load_settings
from llmflation.crosscheck import AGREE, MAX_GAP, CrossCheck, Outcome, cross_check
from llmflation.parsing import ParsedStore
from llmflation.fetch.rawstore import RawStore
from llmflation.report import RunReport
from llmflation.sources import Source, get_source
from tests.conftest import REPO_ROOT, corpus_root

PAGES = Path("prices") / "pricing-pages"
#: Corpus folders of price API files, and the registry source each one is a capture of.
API_FOLDERS = (("litellm", "litellm", "*.json"), ("genai-prices", "genai_prices", "data_*.json"),
               ("openrouter-api", "openrouter", "*.json"), ("openrouter-api-raw", "openrouter", "*.json"))


@dataclass
class PageResult:
    """One corpus page: its capture, what its parser made of it, and its rows' outcomes."""

    file: str
    source_id: str
    observed_at: datetime
    error: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    #: Parsed to exactly the records of the listing's previous version, so it has no rows of its
    #: own in ``prices`` (the earlier version's rows carry it in ``last_observed_at``).
    repeats_previous: bool = False

    @property
    def agreeing(self) -> int:
        return sum(o.verdict == AGREE for o in self.outcomes)

    @property
    def compared(self) -> int:
        return sum(o.compared for o in self.outcomes)


def content_dates(corpus: Path) -> dict[str, str]:
    """``FILES.csv``: corpus path -> its content date as written (``2026-04-27``, ``2026-08-21 (HEAD)``)."""
    with (corpus / "FILES.csv").open(encoding="utf-8") as handle:
        return {row["file"]: row["content_date"] for row in csv.DictReader(handle)}


def content_day(relative: str, dates: dict[str, str]) -> datetime:
    """00:00 UTC of the file's content date; a file not listed, or dated only to the month, is an error."""
    if relative not in dates:
        raise ValueError(f"{relative} is not listed in FILES.csv")
    try:
        return datetime.strptime(dates[relative][:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{relative}: content date {dates[relative]!r} is not a day") from exc


def address(source: Source, when: datetime, file_name: str) -> str:
    """The registry address the file was served from: the one its name spells, else the newest of that year."""
    slug = re.sub(r"[^a-z0-9]+", "-", file_name.lower())
    in_year = [u for u in source.urls if u.since <= when.year and (u.until is None or when.year <= u.until)]
    if not in_year:
        raise ValueError(f"{file_name}: the registry has no address for {source.id} in {when.year}")
    for entry in in_year:
        if slug.startswith(re.sub(r"[^a-z0-9]+", "-", entry.url.split("://", 1)[1].lower()).strip("-")):
            return entry.url
    return max(in_year, key=lambda u: u.since).url


def corpus_files(corpus: Path) -> list[tuple[str, Path]]:
    """(source id, path) of every page and price API file of the corpus."""
    files = [(path.parent.name, path) for path in sorted((corpus / PAGES).glob("*/*")) if path.is_file()]
    for folder, source_id, pattern in API_FOLDERS:
        files += [(source_id, path) for path in sorted((corpus / "prices" / folder).glob(pattern))]
    return files


def fill_store(store: RawStore, corpus: Path) -> dict[str, str]:
    """Every corpus page and price API file as a live capture on its content date; capture id -> corpus path."""
    dates = content_dates(corpus)
    stored = {}
    for source_id, path in corpus_files(corpus):
        relative = path.relative_to(corpus).as_posix()
        when = content_day(relative, dates)
        meta = store.put(path.read_bytes(), source_id=source_id, url=address(get_source(source_id), when, path.name),
                         observed_at=when, via="live", status=200,
                         content_type="application/json" if path.suffix == ".json" else "text/html")
        stored[meta.capture_id] = relative
    return stored


def measure(corpus: Path, max_gap: timedelta = MAX_GAP) -> tuple[list[PageResult], CrossCheck]:
    """Build the corpus store with the nightly build's code and cross-check every page."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        (data / "reference").symlink_to(REPO_ROOT / "data" / "reference", target_is_directory=True)
        files = fill_store(RawStore(data / "raw"), corpus)
        result = build(load_settings(env={"LLMFLATION_DATA_DIR": str(data)}), RunReport("agreement"), keep_read=True)
    checked = cross_check(result.tables["prices"], max_gap)
    with_rows = set(result.tables["prices"]["capture_id"])
    return page_results(files, result.read, checked, with_rows), checked  # a cold build reads every capture


def page_results(files: dict[str, str], parsed: ParsedStore, checked: CrossCheck,
                 with_rows: set[str]) -> list[PageResult]:
    """One result per page capture: its parse error, or its standard rows' outcomes."""
    outcomes: dict[str, list[Outcome]] = {}
    for outcome in checked.outcomes:
        outcomes.setdefault(outcome.page.capture_id, []).append(outcome)
    results = [PageResult(files[item.capture.capture_id], item.capture.source_id, item.capture.observed_at, item.error,
                          outcomes.get(item.capture.capture_id, []),
                          repeats_previous=item.error is None and item.capture.capture_id not in with_rows)
               for item in parsed.parsed if get_source(item.capture.source_id).kind == "pricing_page"]
    return sorted(results, key=lambda r: r.file)


def report_lines(results: list[PageResult], max_gap: timedelta) -> list[str]:
    lines = [f"pages against price APIs, standard prices, within {max_gap / timedelta(days=1):g} days:"]
    for page in results:
        head = f"{page.file} ({page.source_id}, {page.observed_at:%Y-%m-%d})"
        if page.error:
            lines.append(f"{head}: not parsed: {page.error}")
            continue
        n = len(page.outcomes)
        apis = sorted({f"{p.api.source_id} {p.api.observed_at:%Y-%m-%d}" for o in page.outcomes for p in o.pairs})
        lines.append(f"{head}: {page.agreeing} of {n} standard rows agree ({_percent(page.agreeing, n)}); "
                     f"{page.compared} compared ({_percent(page.agreeing, page.compared)} of those agree); "
                     f"APIs used: {', '.join(apis) or 'none'}")
        for outcome in page.outcomes:
            if outcome.verdict != AGREE:
                price = f"{outcome.page.input_usd_per_mtok}/{outcome.page.output_usd_per_mtok}"
                what = outcome.verdict or "not compared"
                lines.append(f"    {outcome.page.model_key!r} {price}: {what}: {outcome.reason}")
    return lines


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-gap-days", type=float, default=MAX_GAP / timedelta(days=1),
                        help="furthest API capture compared, in days (default: the build's 7)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    corpus = corpus_root()
    if corpus is None:
        sys.stderr.write("corpus not found: set LLMFLATION_CORPUS\n")
        return 2
    gap = timedelta(days=args.max_gap_days)
    results, _ = measure(corpus, gap)
    sys.stdout.write("\n".join(report_lines(results, gap)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
