"""Who is asking: a signed-in user with role and scope, or an anonymous visitor (a worker)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str  # admin, inspector, employer, mediator, or anonymous
    display_name: str = ""
    locale: str = "zh-CN"
    employer_id: int | None = None
    committee_id: int | None = None
    # An inspector's jurisdiction: whole counties, and towns as (county code, town name).
    counties: frozenset[str] = field(default_factory=frozenset)
    towns: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def label(self) -> str:
        return f"{self.role}:{self.username}"

    def covers(self, county_code: str, town: str | None) -> bool:
        """Whether an inspector's jurisdiction includes this place."""
        return county_code in self.counties or (county_code, town or "") in self.towns


ANONYMOUS = Actor(user_id=None, username="anonymous", role="anonymous")
