"""How an import looks on a terminal: a progress bar while it runs, then a summary
per file, or every problem row."""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.imports.service import ImportProgress, ImportReport

# Served by the app (service/portals/import_help.py) to everyone: the contract is public.
FORMAT_PAGE = "/imports/format"
TEMPLATES = "/imports/templates/<file>.xlsx"


class _RichProgress(ImportProgress):
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = None

    def start(self, label: str, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(label, total=total or None)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)


@contextmanager
def terminal_progress(console: Console) -> Iterator[ImportProgress]:
    """A progress bar on a terminal; nothing when output is piped or in CI."""
    if not console.is_terminal:
        yield ImportProgress()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield _RichProgress(progress)


def print_report(report: ImportReport, out: Console, err: Console) -> None:
    if report.ok:
        for summary in report.summaries:
            unchanged = summary.rows_read - summary.inserted - summary.updated
            out.print(
                f"{summary.file}: {summary.rows_read} rows read, {summary.inserted} inserted, "
                f"{summary.updated} updated, {unchanged} unchanged",
                highlight=False,
            )
        return
    err.print(
        f"Import refused: {len(report.problems)} problem(s); nothing was written.",
        highlight=False,
    )
    for problem in report.problems.itertuples(index=False):
        err.print(
            f"{problem.file} row {problem.row}, column {problem.column or '-'}, "
            f"value {problem.value!r}: {problem.reason_zh} / {problem.reason_en}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    err.print(
        f"导入格式说明 / The import format: {FORMAT_PAGE} (templates: {TEMPLATES})",
        highlight=False,
        markup=False,
    )
