"""Every rule module; importing this package registers them all."""

from monitors.rules import contracts, deposits, insurance, mediation, wages

__all__ = ["contracts", "deposits", "insurance", "mediation", "wages"]
