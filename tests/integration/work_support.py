"""Shared by issue 12's integration tests and bench.

IN-TEST STAND-IN: `InTestDirectory` implements contract B's EmploymentDirectory in memory, because
issue 11 (the DynamoDB EmploymentDirectory) is built in parallel. After issue 11 is merged, swap it
for employments created through issue 11's services and `wiring.employment_directory()`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from care_tracker.ports import EmployerSettings, Employment
from care_tracker.services.auth import Caller


class InTestDirectory:
    def __init__(self) -> None:
        self.employments: dict[tuple[str, str], Employment] = {}
        self.settings: dict[str, EmployerSettings] = {}

    def employment(self, employer_id: str, pa_id: str) -> Employment | None:
        return self.employments.get((employer_id, pa_id))

    def employments_of_pa(self, pa_id: str) -> list[Employment]:
        return [e for (_, p), e in self.employments.items() if p == pa_id]

    def employer_settings(self, employer_id: str) -> EmployerSettings | None:
        return self.settings.get(employer_id)

    def add_employer(self, employer_id: str, *, cycle: str | None = "two_weekly", first: date | None = date(2026, 1, 5),
                     funded: Decimal | None = Decimal(40), domestic: bool = True) -> Caller:
        self.settings[employer_id] = EmployerSettings(employer_id, funded, cycle, first, (4, 1), domestic, 1)
        return Caller(user_id=employer_id, email=f"{employer_id}@example.org", full_name=f"Employer {employer_id}",
                      roles=frozenset({"employer"}))

    def add_pa(self, employer_id: str, pa_id: str, *, contracted: Decimal | None = None, status: str = "active",
               start: date = date(2025, 6, 1), dob: date | None = date(1990, 5, 5)) -> Caller:
        self.employments[(employer_id, pa_id)] = Employment(employer_id, pa_id, f"PA {pa_id}", status, start, None,
                                                            contracted, dob)
        return Caller(user_id=pa_id, email=f"{pa_id}@example.org", full_name=f"PA {pa_id}", roles=frozenset({"pa"}))
