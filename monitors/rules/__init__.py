"""Every rule module; importing this package registers them all."""

from monitors.rules import (
    complaints,
    contracts,
    deposits,
    institutions,
    insurance,
    mediation,
    wages,
)

__all__ = ["complaints", "contracts", "deposits", "institutions", "insurance", "mediation", "wages"]
