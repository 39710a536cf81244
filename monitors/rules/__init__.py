"""Every rule module; importing this package registers them all."""

from monitors.rules import complaints, contracts, deposits, insurance, mediation, wages

__all__ = ["complaints", "contracts", "deposits", "insurance", "mediation", "wages"]
