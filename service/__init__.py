"""WageGuard (薪盾): the FastAPI service and its domains."""

import os

from sqlmodel import SQLModel

# Arrow's buffers (kept frames' Parquet pages, PostgreSQL's COPY blocks, pandas' text) from
# jemalloc, which gives freed memory back to the system; mimalloc, pyarrow's default, held on
# to 70-85 MB of it through a whole monitors run at L. Read when pyarrow is first imported,
# so set here, before any of the service's modules; an operator's own choice is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")

# Named constraints keep migrations stable across SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
