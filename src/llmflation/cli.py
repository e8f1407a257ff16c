"""The ``llmflation`` command: :data:`COMMANDS` is its synopsis, shown by ``llmflation --help``.

Exit status: 0 when the run finished (sources may have failed: the report says which);
1 when the build failed or validation refused to publish, or a backfill left versions
unlisted or unfetched; 2 for bad usage or configuration; 3 when another run holds the data
folder's run lock (nothing was done).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime

from llmflation.config import ConfigError, Settings, check_cron, load_settings
from llmflation.publish_target import TargetError
from llmflation.report import RunReport, new_run_id
from llmflation.runlock import LockHeld, run_lock
from llmflation.sources import SOURCES, UnknownSourceError, select_sources

log = logging.getLogger("llmflation")


def _source_ids(value: str | None) -> list[str] | None:
    if not value:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    select_sources(ids)  # raises UnknownSourceError naming the known ids
    return ids


def _print_report(lines: list[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")


def cmd_run(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    source_ids = _source_ids(args.sources)
    with run_lock(settings.state_dir, "llmflation run"):  # before Prefect starts: a refused run touches nothing
        return _run(args, source_ids)


def _run(args: argparse.Namespace, source_ids: list[str] | None) -> int:
    import pipelines  # noqa: F401  (sets Prefect's environment before Prefect loads)
    from pipelines.nightly import ValidationRefused, nightly

    try:
        outcome = nightly(sources=source_ids, skip_history=args.skip_history)
    except ValidationRefused as exc:
        log.error("%s", exc)
        return 1
    _print_report(outcome["lines"])
    _print_report(outcome["headline"])
    sys.stdout.write(f"release: {outcome['publish']['reason']} ({outcome['publish']['version']})\n")
    return 0


def cmd_capture(args: argparse.Namespace) -> int:
    from llmflation.fetch.capture import CaptureError
    from llmflation.stages import capture_stage, write_run_report

    settings: Settings = args.settings
    source_ids = _source_ids(args.sources)
    ran = True
    with run_lock(settings.state_dir, "llmflation capture"):
        report = RunReport(run_id=new_run_id())
        try:
            capture_stage(settings, report, source_ids)
        except CaptureError:
            ran = False  # every source is marked failed in the report, printed below
        write_run_report(settings, report)
    _print_report([f"{r.source_id}: capture {r.capture_status}: {r.capture_summary}" for r in report.sources.values()])
    return 0 if ran else 1


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _step(value: str) -> str:
    from llmflation.fetch.bisection import StepError, parse_step

    try:
        return parse_step(value)
    except StepError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_backfill(args: argparse.Namespace) -> int:
    from llmflation.stages import backfill_stage, write_run_report

    settings: Settings = args.settings
    if args.since and args.until and args.since > args.until:
        raise ConfigError(f"--since {args.since} is after --until {args.until}")
    report = RunReport(run_id=new_run_id())
    with run_lock(settings.state_dir, "llmflation backfill"):
        result = backfill_stage(settings, report, _source_ids(args.sources), args.since, args.until,
                                step=args.step, strategy=args.strategy, dry_run=args.dry_run,
                                announce=lambda line: _print_report([line]))
    path = write_run_report(settings, report)
    _print_report(result.lines())
    sys.stdout.write(f"report: {path}\n")
    return 0 if result.ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    with run_lock(settings.state_dir, "llmflation build"):
        return _build(args, settings)


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from llmflation.stages import release

    report = RunReport(run_id=new_run_id())
    done = release(settings, report, full=args.full, publish=not args.no_publish)
    _print_report(done.validation.lines())
    if not done.validation.ok:
        log.error("validation refused to publish; see %s", done.report_path.parent)
        return 1
    _print_report(report.lines())
    if done.published is None:
        return 0
    _print_report(report.sections.get("analysis", {}).get("headline", []))
    sys.stdout.write(f"release: {done.published.reason} ({done.published.version})\n")
    if done.published.target:
        sys.stdout.write(f"target: {done.published.target.reason}\n")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    if args.json:
        rows = [
            {
                "id": s.id,
                "kind": s.kind,
                "provider": s.provider,
                "live_url": settings.url_for(s.id, s.live_url),
                "urls": [{"url": u.url, "since": u.since, "until": u.until} for u in s.urls],
                "parser": s.parser,
                "js_rendered": s.js_rendered,
                "download_delay_s": s.politeness.download_delay_s,
                "needs_api_key_env": s.needs_api_key_env,
            }
            for s in SOURCES
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    for s in SOURCES:
        sys.stdout.write(f"{s.id:<22} {s.kind:<13} {settings.url_for(s.id, s.live_url)}\n")
        sys.stdout.write(f"{'':<22} parser {s.parser}, delay {s.politeness.download_delay_s:g} s"
                         f"{', JavaScript-rendered' if s.js_rendered else ''}"
                         f"{', key from $' + s.needs_api_key_env if s.needs_api_key_env else ''}\n")
        for u in s.urls:
            years = f"{u.since}-{u.until}" if u.until else f"{u.since}-"
            sys.stdout.write(f"{'':<22} {years:<10} {u.url}\n")
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    """Each name's catalog model on a date (``--at``, default now), with the latest release's catalog."""
    from llmflation.catalog import release_catalog
    from llmflation.match import format_matches, match_ids, match_names

    settings = args.settings
    catalog = release_catalog(settings.published_dir, settings.reference_dir)
    at = datetime.combine(args.at, datetime.min.time(), tzinfo=UTC) if args.at else datetime.now(UTC)
    if args.json:
        sys.stdout.write(json.dumps(match_ids(args.names, catalog, at), indent=2) + "\n")
    else:
        _print_report(format_matches(match_names(args.names, catalog, at)))
    return 0


def cmd_unmatched(args: argparse.Namespace) -> int:
    """Names in the latest release's prices that match no catalog model, most price rows first."""
    import pandas as pd

    from llmflation.catalog import release_catalog
    from llmflation.match import assign_model_ids, format_summary, match_summary, unmatched_table

    settings: Settings = args.settings
    prices_path = settings.published_dir / "latest" / "prices.parquet"
    if not prices_path.exists():
        log.error("no published release at %s: run 'llmflation build' first", prices_path.parent)
        return 1
    prices = pd.read_parquet(prices_path, columns=["model_key", "source_id", "observed_at"])
    prices = assign_model_ids(prices, release_catalog(settings.published_dir, settings.reference_dir))
    if args.summary:
        _print_report(format_summary(match_summary(prices)))
        return 0
    table = unmatched_table(prices).head(args.limit)
    for row in table.itertuples(index=False):
        sys.stdout.write(f"{row.n_price_rows:>7}  {row.source_id:<14} {row.name}  ({row.reason})\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The headline of the latest release: each level's price then and now, and its factor per year."""
    import pandas as pd

    from llmflation.analyze import headline_lines, newest_evidence

    release = args.settings.published_dir / "latest"
    if not (release / "cheapest_by_quality.parquet").exists():
        log.error("no published release with an analysis at %s: run 'llmflation build' first", release)
        return 1
    cheapest = pd.read_parquet(release / "cheapest_by_quality.parquet")
    rates = pd.read_parquet(release / "decline_rates.parquet")
    intervals = pd.read_parquet(release / "price_intervals.parquet", columns=["last_seen"])
    sys.stdout.write(f"llmflation release {release.resolve().name}\n")
    _print_report(headline_lines(cheapest, rates, newest_evidence(intervals)))
    return 0


def cmd_trend(args: argparse.Namespace) -> int:
    """The same analysis on the user's own CSV of observations."""
    from llmflation.analyze import TrendInputError, trend_from_csv, trend_text

    exclude = [m.strip() for m in args.exclude_models.split(",") if m.strip()] if args.exclude_models else None
    try:
        result = trend_from_csv(args.file, args.benchmark, args.threshold, method=args.method, blend=args.blend,
                                exclude=exclude, exclude_column=args.exclude_where)
    except TrendInputError as exc:
        log.error("%s", exc)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    else:
        _print_report(trend_text(result))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import pipelines  # noqa: F401
    from pipelines.serve import serve_nightly

    settings: Settings = args.settings
    parameters = {"sources": _source_ids(args.sources), "skip_history": args.skip_history}
    serve_nightly(settings, cron=args.cron or settings.schedule.cron, timezone=settings.schedule.timezone,
                  parameters=parameters)
    return 0  # stopped by SIGINT or SIGTERM, cleanly


#: Every command with every option: the epilog of ``llmflation --help``, and the README's "Command line"
#: block says the same (``tests/unit/test_cli_docs.py`` checks both against the parser below).
COMMANDS = """\
commands:
  llmflation [-v] COMMAND ...   -v/--verbose: debug logging
  llmflation run [--sources IDS] [--skip-history]   the nightly pipeline, once (Prefect flow)
  llmflation capture [--sources IDS]                fetch current source bytes into the raw store
  llmflation backfill [--sources IDS] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--step month]
                      [--strategy bisect|every_version] [--dry-run]
                                                    fetch sources' history from the Wayback Machine
  llmflation build [--no-publish] [--full]          parse what is new in the store, validate, publish (no network)
  llmflation sources [--json]                       the registry
  llmflation report                                 the headline of the latest release
  llmflation trend FILE.csv --benchmark COL --threshold X [--method frontier|monthly] [--blend 3:1]
                   [--exclude-models NAMES] [--exclude-where COLUMN] [--json]
                                                    the decline rate at a quality level, from your own CSV
  llmflation match NAME... [--at YYYY-MM-DD] [--json]  the catalog model each name maps to (on a date)
  llmflation unmatched [--summary] [--limit N]      names in the latest release matching no model
  llmflation serve [--cron EXPR] [--sources IDS] [--skip-history]
                                                    serve the nightly deployment on a schedule

IDS is a comma-separated list of source ids (llmflation sources lists them).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llmflation", description="The cheapest LLM price per quality level, measured nightly.",
                                     epilog=COMMANDS, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the nightly pipeline once")
    run.add_argument("--sources", help="comma-separated source ids to fetch (default: all)")
    run.add_argument("--skip-history", action="store_true", help="do not backfill from the Wayback Machine")
    run.set_defaults(func=cmd_run)

    capture = sub.add_parser("capture", help="fetch sources' current bytes into the raw store")
    capture.add_argument("--sources", help="comma-separated source ids (default: all)")
    capture.set_defaults(func=cmd_capture)

    backfill = sub.add_parser("backfill", help="fetch sources' history from the Wayback Machine into the raw store")
    backfill.add_argument("--sources", help="comma-separated source ids (default: all)")
    backfill.add_argument("--since", type=_date, help="earliest capture date, YYYY-MM-DD (default: each address's first "
                          "year, or the newest stored capture)")
    backfill.add_argument("--until", type=_date, help="latest capture date, YYYY-MM-DD (default: today)")
    backfill.add_argument("--step", type=_step, help="sample one capture per month (default: [wayback] sample_step), "
                          "week, day, N days ('3d') or every capture; a change reverted within one step is not seen")
    backfill.add_argument("--strategy", choices=["bisect", "every_version"],
                          help="bisect: sample, then bisect to each change (default: [wayback] strategy); "
                          "every_version: fetch every distinct digest")
    backfill.add_argument("--dry-run", action="store_true", help="list and print the plan; fetch nothing")
    backfill.set_defaults(func=cmd_backfill)

    build = sub.add_parser("build", help="parse the raw store, validate and publish (no network)")
    build.add_argument("--no-publish", action="store_true", help="build and validate only")
    build.add_argument("--full", action="store_true", help="rebuild the build state and raw index from the raw store "
                       "(the same tables as an incremental build)")
    build.set_defaults(func=cmd_build)

    sources = sub.add_parser("sources", help="print the source registry")
    sources.add_argument("--json", action="store_true")
    sources.set_defaults(func=cmd_sources)

    report = sub.add_parser("report", help="the headline of the latest release")
    report.set_defaults(func=cmd_report)

    trend = sub.add_parser("trend", help="decline rate of the cheapest price at a quality level, from your own CSV")
    trend.add_argument("file", help="CSV with model, date, usd_per_mtok (or input_/output_usd_per_mtok) and benchmark columns")
    trend.add_argument("--benchmark", required=True, help="the benchmark column to threshold on")
    trend.add_argument("--threshold", required=True, type=float, help="minimum score")
    trend.add_argument("--method", choices=["frontier", "monthly"], default="frontier",
                       help="frontier: new lowest prices (Epoch AI); monthly: cheapest each month (a16z)")
    trend.add_argument("--blend", default="3:1", help="input:output ratio when the CSV has separate prices (default 3:1)")
    trend.add_argument("--exclude-models", help="comma-separated model names to leave out (e.g. reasoning models)")
    trend.add_argument("--exclude-where", metavar="COLUMN", help="leave out rows whose true/false COLUMN is true")
    trend.add_argument("--json", action="store_true", help="print the result as JSON")
    trend.set_defaults(func=cmd_trend)

    match = sub.add_parser("match", help="show the catalog model each name maps to")
    match.add_argument("names", nargs="+", metavar="NAME")
    match.add_argument("--json", action="store_true", help="print an object from name to model_id or null")
    match.add_argument("--at", type=_date, help="the date the name was seen, for dated aliases (default: now)")
    match.set_defaults(func=cmd_match)

    unmatched = sub.add_parser("unmatched", help="names in the latest release that match no catalog model")
    unmatched.add_argument("--summary", action="store_true", help="share of distinct models matched, per source")
    unmatched.add_argument("--limit", type=int, default=50, help="rows to print (default 50)")
    unmatched.set_defaults(func=cmd_unmatched)

    serve = sub.add_parser("serve", help="serve the nightly deployment on its cron schedule")
    serve.add_argument("--cron", help="cron expression in the configured timezone (default: [schedule] cron)")
    serve.add_argument("--sources", help="comma-separated source ids each run fetches (default: all)")
    serve.add_argument("--skip-history", action="store_true", help="runs do not backfill from the Wayback Machine")
    serve.set_defaults(func=cmd_serve)
    return parser


#: Commands that analyse, and so need their quality levels checked against the scores at start-up.
ANALYSING_COMMANDS = frozenset({"run", "build", "serve"})


def check_startup(args: argparse.Namespace) -> Settings:
    """Every configuration error, before any request: the file in full, the levels against the data, the options."""
    settings = load_settings()
    if args.command in ANALYSING_COMMANDS:
        from llmflation.preflight import check_analysis_levels

        check_analysis_levels(settings)
    if getattr(args, "cron", None) is not None:
        try:
            check_cron(args.cron)
        except ValueError as exc:
            raise ConfigError(f"--cron: {exc}") from None
    if getattr(args, "sources", None):
        _source_ids(args.sources)
    return settings


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    """SIGTERM (a scheduler's stop) unwinds the command like Ctrl-C does: the run lock is released,
    a crawl in progress is killed with it, and nothing half-written is published."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore"):  # Prefect's client logs every API call at INFO
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        args.settings = check_startup(args)
        return int(args.func(args))
    except (ConfigError, UnknownSourceError) as exc:
        log.error("%s", exc.args[0] if exc.args else exc)
        return 2
    except LockHeld as exc:
        log.error("%s", exc)
        return 3
    except TargetError as exc:  # the local release is published; the copy to [publish] target is not
        log.error("%s", exc)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
