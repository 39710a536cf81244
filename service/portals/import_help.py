"""The import format, for everyone who prepares a file: a readable page of every import
file's columns (templates/import_format.html) and a template workbook per file. The data
contract is public, and neither holds any data, so no sign-in is needed; every import error
report links here."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.deps import ActorDep
from service.imports.columns import describe
from service.imports.spec import EMPLOYER_FILES, FILES
from service.imports.templates import template_xlsx
from service.web import render

router = APIRouter(prefix="/imports", include_in_schema=False)

ImportFile = Literal[
    "employers",
    "workers",
    "projects",
    "contracts",
    "payroll",
    "deposit_events",
    "insurance",
    "mediation_committees",
    "coordinators",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/format", response_class=HTMLResponse)
def import_format(request: Request, actor: ActorDep) -> HTMLResponse:
    """Every import file: its columns, which are required, how values are written."""
    files = [describe(spec.name) for spec in FILES]
    context = {"files": files, "employer_files": EMPLOYER_FILES}
    return render(request, "import_format.html", context)


@router.get("/templates/{import_file}.xlsx")
def import_template(import_file: ImportFile) -> Response:
    """The template workbook of one import file: column keys, Chinese headings, help."""
    return Response(
        template_xlsx(import_file),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{import_file}.xlsx"'},
    )
