"""Frames kept between whole-city runs (monitoring/kept_frames.py): a run reads them only as
of the data they were read at, brings them up to date from the rows the changes since reach,
and otherwise reads the database — its findings are always those of a fresh read."""

import json
import random
from datetime import timedelta

import numpy
import pandas as pd
import pyarrow.parquet
import pytest
from sqlalchemy import text

from monitors.base import SNAPSHOT_COLUMNS
from service import data_version
from service.flows.monitor_runs import run_monitors
from service.monitoring import kept_frames
from service.monitoring.frames import load_snapshot, typed_rows
from service.monitoring.kept_frames import MANIFEST, folder_for, load_kept_snapshot
from tests.conftest import Seed
from tests.factories import build_demo_city
from tests.service.monitoring.test_incremental import (
    AS_OF,
    assert_evaluating_everyone_changes_nothing,
    changed_files,
    data_changes,
    demo_city,
    file_a_complaint,
    import_changes,
    read,
)

pytestmark = pytest.mark.usefixtures("database_seed")
NAMES = tuple(SNAPSHOT_COLUMNS)
LARGE = ("employers", "workers", "projects", "contracts", "payroll", "deposit_events", "insurance")


@pytest.fixture(scope="module")
def database_seed() -> Seed:
    return Seed("demo-city-run", build_demo_city)


def kept(engine, reference, days: int = 0, fresh: bool = False):
    return load_kept_snapshot(engine, reference, AS_OF + timedelta(days), NAMES, fresh=fresh)


def assert_as_in_the_database(engine, reference, frames: dict[str, pd.DataFrame]) -> None:
    """Every frame holds the database's rows, with the declared types (in any order)."""
    fresh = load_snapshot(engine, reference, AS_OF, NAMES).frames
    for name in NAMES:
        ours, theirs = (_sorted(frames[name]), _sorted(fresh[name]))
        pd.testing.assert_frame_equal(ours, theirs, obj=name)
        assert dict(frames[name].dtypes) == dict(fresh[name].dtypes), name


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def test_a_second_run_reads_the_frames_the_first_kept(engine, reference):
    first = kept(engine, reference)
    assert set(first.sources.values()) == {"read"}  # nothing kept yet for this database
    second = kept(engine, reference, days=1)
    assert set(second.sources.values()) == {"kept"}
    assert_as_in_the_database(engine, reference, second.snapshot.frames)
    # The folder is its owner's alone: it holds identity numbers, as the database does; and so
    # is every file in it, the manifest included.
    assert folder_for(engine).stat().st_mode & 0o077 == 0
    files = list(folder_for(engine).iterdir())
    assert "manifest.json" in {path.name for path in files}
    assert [path.name for path in files if path.stat().st_mode & 0o077] == []


def test_frames_written_a_row_group_at_a_time_read_back_as_the_database_holds_them(
    engine, reference, monkeypatch
):
    """A frame is written a slice at a time (L's payroll in eight); every frame comes back as
    the database holds it."""
    monkeypatch.setattr(kept_frames, "ROW_GROUP_ROWS", 97)
    kept(engine, reference)
    second = kept(engine, reference, days=1)
    assert set(second.sources.values()) == {"kept"}
    assert_as_in_the_database(engine, reference, second.snapshot.frames)
    payroll = pyarrow.parquet.ParquetFile(next(folder_for(engine).glob("payroll-*.parquet")))
    assert payroll.metadata.num_row_groups > 1
    # Dates are kept as counts of seconds: read back as the declared seconds without a copy.
    assert str(payroll.schema_arrow.field("paid_date").type) == "int64"


def test_frames_kept_in_another_layout_are_read_again(engine, reference, monkeypatch):
    """Files kept by code that laid their columns out otherwise (dates as milliseconds, say)
    are never read as if they were in this code's layout."""
    kept(engine, reference)
    monkeypatch.setattr(kept_frames, "KEPT_FORMAT", "earlier")
    assert set(kept(engine, reference, days=1).sources.values()) == {"read"}


def test_changes_are_read_again_and_the_rest_is_kept(engine, tmp_path, reference):
    demo = demo_city()
    rng = random.Random(29)
    kept(engine, reference)
    for round_ in range(2):  # the second round builds on frames the first brought up to date
        import_changes(engine, tmp_path / f"changes-{round_}", changed_files(demo, rng), reference)
        file_a_complaint(engine, reference, rng)
        later = kept(engine, reference, days=round_ + 1)
        assert {later.sources[name] for name in LARGE} == {"refreshed"}
        assert later.sources["complaints"] == "read"
        assert_as_in_the_database(engine, reference, later.snapshot.frames)


def spread_payroll_change(demo, rng: random.Random, rows: int) -> pd.DataFrame:
    """`rows` payroll rows anywhere in the city, half paid: a change over many employers."""
    changed = read(demo, "payroll").sample(n=rows, random_state=rng.randrange(99))
    return changed.assign(amount_paid="100.00")


def payroll_rows_read(monkeypatch) -> list[int]:
    """How many payroll rows each of kept_frames' partial reads gave."""
    counts: list[int] = []

    def counted(conn, name, query, params):
        rows = typed_rows(conn, name, query, params)
        if name == "payroll":
            counts.append(len(rows))
        return rows

    monkeypatch.setattr(kept_frames, "typed_rows", counted)
    return counts


def test_payroll_changed_over_many_employers_is_read_again_row_by_row(
    engine, tmp_path, reference, monkeypatch
):
    """Rows changed anywhere reach more employers than a change names (MOST_IDS, 20,000: at L
    1 % of the payroll reaches most employers): the change names its payroll rows one by one,
    and the kept payroll is brought up to date by reading those rows, not all their employers'
    rows nor the whole table; the whole run that follows finds what evaluating everyone does."""
    monkeypatch.setattr(data_version, "MOST_IDS", 5)
    demo = demo_city()
    later = AS_OF + timedelta(days=1)
    run_monitors(engine, reference, as_of=later)  # keeps this database's frames
    payroll = spread_payroll_change(demo, random.Random(7), rows=40)
    assert payroll["employer_uscc"].nunique() > data_version.MOST_IDS
    import_changes(engine, tmp_path / "spread", {"payroll": payroll}, reference)
    marks = data_changes(engine)
    assert len(marks) == 40 and {(project, period is None) for _, project, _, period in marks} == {
        (None, False)
    }
    counts = payroll_rows_read(monkeypatch)
    again = kept(engine, reference, days=2)
    assert again.sources["payroll"] == "refreshed" and counts == [40]
    assert_as_in_the_database(engine, reference, again.snapshot.frames)
    assert run_monitors(engine, reference, as_of=later).evaluated is None  # a whole run
    assert_evaluating_everyone_changes_nothing(engine, reference, later)


def test_payroll_rows_of_a_month_the_kept_frame_does_not_hold_are_added(
    engine, tmp_path, reference
):
    """A filed month new to the kept payroll (a category it has no code for) is named, read and
    added like any other row."""
    demo = demo_city()
    kept(engine, reference)
    rows = spread_payroll_change(demo, random.Random(9), rows=12)
    assert "2025-01" not in set(read(demo, "payroll")["period"])
    import_changes(
        engine, tmp_path / "new-month", {"payroll": rows.assign(period="2025-01")}, reference
    )
    again = kept(engine, reference, days=1)
    assert again.sources["payroll"] == "refreshed"
    assert (again.snapshot.frames["payroll"]["period"] == "2025-01").sum() == 12
    assert_as_in_the_database(engine, reference, again.snapshot.frames)


def test_payroll_rows_beyond_a_bound_are_named_by_their_employers(
    engine, tmp_path, reference, monkeypatch
):
    """A change of very many payroll rows (a month's file for the city) names their employers,
    not each row: the marks stay bounded; the kept payroll is read again by employer."""
    monkeypatch.setattr(data_version, "MOST_PAYROLL_ROWS", 30)
    demo = demo_city()
    kept(engine, reference)
    payroll = spread_payroll_change(demo, random.Random(8), rows=40)
    import_changes(engine, tmp_path / "many", {"payroll": payroll}, reference)
    employers = payroll["employer_uscc"].nunique()
    marks = data_changes(engine)
    assert len(marks) == employers and {mark[1:] for mark in marks} == {(None, None, None)}
    again = kept(engine, reference, days=1)
    assert again.sources["payroll"] == "refreshed"
    assert_as_in_the_database(engine, reference, again.snapshot.frames)


def test_a_whole_run_on_kept_frames_gives_what_a_fresh_read_gives(engine, tmp_path, reference):
    demo = demo_city()
    later = AS_OF + timedelta(days=40)
    run_monitors(engine, reference, as_of=later)  # keeps this database's frames
    import_changes(engine, tmp_path / "changes", changed_files(demo, random.Random(3)), reference)
    even_later = later + timedelta(days=5)
    assert run_monitors(engine, reference, as_of=even_later).evaluated is None
    assert_evaluating_everyone_changes_nothing(engine, reference, even_later)


def test_another_history_at_the_same_version_is_never_taken_for_this_one(engine, reference):
    kept(engine, reference)
    with engine.begin() as conn:  # as if another database (a copy) had reached this version
        conn.execute(text("UPDATE data_stamp SET stamp = 'a-copy-changed-otherwise'"))
    assert set(kept(engine, reference, days=1).sources.values()) == {"read"}


def test_changes_that_cannot_be_told_apart_are_read_whole(engine, tmp_path, reference):
    demo = demo_city()
    kept(engine, reference)
    committees = read(demo, "mediation_committees").head(1).assign(contact_email="new@example.org")
    import_changes(engine, tmp_path / "committee", {"mediation_committees": committees}, reference)
    assert set(kept(engine, reference, days=1).sources.values()) == {"read"}


def test_evaluating_everyone_reads_the_database_and_keeps_it(engine, reference):
    kept(engine, reference)
    assert set(kept(engine, reference, fresh=True).sources.values()) == {"read"}
    assert set(kept(engine, reference, days=1).sources.values()) == {"kept"}


def test_a_damaged_kept_file_or_manifest_is_read_again(engine, reference):
    kept(engine, reference)
    folder = folder_for(engine)
    payroll = next(folder.glob("payroll-*.parquet"))
    payroll.write_bytes(b"not parquet")
    again = kept(engine, reference, days=1)
    assert again.sources["payroll"] == "read" and again.sources["contracts"] == "kept"
    assert_as_in_the_database(engine, reference, again.snapshot.frames)
    (folder / MANIFEST).write_text("{", encoding="utf-8")
    assert set(kept(engine, reference, days=2).sources.values()) == {"read"}


def test_a_migration_makes_kept_frames_stale(engine, reference):
    kept(engine, reference)
    with engine.begin() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = 'next'"))
    try:
        assert set(kept(engine, reference, days=1).sources.values()) == {"read"}
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_folder_that_cannot_be_written_does_not_stop_the_run(engine, reference):
    folder = folder_for(engine)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be", encoding="utf-8")
    try:
        again = kept(engine, reference)
        assert set(again.sources.values()) == {"read"}
        assert_as_in_the_database(engine, reference, again.snapshot.frames)
        assert run_monitors(engine, reference, as_of=AS_OF + timedelta(days=1)).findings > 0
    finally:
        folder.unlink()


def test_the_next_days_run_after_runs_as_they_come_reads_only_what_changed(
    engine, tmp_path, reference, monkeypatch
):
    """A day's filings are evaluated as they come (runs of the employers they reach); the next
    day's whole run still finds every change since the frames were kept, and reads only the
    rows they reach, not the whole database (as it did when a run as it came forgot them)."""
    demo = demo_city()
    later = AS_OF + timedelta(days=1)
    run_monitors(engine, reference, as_of=later)  # a whole run: keeps the frames
    payroll = read(demo, "payroll")
    refiled = {}
    for employer in sorted(set(payroll["employer_uscc"]))[:2]:
        refiled[employer] = payroll[payroll["employer_uscc"] == employer].assign(amount_paid="0")
        import_changes(engine, tmp_path / employer, {"payroll": refiled[employer]}, reference)
        assert run_monitors(engine, reference, as_of=later).evaluated is not None  # as it comes
    counts = payroll_rows_read(monkeypatch)
    next_day = kept(engine, reference, days=2)
    assert next_day.sources["payroll"] == "refreshed"
    assert counts == [sum(len(rows) for rows in refiled.values())]
    assert_as_in_the_database(engine, reference, next_day.snapshot.frames)
    assert run_monitors(engine, reference, as_of=later + timedelta(days=1)).evaluated is None
    assert data_changes(engine) == []  # the whole run forgets what it saw
    assert_evaluating_everyone_changes_nothing(engine, reference, later + timedelta(days=1))


def manifest(engine) -> dict[str, dict]:
    return json.loads((folder_for(engine) / MANIFEST).read_text(encoding="utf-8"))


def test_a_few_changed_rows_are_kept_beside_the_file_instead_of_writing_it_again(
    engine, tmp_path, reference, monkeypatch
):
    """A frame brought up to date keeps its file: beside it, the positions of the file's rows
    no longer current and the rows read again. Later runs read the three as the database
    holds them, as kept or brought up to date again on top of them, until the changes pass
    their share of the file: then the frame is written whole again."""
    monkeypatch.setattr(kept_frames, "CHANGED_SHARE_KEPT_APART", 0.5)
    demo = demo_city()
    rng = random.Random(41)
    kept(engine, reference)
    written = manifest(engine)["payroll"]
    assert written["dropped"] is None and written["added"] is None
    for round_, days in enumerate((1, 2)):  # the second builds on the changes the first kept
        rows = spread_payroll_change(demo, rng, rows=15)
        import_changes(engine, tmp_path / f"round-{round_}", {"payroll": rows}, reference)
        again = kept(engine, reference, days=days)
        assert again.sources["payroll"] == "refreshed"
        assert_as_in_the_database(engine, reference, again.snapshot.frames)
        entry = manifest(engine)["payroll"]
        assert entry["file"] == written["file"], "the payroll's file was written again"
        files = {path.name for path in folder_for(engine).iterdir()}
        assert {entry["dropped"], entry["added"]} <= files
        assert len(numpy.load(folder_for(engine) / entry["dropped"])) >= 15
        assert pyarrow.parquet.ParquetFile(folder_for(engine) / entry["added"]).metadata.num_rows
    as_kept = kept(engine, reference, days=3)
    assert as_kept.sources["payroll"] == "kept"
    assert_as_in_the_database(engine, reference, as_kept.snapshot.frames)
    # Past their share the changes go into the file, written whole, and nothing lies beside it.
    monkeypatch.setattr(kept_frames, "CHANGED_SHARE_KEPT_APART", 0.0001)
    rows = spread_payroll_change(demo, rng, rows=15)
    import_changes(engine, tmp_path / "past-the-share", {"payroll": rows}, reference)
    whole = kept(engine, reference, days=4)
    assert_as_in_the_database(engine, reference, whole.snapshot.frames)
    entry = manifest(engine)["payroll"]
    assert entry["file"] != written["file"] and entry["dropped"] is None
    assert written["file"] not in {path.name for path in folder_for(engine).iterdir()}


def test_changes_kept_beside_a_file_that_no_longer_fit_it_are_not_used(
    engine, tmp_path, reference, monkeypatch
):
    """Dropped rows past the end of the file they are kept beside (the file replaced by hand,
    say) make the frame be read from the database again."""
    monkeypatch.setattr(kept_frames, "CHANGED_SHARE_KEPT_APART", 0.5)
    demo = demo_city()
    kept(engine, reference)
    rows = spread_payroll_change(demo, random.Random(43), rows=10)
    import_changes(engine, tmp_path / "changes", {"payroll": rows}, reference)
    kept(engine, reference, days=1)
    entry = manifest(engine)["payroll"]
    numpy.save(folder_for(engine) / entry["dropped"], numpy.array([10**9]), allow_pickle=False)
    again = kept(engine, reference, days=2)
    assert again.sources["payroll"] == "read"
    assert_as_in_the_database(engine, reference, again.snapshot.frames)
