"""The demo city: a year of wages, contracts and deposits in Wenzhou, written as data-contract
import files.

`generate_demo(out_dir)` writes a realistic Wenzhou data set in which everything is lawful
except a handful of planted violations per rule, each on its own employer and far from any
boundary. The city, in the order it is drawn:

- places.py       the counties of Wenzhou, their towns, and where the migrant workers come from
- employers.py    shoe and garment factories, restaurants on leased premises, construction
                  contractors and a few other trades, each with its pay day
- violations.py   which employers break which rule, and how (the list is in its docstring)
- projects.py     the contractors' building projects, running and completed
- contracts.py    one worker and one employment contract per head (people.py: who they are)
- payroll.py      twelve reported months of wages, paid in full on or before the due date
- deposits.py, insurance.py, institutions.py   wage deposits, work-injury cover, mediation
                  committees, migrant-worker service offices and county coordinators
- files.py        the files of the data contract; `expected/expected_alerts.csv` holds the
                  alert key of every planted violation, so the monitors can be checked end to
                  end against it; `mediation_committees.csv` is the project's extension file
- users.py        the people who log in to the demo, one per role and audience

Everything derives from `seed`, `scale` and `as_of` (never the clock): the same arguments give
byte-identical files, since every draw comes from one generator in a fixed order. Columns are
built as whole numpy arrays, so scale 170 (51,000 employers, 580,000 workers, 5.4 M payroll
rows) takes about 20 s and scale 1 under a second. Legal figures (deposit rate, probation
limits, leased-premises deposit terms, the mediation-committee threshold, minimum wages) are
read from the reference data, never written here.

    python -m service.demo OUT_DIR [--scale N] [--seed S] [--as-of YYYY-MM-DD]
"""

from datetime import date
from pathlib import Path

import pandas as pd

from monitors.reference import Reference
from service.demo.context import Context
from service.demo.contracts import hire_workers
from service.demo.deposits import deposit_events
from service.demo.employers import draw_employers, register_employers
from service.demo.files import (
    EXPECTED_DIR,
    FILE_COLUMNS,
    IMPORT_FILES,
    DemoManifest,
    contracts_file,
    employers_file,
    payroll_file,
    projects_file,
    workers_file,
    write_csv,
)
from service.demo.institutions import (
    county_coordinators,
    mediation_committees,
    open_service_offices,
)
from service.demo.insurance import insurance_cover
from service.demo.payroll import pay_wages
from service.demo.projects import draw_projects
from service.demo.violations import (
    choose_planted_employers,
    expected_alerts,
    grow_large_employers,
    pay_some_wages_late,
    plant_contract_violations,
    plant_payroll_violations,
)


def generate_demo(
    out_dir: Path,
    *,
    seed: int = 2026,
    scale: int = 1,
    as_of: date = date(2026, 11, 30),
    reference: Reference | None = None,
) -> DemoManifest:
    """Write the demo data set into `out_dir` (created if needed) and describe it."""
    frames = generate_frames(seed=seed, scale=scale, as_of=as_of, reference=reference)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The expected alerts are not an import file: keep them out of the import folder.
    (out_dir / EXPECTED_DIR).mkdir(exist_ok=True)
    for name, frame in frames.items():
        folder = out_dir if name in IMPORT_FILES else out_dir / EXPECTED_DIR
        write_csv(frame, folder / f"{name}.csv")
    counts = {name: len(frame) for name, frame in frames.items()}
    return DemoManifest(out_dir, counts, frames["expected_alerts"])


def generate_frames(
    *,
    seed: int = 2026,
    scale: int = 1,
    as_of: date = date(2026, 11, 30),
    reference: Reference | None = None,
) -> dict[str, pd.DataFrame]:
    """The demo files as DataFrames (columns as in the files; dates datetime64, money CNY).
    The places are the counties and towns of `reference` (data/'s Wenzhou by default)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    # The order of these steps is the order of the random draws: keep it.
    ctx = Context.build(seed, scale, as_of, reference)
    employers = draw_employers(ctx)
    choose_planted_employers(ctx, employers)
    grow_large_employers(ctx, employers)
    register_employers(ctx, employers)
    projects = draw_projects(ctx, employers)
    contracts = hire_workers(ctx, employers, projects)
    contracts = plant_contract_violations(ctx, employers, contracts)
    payroll = pay_wages(ctx, employers, contracts)
    payroll = plant_payroll_violations(ctx, employers, contracts, payroll)
    pay_some_wages_late(ctx, employers, contracts, payroll)
    open_service_offices(ctx, employers, contracts)
    return {
        "employers": employers_file(employers),
        "workers": workers_file(contracts),
        "contracts": contracts_file(employers, contracts, projects),
        "payroll": payroll_file(employers, contracts, payroll),
        "projects": projects_file(employers, projects),
        "deposit_events": deposit_events(ctx, employers, projects, contracts),
        "insurance": insurance_cover(ctx, employers, projects, contracts),
        "mediation_committees": mediation_committees(ctx, employers, contracts),
        "coordinators": county_coordinators(ctx),
        "expected_alerts": expected_alerts(employers, projects),
    }


__all__ = ["FILE_COLUMNS", "IMPORT_FILES", "DemoManifest", "generate_demo", "generate_frames"]
