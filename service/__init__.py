"""WageGuard (薪盾): the FastAPI service and its domains."""

import os

from sqlmodel import SQLModel

# Arrow's buffers (kept frames' columns, PostgreSQL's COPY blocks, pandas' text) from the C
# library's allocator, which maps large buffers and gives them back when freed. A whole run at
# L after a change peaked at 951,636-994,380 KiB with it in fourteen runs, with jemalloc at up
# to 1,255,584 (over 1,080,000 in five runs of ten); mimalloc, pyarrow's default, held 70-85 MB
# of freed buffers.
# Read when pyarrow is first imported, so set here, before any of the service's modules; an
# operator's own choice is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# Named constraints keep migrations stable across SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
