"""Work-injury cover: personal cover for everyone off a building site, and a project-wide
policy from the permit for every construction project."""

import pandas as pd

from service.demo.context import Context
from service.demo.days import as_dates
from service.demo.files import text_columns


def insurance_cover(
    ctx: Context, employers: pd.DataFrame, projects: pd.DataFrame, contracts: pd.DataFrame
) -> pd.DataFrame:
    """Personal cover from (just before) the first day for everyone off-site; a project-wide
    policy from the permit for every project (按项目参保, insure first, then start work)."""
    personal = contracts[(contracts["project"] < 0) & contracts["insured"]]
    n = len(personal)
    personal_rows = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[personal["employer"].to_numpy()],
            "worker_id_number": personal["id_number"].to_numpy(),
            "project_code": None,
            "start_date": as_dates(personal["start"].to_numpy() - ctx.uniform_days(0, 3, n)),
            "end_date": as_dates(personal["left"].to_numpy()),
        }
    )
    project_rows = pd.DataFrame(
        {
            "employer_uscc": employers["uscc"].to_numpy()[projects["employer"].to_numpy()],
            "worker_id_number": None,
            "project_code": projects["project_code"].to_numpy(),
            "start_date": as_dates(projects["permit_date"].to_numpy()),
            "end_date": as_dates(projects["completion_date"].to_numpy()),
        }
    )
    frame = pd.concat([personal_rows, project_rows], ignore_index=True)
    return text_columns(frame, ("employer_uscc", "worker_id_number", "project_code"))
