"""The composition root: builds services on their AWS adapters, once per container.

Adapters are imported here, on first use, so a handler's cold start pays only for what it calls.
"""
from __future__ import annotations

from functools import lru_cache

from care_tracker.config import settings


@lru_cache(maxsize=1)
def clock():
    if settings().local:  # the local stack's clock can be set through PUT /_local/clock (tests of windows)
        from care_tracker.adapters.local_clock import AdjustableClock

        return AdjustableClock()
    from care_tracker.adapters.clock import SystemClock

    return SystemClock()


@lru_cache(maxsize=1)
def mailer():
    from care_tracker.adapters.ses_mailer import SesMailer

    return SesMailer(settings().mail_sender, settings().region, reply_to=settings().support_email)


@lru_cache(maxsize=1)
def identity():
    from care_tracker.adapters.cognito_identity import CognitoIdentity

    s = settings()
    return CognitoIdentity(s.user_pool_id, s.user_pool_client_id, s.region)


@lru_cache(maxsize=1)
def token_verifier():
    from care_tracker.adapters.jwt_verifier import CognitoTokenVerifier

    s = settings()
    return CognitoTokenVerifier(s.jwks_url, s.token_issuer, s.user_pool_client_id)


@lru_cache(maxsize=1)
def users():
    from care_tracker.adapters.user_store import DynamoUserRepository

    return DynamoUserRepository()


class _Lazy:
    """Builds the adapter on first use: verifying a token and reading the account (every request)
    need neither Cognito's nor SES's client, whose creation is a third of a cold start."""

    def __init__(self, build) -> None:
        self._build = build

    def __getattr__(self, name: str):
        return getattr(self._build(), name)


@lru_cache(maxsize=1)
def auth_service():
    from care_tracker.adapters.sealed import Sealer
    from care_tracker.adapters.sign_in_store import DynamoMfaResets
    from care_tracker.services.auth import AuthService

    return AuthService(_Lazy(identity), users(), token_verifier(), _Lazy(mailer), clock(), sign_in_attempts(),
                       Sealer(_Lazy(secret_keys), "mfa-enrolment-session"), DynamoMfaResets())


@lru_cache(maxsize=1)
def secret_keys():
    from care_tracker.adapters.secret_keys import SecretsManagerKeys

    return SecretsManagerKeys(settings().signing_key_secret, settings().region)


@lru_cache(maxsize=1)
def sign_in_attempts():
    from care_tracker.adapters.sign_in_store import DynamoSignInAttempts

    return DynamoSignInAttempts()


@lru_cache(maxsize=1)
def account_service():
    from care_tracker.services.accounts import AccountService

    return AccountService(identity(), users(), mailer(), clock(), settings().login_url)


@lru_cache(maxsize=1)
def location_directory():
    from care_tracker.adapters.location_store import DynamoLocationDirectory

    return DynamoLocationDirectory()


@lru_cache(maxsize=1)
def registration_service():
    from care_tracker.adapters.registration_store import DynamoRegistrationStore
    from care_tracker.services.registrations import RegistrationService

    s = settings()
    return RegistrationService(DynamoRegistrationStore(), location_directory(), users(), identity(), mailer(), clock(),
                               s.login_url, s.support_email)


@lru_cache(maxsize=1)
def account_care_service():
    from care_tracker.services.account_care import AccountCareService

    return AccountCareService(users(), location_directory(), identity(), object_store(), settings().exports_bucket, clock())


@lru_cache(maxsize=1)
def announcement_service():
    from care_tracker.adapters.announcement_store import DynamoAnnouncementStore
    from care_tracker.services.announcements import AnnouncementService

    return AnnouncementService(DynamoAnnouncementStore(), clock())


@lru_cache(maxsize=1)
def object_store():
    from care_tracker.adapters.object_store import S3ObjectStore

    return S3ObjectStore(settings().region)


@lru_cache(maxsize=1)
def backup_service():
    from care_tracker.adapters.backup_store import DynamoItems, S3BackupFiles
    from care_tracker.services.backups import BackupService

    s = settings()
    return BackupService(DynamoItems(s.region), S3BackupFiles(s.backups_bucket, s.region), s.table_names, clock())


@lru_cache(maxsize=1)
def export_service():
    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.exports import ExportService

    s = settings()
    return ExportService(S3ExportFiles(s.exports_bucket, s.region), users(), export_sources(), clock(),
                         org_locations=organisation_location_ids, personal=personal_export_sources())


def organisation_location_ids(org_id: str) -> list[str]:
    """Every location of an organisation: one query of the locations' by_org index."""
    from care_tracker.adapters.location_store import LocationItem

    return [item.location_id for item in LocationItem.by_org.query(org_id, attributes_to_get=["location_id"])]


def export_sources():
    """Returns as export rows, read through the returns repository (None until returns exist)."""
    from care_tracker.adapters.export_store import returns_rows

    return returns_rows()


@lru_cache(maxsize=1)
def return_store():
    from care_tracker.adapters.return_store import DynamoReturnStore

    return DynamoReturnStore()


@lru_cache(maxsize=1)
def returns_service():
    from care_tracker.services.returns import ReturnsService

    return ReturnsService(return_store(), clock())


@lru_cache(maxsize=1)
def window_jobs():
    from care_tracker.adapters.window_store import DynamoJobDirectory, DynamoWindowStore
    from care_tracker.services.window_jobs import WindowJobs

    return WindowJobs(DynamoJobDirectory(), DynamoWindowStore(), return_store(), mailer(), clock(), settings().login_url,
                      compliance=count_compliance, no_change_link=no_change_url)


@lru_cache(maxsize=1)
def no_change_links():
    from care_tracker.adapters.sign_in_store import DynamoUsedLinks
    from care_tracker.services.no_change_links import NoChangeLinks

    return NoChangeLinks(secret_keys(), DynamoUsedLinks(), users(), returns_service(), clock())


def no_change_url(user_id: str, location_id: str, care_type: str, period: str) -> str:
    """The reminder's link: the API's page (functions/no_change.py) with a signed token."""
    token = no_change_links().issue(user_id, location_id, care_type, period)
    return f"{settings().public_api_url}/no-change/{token}"


def count_compliance(window, at):
    """close_window's hook (issue 5): counts the window that closed; idempotent."""
    return compliance_service().count_window(window.period, at)


@lru_cache(maxsize=1)
def compliance_store():
    from care_tracker.adapters.compliance_store import DynamoComplianceStore

    return DynamoComplianceStore()


@lru_cache(maxsize=1)
def enforcement_service():
    import json

    from care_tracker.adapters.case_store import DynamoCaseStore
    from care_tracker.rules.enforcement import DEFAULT_FEE_TABLE, parse_fee_table
    from care_tracker.services.enforcement import EnforcementService

    s = settings()
    fees = parse_fee_table(json.loads(s.penalty_fees)) if s.penalty_fees else DEFAULT_FEE_TABLE
    return EnforcementService(DynamoCaseStore(), location_directory(), clock(), representation_days=s.representation_days,
                              fee_table=fees, people=users(), mailer=mailer(), login_url=s.login_url)


@lru_cache(maxsize=1)
def compliance_service():
    from care_tracker.adapters.compliance_store import DynamoCountingInputs
    from care_tracker.services.compliance import ComplianceService

    return ComplianceService(compliance_store(), DynamoCountingInputs(), return_store(), enforcement_service(), mailer(), clock())


@lru_cache(maxsize=1)
def compliance_reports():
    from care_tracker.services.compliance_reports import ComplianceReports

    return ComplianceReports(compliance_store(), location_directory())


# ---------- feedback and suggestions (issue 13) ----------
@lru_cache(maxsize=1)
def feedback_service():
    from care_tracker.adapters.feedback_store import DynamoFeedbackStore
    from care_tracker.services.feedback import FeedbackService

    s = settings()
    return FeedbackService(DynamoFeedbackStore(), users(), mailer(), clock(), s.support_email, s.login_url)


def personal_export_sources() -> list:
    """What people authored or keep, added to their my_data export: feedback and suggestions
    (issue 13); an employer's account, settings and PAs, a PA's own employments (issue 11);
    shifts, timesheets with their versions and holiday (issue 12)."""
    from care_tracker.services.employers import EmploymentExportRows
    from care_tracker.services.feedback import FeedbackExportRows

    return [FeedbackExportRows(feedback_service()), EmploymentExportRows(employer_store()),
            work_export_rows()]


def forget_feedback_author(pa_id: str, at) -> None:
    """For pa_archived_hooks() (contract B): the archived PA's feedback and suggestions show "a former user"."""
    feedback_service().forget_author(pa_id, at)


# ---------- employers, PAs and employments (issue 11; contract B) ----------
@lru_cache(maxsize=1)
def employer_store():
    from care_tracker.adapters.employer_store import DynamoEmployerStore

    return DynamoEmployerStore()


def employment_directory():
    """Contract B's EmploymentDirectory: employment(), employments_of_pa(), employer_settings()."""
    return employer_store()


@lru_cache(maxsize=1)
def employer_service():
    from care_tracker.adapters.employer_store import SealedCursors
    from care_tracker.services.employers import EmployerService

    s = settings()
    return EmployerService(employer_store(), users(), identity(), mailer(), clock(), s.login_url,
                           SealedCursors(s.personal_data_key, s.region), archived_hooks=pa_archived_hooks,
                           purge_hooks=purge_hooks, reactivated_hooks=pa_reactivated_hooks,
                           archive_deletes=pa_archive_deletes)


def pa_archived_hooks() -> list:
    """Run off the request path by the follow_up_archives job for each archive its transaction marked,
    each with (employer_id, pa_id, leaving_date, at); each must be safe to run again (a failed or
    changed follow-up is redone by the next run). Later issues add theirs here."""
    return [_forget_feedback_when_no_other_employment, remove_shifts_after_leaving, mark_work_for_purge]


def pa_reactivated_hooks() -> list:
    """Run by the follow_up_archives job for each reactivation, each with (employer_id, pa_id)."""
    return [unmark_work_for_purge]


def pa_archive_deletes() -> list:
    """Each called by the archive with (employer_id, pa_id, leaving_date) before its transaction,
    returning items to delete in that transaction (as many as fit; the job deletes the rest)."""
    return [shifts_after_leaving]


def follow_up_archives(at) -> dict:
    return employer_service().follow_up_archives(at)


def _forget_feedback_when_no_other_employment(employer_id: str, pa_id: str, leaving_date, at) -> None:
    from care_tracker.rules.employment import has_access

    # This employer's employment is left out: the by_pa index may not show the archive yet.
    if not any(e.employer_id != employer_id and has_access(e.status) for e in employment_directory().employments_of_pa(pa_id)):
        forget_feedback_author(pa_id, at)


def purge_hooks() -> list:
    """Called once by each run of purge_expired_records with its time (epoch seconds), returning how
    many items it deleted: the work history of every employment whose retention ended (issue 12)."""
    return [purge_due_work]


# --- commissioners (issue 16) ---
@lru_cache(maxsize=1)
def commissioner_reads():
    from care_tracker.services.commissioners import CommissionerReads

    return CommissionerReads(return_store(), location_directory(), compliance_store(), compliance_reports(), clock())


# ---------- rota, timesheets and holiday (issue 12) ----------
@lru_cache(maxsize=1)
def work_store():
    from care_tracker.adapters.work_store import DynamoWorkStore

    return DynamoWorkStore()


@lru_cache(maxsize=1)
def rota_service():
    from care_tracker.services.rota import RotaService

    return RotaService(work_store(), employment_directory(), clock())


@lru_cache(maxsize=1)
def timesheet_service():
    from care_tracker.services.timesheets import TimesheetService

    return TimesheetService(work_store(), employment_directory(), users(), mailer(), clock(), settings().login_url,
                            employer_store())


@lru_cache(maxsize=1)
def holiday_service():
    from care_tracker.services.holiday import HolidayService

    return HolidayService(work_store(), employment_directory(), clock())


@lru_cache(maxsize=1)
def audit_pack_service():
    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.audit_pack import AuditPackService

    s = settings()
    return AuditPackService(work_store(), employment_directory(), S3ExportFiles(s.exports_bucket, s.region), clock(),
                            records=lambda caller, employer_id, pa_id: employer_service().get_pa(caller, employer_id, pa_id))


@lru_cache(maxsize=1)
def audit_pack_jobs():
    from care_tracker.adapters.audit_pack_store import DynamoAuditPacks, SqsQueue
    from care_tracker.adapters.export_store import S3ExportFiles
    from care_tracker.services.audit_pack import AuditPackJobs

    s = settings()
    return AuditPackJobs(DynamoAuditPacks(), SqsQueue(s.audit_pack_queue_url, s.region), audit_pack_service(),
                         S3ExportFiles(s.exports_bucket, s.region), clock())


def work_export_rows():
    from care_tracker.services.holiday import WorkExportRows

    return WorkExportRows(work_store(), employment_directory())


def purge_work_history(employer_id: str, pa_id: str) -> int:
    """For purge_hooks() (contract B): the PA's shifts, timesheets and holiday with this employer, 7 years
    after leaving."""
    return work_store().delete_all(employer_id, pa_id)


def purge_due_work(at_epoch: int) -> int:
    """For purge_hooks(): the shifts, timesheets and holiday of every employment past its 7 years, found
    by the work table's by_purge index (marked at archive), not by one Query an employment."""
    return work_store().purge_due(at_epoch)


def mark_work_for_purge(employer_id: str, pa_id: str, leaving_date, at) -> None:
    """For pa_archived_hooks(): the work history kept until the record's purge date carries that date."""
    from care_tracker.rules.employment import purge_at

    work_store().mark_for_purge(employer_id, pa_id, purge_at(leaving_date))


def unmark_work_for_purge(employer_id: str, pa_id: str) -> None:
    """For pa_reactivated_hooks(): a PA taken back keeps their work history with no purge date."""
    work_store().mark_for_purge(employer_id, pa_id, None)


def remove_shifts_after_leaving(employer_id: str, pa_id: str, leaving_date, at) -> None:
    """For pa_archived_hooks() (contract B): planned shifts after the leaving date leave the rota; the
    work history up to it is kept for 7 years. The archive's transaction deletes them when they fit
    (shifts_after_leaving); this deletes any it could not hold, or planned while it ran."""
    work_store().remove_shifts_after(employer_id, pa_id, leaving_date)


def shifts_after_leaving(employer_id: str, pa_id: str, leaving_date) -> list:
    """For pa_archive_deletes(): the shifts after the leaving date (1 consistent, keys-only Query), so
    the rota no longer shows them once the archive answers."""
    return work_store().shifts_after(employer_id, pa_id, leaving_date)


def reset() -> None:
    """Forget every built service, settings and PynamoDB's per-model connections (tests switch
    environments between sessions)."""
    import sys

    for value in list(globals().values()):
        if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == __name__:
            value.cache_clear()
    settings.cache_clear()
    if "pynamodb.models" in sys.modules:
        for model in _subclasses(sys.modules["pynamodb.models"].Model):
            model._connection = None
    if "care_tracker.adapters.tables" in sys.modules:
        sys.modules["care_tracker.adapters.tables"].forget_connections()


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
