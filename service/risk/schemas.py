"""An employer's risk tier as the pages and the API show it."""

from datetime import date

from pydantic import BaseModel


class Reason(BaseModel):
    rule: str
    tier: str
    text: str
    figure: str | None  # the measured figure against the threshold, in words
    measured: int | None  # the same figure as a number (fen, months or a count)
    legal_basis: str | None


class TierView(BaseModel):
    tier: str | None
    as_of: date | None
    reasons: list[Reason]


class TierChange(BaseModel):
    tier: str
    as_of: date
    run_id: int
    rules: list[str]
