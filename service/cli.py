"""`wageguard`: the command line (data contract §0)."""

import sys
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from monitors.reference import ReferenceDataError, load_reference
from service import clock
from service.config import get_settings

app = typer.Typer(help="WageGuard (薪盾): wage-guarantee monitoring.", no_args_is_help=True)
err = Console(stderr=True)


def _ready_engine():
    """The engine, with reference data validated and the schema up to date."""
    import service.models  # noqa: F401  every table mapped, so foreign keys resolve
    from service.db import get_engine, session_scope
    from service.migrate import upgrade
    from service.reference_sync import sync_reference

    settings = get_settings()
    try:
        reference = load_reference(settings.data_dir)
    except ReferenceDataError as error:
        err.print(f"[red]Reference data error:[/red] {error}")
        raise typer.Exit(2) from error
    engine = get_engine(settings)
    upgrade(engine)
    with session_scope(engine) as session:
        sync_reference(session, reference)
    _spare_the_collector()
    return engine, reference


def _spare_the_collector() -> None:
    """Move what start-up made (the modules, the reference data: some 200,000 objects that
    live as long as the process) out of the garbage collector's way, so that its collections
    during a command look only at what the command makes: 0.5 s of a whole-city run."""
    import gc

    gc.collect()
    gc.freeze()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (idempotent)."""
    _ready_engine()
    typer.echo("schema is up to date")


@app.command("import")
def import_folder(
    folder: Annotated[Path, typer.Argument(help="folder of contract files (CSV or XLSX)")],
) -> None:
    """Import a folder of contract files: all or nothing."""
    from service.imports.console import print_report, terminal_progress
    from service.imports.service import run_import

    engine, reference = _ready_engine()
    with terminal_progress(err) as progress:
        report = run_import(engine, folder, reference, progress)
    print_report(report, Console(), err)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def demo(
    scale: Annotated[int, typer.Option(min=1, help="multiply the data set for benchmarks")] = 1,
    seed: Annotated[int, typer.Option(help="random seed: same seed, same data")] = 2026,
    as_of: Annotated[str, typer.Option(help="the demo's day, YYYY-MM-DD")] = "2026-11-30",
    out: Annotated[Path | None, typer.Option(help="where to write the files")] = None,
) -> None:
    """Generate the Wenzhou demo data set as contract files and import it."""
    from service.demo import generate_demo
    from service.imports.console import print_report, terminal_progress
    from service.imports.service import run_import

    engine, reference = _ready_engine()
    out = out or get_settings().var_dir / "demo"
    manifest = generate_demo(
        out, seed=seed, scale=scale, as_of=_parse_day(as_of), reference=reference
    )
    typer.echo(f"demo files written to {manifest.out_dir}")
    with terminal_progress(err) as progress:
        report = run_import(engine, out, reference, progress)
    print_report(report, Console(), err)
    if not report.ok:
        raise typer.Exit(1)
    _file_demo_complaints(engine, reference, seed=seed, scale=scale, as_of=_parse_day(as_of))
    _print_demo_users(engine)


@app.command("demo-casework")
def demo_casework(
    as_of: Annotated[str, typer.Option(help="the demo's day, YYYY-MM-DD")] = "2026-11-30",
) -> None:
    """After the demo's monitors runs: the inspectors' past handling of the older alerts."""
    from service.db import session_scope
    from service.demo.casework import handle_demo_alerts

    engine, _ = _ready_engine()
    with session_scope(engine) as session:
        handled = handle_demo_alerts(session, as_of=_parse_day(as_of))
    typer.echo(f"{handled} demo alerts acknowledged on their handling days")


def _file_demo_complaints(engine, reference, *, seed: int, scale: int, as_of) -> None:
    from service.db import session_scope
    from service.demo.complaints import create_demo_complaints

    with session_scope(engine) as session:
        filed = create_demo_complaints(
            session, reference=reference, as_of=as_of, seed=seed, scale=scale
        )
    if filed:
        typer.echo(f"{filed} demo complaints filed")


def _print_demo_users(engine) -> None:
    from service.db import session_scope
    from service.demo.users import create_demo_users

    with session_scope(engine) as session:
        users = create_demo_users(session)
    typer.echo("\ndemo users (username / password — role — scope):")
    for demo, scope in users:
        typer.echo(f"  {demo.username:<20} {demo.password:<22} {demo.role:<10} {scope}")


users_app = typer.Typer(help="Users and their jurisdictions.")
monitors_app = typer.Typer(help="The monitors: evaluate every rule and update the alerts.")
alerts_app = typer.Typer(help="Alerts raised by the monitors.")
app.add_typer(monitors_app, name="monitors")
app.add_typer(alerts_app, name="alerts")
app.add_typer(users_app, name="users")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        str,
        typer.Option(
            help="admin, inspector, supervisor (read-only), employer, mediator or legal_aid"
        ),
    ],
    display_name: Annotated[str, typer.Option("--name", help="name shown in the app")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="inspector, supervisor or legal_aid jurisdiction: county code, or county/town "
            "(repeatable)"
        ),
    ] = None,
    employer: Annotated[str | None, typer.Option(help="employer's USCC (employer users)")] = None,
    committee: Annotated[str | None, typer.Option(help="committee code (mediators)")] = None,
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user and assign their jurisdiction. The password is asked for (hidden, twice),
    or read from WAGEGUARD_NEW_PASSWORD: never from the command line, which shell history
    and process lists keep."""
    from sqlalchemy import select

    from service.auth.service import create_user
    from service.committees.models import MediationCommittee
    from service.db import session_scope
    from service.employers.models import Employer
    from service.errors import Invalid

    password = _new_password()
    engine, _ = _ready_engine()
    try:
        with session_scope(engine) as session:
            employer_id = committee_id = None
            if employer:
                found = session.scalar(select(Employer).where(Employer.uscc == employer))
                if found is None:
                    raise Invalid({"employer": f"no employer with USCC {employer}"})
                employer_id = found.id
            if committee:
                found = session.scalar(
                    select(MediationCommittee).where(MediationCommittee.code == committee)
                )
                if found is None:
                    raise Invalid({"committee": f"no committee with code {committee}"})
                committee_id = found.id
            create_user(
                session=session,
                actor=None,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                email=email,
                employer_id=employer_id,
                committee_id=committee_id,
                scopes=list(scope or []),
            )
    except Invalid as error:
        err.print(f"cannot create the user: {error.detail}")
        raise typer.Exit(1) from error
    typer.echo(f"user {username} ({role}) created")


NEW_PASSWORD_VARIABLE = "WAGEGUARD_NEW_PASSWORD"


def _new_password() -> str:
    import os

    if password := os.environ.get(NEW_PASSWORD_VARIABLE):
        return password
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@monitors_app.command("run")
def monitors_run(
    as_of: Annotated[
        str | None,
        typer.Option(help="evaluate as of this day, YYYY-MM-DD (default: today in Wenzhou)"),
    ] = None,
    months_before: Annotated[
        int,
        typer.Option(
            min=0,
            max=24,
            help="first run as of the last day of each of this many months before, as a "
            "daily schedule would have (the demo's history); days not after the latest run "
            "are skipped",
        ),
    ] = 0,
    employer: Annotated[
        str | None, typer.Option(help="only this employer (its USCC): its alerts, now")
    ] = None,
    county: Annotated[
        list[str] | None,
        typer.Option(
            help="only this county's employers (its code), as a shard of its own; repeat for "
            "more counties"
        ),
    ] = None,
    shards: Annotated[
        bool, typer.Option("--shards", help="every county's employers, a shard per county")
    ] = False,
    processes: Annotated[
        int,
        typer.Option(min=1, max=64, help="shards run side by side, a process each"),
    ] = 1,
    everyone: Annotated[
        bool,
        typer.Option(
            "--everyone",
            help="evaluate every employer on data read afresh from the database, even if the "
            "latest run's findings or kept frames could be reused or only some employers' data "
            "changed since it",
        ),
    ] = False,
) -> None:
    """Evaluate every rule as of a day and update the alerts. On the day of the latest run,
    only the employers whose data changed since (and their project partners) are evaluated."""
    from sqlalchemy import text

    from service.flows.monitor_runs import check_employer, run_monitors
    from service.monitoring.lock import RunInProgress

    day = _parse_day(as_of) if as_of else clock.today()
    engine, reference = _ready_engine()
    with engine.connect() as conn:
        latest = conn.execute(
            text("SELECT MAX(as_of) FROM monitor_run WHERE status = 'succeeded'")
        ).scalar()
    latest_day = _parse_day(str(latest)[:10]) if latest else None
    days = [d for d in _month_ends_before(day, months_before) if not latest_day or d > latest_day]
    try:
        if employer is not None:
            employer_id = _employer_id(engine, employer)
            summary = check_employer(
                engine, reference, employer_id=employer_id, as_of=day, trigger="cli"
            )
            typer.echo(summary.line())
            return
        if county or shards:
            _run_shards(engine, county or [], [*days, day], processes)
            return
        for one in [*days, day]:
            summary = run_monitors(engine, reference, as_of=one, trigger="cli", reuse=not everyone)
            typer.echo(summary.line())
    except RunInProgress as error:
        err.print(str(error))
        raise typer.Exit(3) from error


def _run_shards(engine, counties: list[str], days: list[date], processes: int) -> None:
    """Each county's shard (every county's when none is named) for each day; exit status 3
    if a shard could not run because another run held its lock."""
    from service.flows.monitor_shards import every_county, run_county_shards, unknown_counties

    if unknown := unknown_counties(engine, counties):
        err.print(f"no county with code {', '.join(unknown)}")
        raise typer.Exit(2)
    counties = counties or every_county(engine)
    blocked = False
    for day in days:
        for result in run_county_shards(engine, counties, as_of=day, processes=processes):
            peak = f"peak memory of its process {result.peak_rss_mb:.0f} MB"
            typer.echo(f"county {result.county}: {result.line} ({peak})")
            blocked |= not result.ran
    if blocked:
        raise typer.Exit(3)


def _month_ends_before(day: date, months: int) -> list[date]:
    """The last days of the `months` months before `day`'s month, oldest first."""
    ends = []
    end = day.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return ends[::-1]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@alerts_app.command("export")
def alerts_export(
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.jsonl,
) -> None:
    """Print the open alerts to standard output (JSON lines or CSV)."""
    from service.alerts.export import open_alerts, write_csv, write_jsonl

    engine, reference = _ready_engine()
    frame = open_alerts(engine, reference)
    (write_csv if format is ExportFormat.csv else write_jsonl)(frame, sys.stdout)


def _employer_id(engine, uscc: str) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT id FROM employer WHERE uscc = :uscc"), {"uscc": uscc.strip().upper()}
        ).scalar()
    if found is None:
        err.print(f"no employer with USCC {uscc}")
        raise typer.Exit(2)
    return int(found)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not a date written YYYY-MM-DD") from error


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="processes serving requests (each with its own threads)")
    ] = 1,
) -> None:
    """Serve the web app and API."""
    import os

    import uvicorn

    from service.serving_port import message, port_state

    if (state := port_state(host, port)) != "free":
        typer.echo(message(state, host, port), err=True)
        raise typer.Exit(0 if state == "wageguard" else 1)
    _ready_engine()
    # The served app runs the monitors daily unless WAGEGUARD_SCHEDULER_ENABLED=false; with
    # several workers each schedules the run, and the run's lock lets only one go ahead.
    # Workers are separate processes: they read their settings from the environment.
    os.environ["WAGEGUARD_SCHEDULER_ENABLED"] = str(_scheduler_wanted()).lower()
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from any local peer as
    # the client's address, and a fresh header would reset every limit. The app believes
    # it only from the proxies listed in WAGEGUARD_TRUSTED_PROXIES (service/client_address.py).
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
    )


@app.command("port-check")
def port_check(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Exit 0 when the port is free, 3 when WageGuard already serves it, 1 when another
    program holds it (what `make run` asks before loading the demo)."""
    from service.serving_port import message, port_state

    state = port_state(host, port)
    if state != "free":
        typer.echo(message(state, host, port), err=True)
        raise typer.Exit(3 if state == "wageguard" else 1)


def _scheduler_wanted() -> bool:
    import os

    return os.environ.get("WAGEGUARD_SCHEDULER_ENABLED", "true").lower() != "false"


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    finally:
        _leave_quickly()


def _leave_quickly() -> None:
    """Close the database connections (SQLite folds its write-ahead log back on close), then
    spare the interpreter's last garbage collections at exit: after a whole-city run they
    walked every object left for 0.7 s, to free memory the process was handing back anyway."""
    import gc

    from service.db import release_engines

    release_engines()
    gc.freeze()
