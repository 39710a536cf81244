"""Every rule module; importing this package registers them all."""

from monitors.rules import contracts, insurance, mediation

__all__ = ["contracts", "insurance", "mediation"]
