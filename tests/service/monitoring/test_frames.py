"""Frames read from the database (monitoring/frames.py): SQLite through its cursor a chunk at a
time, PostgreSQL through COPY parsed a block at a time as it arrives — the stored values and
the declared types either way, however the text is made and wherever a block ends."""

import os
import subprocess
import sys
import tracemalloc
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from monitors.base import SNAPSHOT_COLUMNS, concat_frames, typed_frame
from service.db import make_engine
from service.monitoring import frames
from service.monitoring.frames import load_snapshot

# A CSV field's worst case: a comma, quotes and a line break inside it.
AWKWARD = '温州"东方", 有限公司\n第二行'
EMPLOYERS = 300


def _employer(n: int) -> dict[str, object]:
    return {
        "uscc": f"91330300MA{n:08d}",
        "name": f"{AWKWARD} {n}",
        "county_code": "330302",
        # NULL and the empty text are told apart, as SQLite's rows tell them apart.
        "town": None if n % 2 else "",
        "liaison_name": "王五" if n % 3 == 0 else None,
        "leased_premises": n % 5 == 0,
    }


def test_every_value_is_read_as_stored_across_many_blocks(engine, reference, monkeypatch):
    monkeypatch.setattr(frames, "COPY_BLOCK_BYTES", 4096)  # a few rows a block on PostgreSQL
    rows = [_employer(n) for n in range(EMPLOYERS)]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO employer (uscc, name, industry_code, county_code, town, "
                "liaison_name, leased_premises, dishonesty_listed, real_name_management, "
                "dedicated_wage_account) VALUES (:uscc, :name, '0610', :county_code, :town, "
                ":liaison_name, :leased_premises, false, false, false)"
            ),
            rows,
        )
    read = load_snapshot(engine, reference, date(2026, 11, 30), ("employers",)).frames
    employers = read["employers"].sort_values("uscc").reset_index(drop=True)

    assert len(employers) == EMPLOYERS
    assert employers["name"].tolist() == [row["name"] for row in rows]
    assert (employers["industry_code"] == "0610").all()  # a code stays text
    assert employers["town"].isna().tolist() == [row["town"] is None for row in rows]
    assert (employers["town"].dropna() == "").all()
    liaisons = [row["liaison_name"] for row in rows]
    assert employers["liaison_name"].isna().tolist() == [name is None for name in liaisons]
    assert employers["leased_premises"].tolist() == [row["leased_premises"] for row in rows]
    declared = typed_frame("employers", pd.DataFrame(columns=list(SNAPSHOT_COLUMNS["employers"])))
    assert dict(employers.dtypes) == dict(declared.dtypes)


def test_payroll_periods_read_in_many_blocks_are_one_category(engine, reference, monkeypatch):
    monkeypatch.setattr(frames, "COPY_BLOCK_BYTES", 4096)  # PostgreSQL: a few rows a block
    monkeypatch.setattr(frames, "CHUNK_ROWS", 7)  # SQLite: a few rows a chunk
    months = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO employer (uscc, name, industry_code, county_code, leased_premises, "
                "dishonesty_listed, real_name_management, dedicated_wage_account) VALUES "
                "('91330300MA00000001', '甲', '0610', '330302', false, false, false, false)"
            )
        )
        conn.execute(
            text("INSERT INTO worker (id_number, name) VALUES (:id_number, '工人')"),
            [{"id_number": f"33030219900101{n:04d}"} for n in range(30)],
        )
        conn.execute(
            text(
                "INSERT INTO payroll_entry (employer_id, worker_id, period, amount_due_fen, "
                "amount_paid_fen) SELECT e.id, w.id, :period, 100, 100 FROM employer e, worker w"
            ),
            [{"period": month} for month in reversed(months)],
        )
    payroll = load_snapshot(engine, reference, date(2026, 11, 30), ("payroll",)).payroll

    assert len(payroll) == 30 * len(months)
    assert isinstance(payroll["period"].dtype, pd.CategoricalDtype)
    assert payroll["period"].cat.categories.tolist() == months  # every block's, in order
    assert sorted(payroll["period"].astype(str).unique()) == months


def test_payroll_ids_are_held_in_int32_and_larger_ones_stop_the_run():
    rows = pd.DataFrame(
        {
            "employer_id": [1, 2**31 - 1],
            "worker_id": [7, 8],
            "period": ["2026-10", "2026-11"],
            "amount_due_fen": [500_000, 600_000],
            "amount_paid_fen": [500_000, 0],
        }
    )
    payroll = typed_frame("payroll", rows)
    assert str(payroll["employer_id"].dtype) == str(payroll["worker_id"].dtype) == "int32"
    assert payroll["employer_id"].tolist() == [1, 2**31 - 1]
    # Its amounts are never missing: int64 without a mask, which the rules read without a copy.
    assert str(payroll["amount_due_fen"].dtype) == str(payroll["amount_paid_fen"].dtype) == "int64"
    too_large = rows.assign(worker_id=[7, 2**31])
    with pytest.raises(ValueError, match=r"payroll\.worker_id: ids beyond the int32"):
        typed_frame("payroll", too_large)


def test_the_service_takes_arrows_memory_from_the_c_library_unless_told_otherwise():
    ask = "import service, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    chosen = subprocess.run([sys.executable, "-c", ask], env=env, capture_output=True, text=True)
    assert chosen.stdout.strip() == "system", chosen.stderr
    env["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"  # an operator's choice is kept
    chosen = subprocess.run([sys.executable, "-c", ask], env=env, capture_output=True, text=True)
    assert chosen.stdout.strip() == "jemalloc", chosen.stderr


def test_parts_are_joined_a_column_at_a_time_into_the_same_frame():
    """Joined as pandas would join them (categories made the same first), holding at most the
    parts and one joined column at once, not the parts and the whole."""
    rows = 50_000

    def part(month: str) -> pd.DataFrame:
        return typed_frame(
            "payroll",
            pd.DataFrame(
                {
                    "employer_id": range(rows),
                    "worker_id": range(rows),
                    "period": month,
                    "amount_due_fen": range(rows),
                    "amount_paid_fen": range(rows),
                    "paid_date": "2026-11-05",
                    "hours_worked": 1.5,
                }
            ),
        )

    months = ("2026-09", "2026-11", "2026-10")
    expected = pd.concat(
        [part(month).astype({"period": str}) for month in months], ignore_index=True
    ).astype({"period": "category"})
    tracemalloc.start()
    parts = [part(month) for month in months]
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    joined = concat_frames("payroll", parts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert parts == []  # let go
    pd.testing.assert_frame_equal(joined, expected)
    assert joined["period"].cat.categories.tolist() == ["2026-09", "2026-10", "2026-11"]
    largest_column = rows * len(months) * 8  # an int64 column of the three parts
    # Joining the whole frame at once held the parts and the whole: twice `held`.
    assert peak < held + 1.5 * largest_column, (peak, held)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL's is the server's
def test_frames_are_read_through_a_small_page_cache_and_the_imports_cache_comes_back(db_url):
    """A read of every frame passes over each page once: SQLite's large page cache (kept for
    imports) would only hold them, on top of the frames (256 MB at L)."""
    engine = make_engine(db_url, pool_size=1)

    def cache_size(conn) -> int:
        return conn.exec_driver_sql("PRAGMA cache_size").scalar_one()

    with engine.connect() as conn:
        imports_cache = cache_size(conn)
    with frames.snapshot_connection(engine) as conn:
        assert cache_size(conn) == -frames.READ_CACHE_KIB  # negative: KiB
        assert -imports_cache > frames.READ_CACHE_KIB  # the imports' cache is the larger
    with engine.connect() as conn:  # the same pooled connection, as the next import gets it
        assert cache_size(conn) == imports_cache
