"""What a run's findings depend on, as one digest: the monitored data (its version), the
reference data, the rules' code and the as-of day. Equal digests mean equal findings; equal
bases (all but the data) mean findings that differ only where the data changed."""

import hashlib
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

import monitors
from monitors.base import Rule
from monitors.reference import Reference

REFERENCE_TABLES = (
    "jurisdictions",
    "towns",
    "minimum_wages",
    "industries",
    "leased_premises_deposit",
    "parameters",
)


def run_basis(*, reference: Reference, rules: dict[str, Rule], as_of: date) -> str:
    """What the findings depend on but the data: runs on the same basis differ only by the
    data changed between them."""
    rule_ids = ",".join(sorted(rules))
    return _digest(reference_digest(reference), monitors_code_digest(), rule_ids, as_of.isoformat())


def run_fingerprint(*, basis: str, data_version: int) -> str:
    return _digest(basis, str(data_version))


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def reference_digest(reference: Reference) -> str:
    digest = hashlib.sha256()
    for name in REFERENCE_TABLES:
        frame: pd.DataFrame = getattr(reference, name)
        hashed = pd.util.hash_pandas_object(frame.astype(str), index=True)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


@cache
def monitors_code_digest() -> str:
    """The source of the rule engine and every rule: a changed rule is a different run."""
    digest = hashlib.sha256()
    for path in sorted(Path(monitors.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
