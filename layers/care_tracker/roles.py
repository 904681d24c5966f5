"""Who can do what. A caller may hold several roles (an approver is also a provider user)."""
from enum import Enum


class Role(str, Enum):
    PROVIDER_USER = "provider_user"
    APPROVER = "approver"
    ADMIN = "admin"  # the support team
    ENFORCEMENT_OFFICER = "enforcement_officer"
    EMPLOYER = "employer"
    PA = "pa"
    # Local authorities and NHS discharge teams (RULES 1.5a): read-only, tied to local authorities.
    COMMISSIONER = "commissioner"


# Roles that see most (every return of an organisation, the whole country, enforcement): an
# authenticator app is required (ASVS 6.3.3). Everyone else may turn it on.
MFA_ROLES = frozenset({"approver", "admin", "enforcement_officer"})
