"""Access rules as data: the role sets the rules are written with, and the rule a model
declares (`ACCESS = AccessRule(...)`) for `core.access.restrict`."""

from __future__ import annotations

from dataclasses import dataclass

from fupin.core.choices import Role

OFFICES = frozenset({Role.NATIONAL, Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.TOWNSHIP})
VILLAGE_POSTS = frozenset({Role.VILLAGE_CADRE, Role.FIRST_SECRETARY, Role.WORK_TEAM})
# Who reads the register in their region: offices, village posts, line departments (for
# their indicator) and inspectors (read-only, everything in scope).
READERS = OFFICES | VILLAGE_POSTS | frozenset({Role.DEPARTMENT, Role.INSPECTOR})
# Who keeps the register (registers households, records members and assessments).
KEEPERS = frozenset({Role.COUNTY, Role.TOWNSHIP}) | VILLAGE_POSTS
# Who takes procedure steps; each step's own roles are checked by the procedure.
CASE_ACTORS = OFFICES | VILLAGE_POSTS | frozenset({Role.EVALUATOR})
# Who reads the audit log.
AUDITORS = frozenset({Role.NATIONAL, Role.INSPECTOR})
# Every post that works in the campaign: what any of them may read (the division tree, the
# poor-area lists). The administrator keeps users and grants, not the campaign's data.
ANY_POST = frozenset(Role.values) - {Role.ADMINISTRATOR}
# Who needs personal numbers in full (ID, phone, bank account) and health: the posts that
# serve the household in person, the county that approves, the inspector who checks.
PERSONAL_DATA_ROLES = frozenset({Role.COUNTY, Role.TOWNSHIP, Role.INSPECTOR}) | VILLAGE_POSTS
HEALTH_DEPARTMENT = "health"


@dataclass(frozen=True)
class Own:
    """A role that views rows only through the user's own link to them, within its grant's
    prefix: a paired cadre and the households they answer for. `rows` is the dotted path
    of a function (user, field) -> Q over the model; `field` holds the household's id."""

    role: str
    rows: str
    field: str


def paired(field: str = "household_id") -> tuple[Own, ...]:
    """The paired cadre (帮扶责任人) reads the households of their open assignments, and what
    belongs to them; `field` holds the household's id."""
    return (Own(Role.PAIRED_CADRE, "fupin.pairing.access.paired_households", field),)


@dataclass(frozen=True)
class AccessRule:
    """How a model's rows are reached: the field holding the region code they belong to,
    the roles that may view them and change them there, and the roles that view only their
    own rows."""

    region_field: str
    view: frozenset[str]
    change: frozenset[str] = frozenset()
    own: tuple[Own, ...] = ()

    def roles(self, action: str) -> frozenset[str]:
        """The roles allowed `action` ('view' or 'change')."""
        return {"view": self.view, "change": self.change}[action]
