"""Monthly returns (RULES 1.5): save (with history and optimistic locking), read a month, bulk save,
and what a provider user still owes for the current window.

DynamoDB requests (the caller's account read by authentication not included):
- save: 1 BatchGetItem (location + this month + last month) + 1 TransactWriteItems; a no-change save
  whose latest earlier return is older than last month adds one query.
- what is owed: 1 read of the caller's locations (BatchGetItem, or a query of the organisation for an
  approver) + 1 BatchGetItem of their period items (100 locations per request).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed
from care_tracker.ports import Clock
from care_tracker.rules.reporting_window import (
    ReportingWindow,
    parse_period,
    previous_period,
    window_for_period,
    window_in_force_or_next,
)
from care_tracker.rules.returns import (
    CARE_TYPE_NAMES,
    CARE_TYPES,
    FIGURES,
    NIL,
    NO_CHANGE,
    InvalidReturn,
    may_access,
    owes_returns,
    parse_submission,
    parse_version,
)

MAX_BULK_ITEMS = 100


class ReturnStore(Protocol):
    def read(self, location_ids, period_keys, latest=()) -> tuple[dict, dict]: ...

    def locations_of_org(self, org_id: str) -> dict: ...

    def period_with_history(self, location_id: str, period: str) -> tuple[Any, list]: ...

    def latest_before(self, location_id: str, care_type: str, period: str) -> Any: ...

    def save(self, saved, based_on: int | None, location=None) -> None: ...


@dataclass
class SaveRequest:
    location_id: str
    period: str
    care_type: str
    data: Any
    version: Any = None  # from If-Match or the body's `version`


@dataclass
class SaveOutcome:
    location_id: str
    period: str
    care_type: str
    status: int
    saved: Any = None  # return_store.Saved
    error: dict | None = None


@dataclass
class OwedCareType:
    care_type: str
    done: bool  # a return saved inside the window
    saved: bool  # a return saved at all for the month
    version: int | None = None


@dataclass
class OwedLocation:
    location_id: str
    name: str
    owes: bool
    care_types: list[OwedCareType] = field(default_factory=list)


@dataclass
class Owed:
    window: ReportingWindow
    locations: list[OwedLocation]


def _period(text: str) -> str:
    try:
        parse_period(text)
    except ValueError as exc:
        raise BadRequest(str(exc), code="invalid_period") from exc
    return text


def _care_type(text: str) -> str:
    if text not in CARE_TYPES:
        raise BadRequest(f"Unknown care type {text!r}: use one of {', '.join(CARE_TYPES)}.", code="unknown_care_type")
    return text


class ReturnsService:
    def __init__(self, store: ReturnStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    # --- save ---------------------------------------------------------------------------------------
    def save(self, caller, location_id: str, period: str, care_type: str, data: Any, version: Any = None):
        """Saves one return; raises an AppError (400/403/404/409) if it cannot."""
        outcome = self.save_many(caller, [SaveRequest(location_id, period, care_type, data, version)], single=True)[0]
        return outcome.saved

    def save_many(self, caller, requests: list[SaveRequest], single: bool = False) -> list[SaveOutcome]:
        """Each request validated and answered on its own; the reads for all of them are batched."""
        if len(requests) > MAX_BULK_ITEMS:
            raise BadRequest(f"Send at most {MAX_BULK_ITEMS} returns in one request.", code="too_many_items")
        checked: list[tuple[SaveRequest, Any, int | None] | SaveOutcome] = []
        for req in requests:
            try:
                _period(req.period)
                _care_type(req.care_type)
                version = parse_version(req.version)
                submission = parse_submission(req.care_type, req.data)
                self._not_in_future(req.period)
                checked.append((req, submission, version))
            except InvalidReturn as exc:
                err = ValidationFailed(f"Check the {CARE_TYPE_NAMES.get(req.care_type, '')} return: {exc}.",
                                       details={"problems": exc.problems})
                checked.append(self._failed(req, err, single))
            except ValueError as exc:
                checked.append(self._failed(req, BadRequest(str(exc).capitalize() + ".", code="invalid_version"), single))
            except (BadRequest, ValidationFailed) as exc:
                checked.append(self._failed(req, exc, single))
        valid = [c for c in checked if not isinstance(c, SaveOutcome)]
        keys = set()
        for req, _, _ in valid:
            keys.add((req.location_id, req.period))
            keys.add((req.location_id, previous_period(req.period)))
        latest = [(req.location_id, req.care_type) for req, _, _ in valid]  # commissioners' latest items (RULES 1.5a)
        locations, periods = self._store.read({req.location_id for req, _, _ in valid}, keys, latest) if valid else ({}, {})
        now = self._clock.now()
        outcomes = []
        for item in checked:
            if isinstance(item, SaveOutcome):
                outcomes.append(item)
                continue
            req, submission, version = item
            try:
                saved = self._save_one(caller, req, submission, version, locations, periods, now)
                outcomes.append(SaveOutcome(req.location_id, req.period, req.care_type, 200, saved=saved))
            except (BadRequest, ValidationFailed, Forbidden, NotFound, Conflict) as exc:
                outcomes.append(self._failed(req, exc, single))
        return outcomes

    def bulk(self, caller, items: list[Any]) -> list[SaveOutcome]:
        """A bulk update: each item {location_id, period, care_type, version?, return} answered on its own."""
        if len(items) > MAX_BULK_ITEMS:
            raise BadRequest(f"Send at most {MAX_BULK_ITEMS} returns in one request.", code="too_many_items")
        requests: list[SaveRequest | SaveOutcome] = []
        for item in items:
            keys = ("location_id", "period", "care_type")
            if (not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in keys)
                    or not isinstance(item.get("return"), dict) or set(item) - {*keys, "version", "return"}):
                error = BadRequest("Each item needs location_id, period and care_type (strings), 'return' (the return's "
                                   "fields, or {\"nil_return\": true}, or {\"no_change\": true}) and, when updating, "
                                   "'version'; nothing else.", code="invalid_item")
                item = item if isinstance(item, dict) else {}
                requests.append(SaveOutcome(str(item.get("location_id", "")), str(item.get("period", "")),
                                            str(item.get("care_type", "")), error.status, error=error.to_dict()))
            else:
                requests.append(SaveRequest(item["location_id"], item["period"], item["care_type"], item["return"],
                                            item.get("version")))
        valid = [r for r in requests if isinstance(r, SaveRequest)]
        answers = iter(self.save_many(caller, valid))
        return [next(answers) if isinstance(r, SaveRequest) else r for r in requests]

    @staticmethod
    def _failed(req: SaveRequest, error, single: bool) -> SaveOutcome:
        if single:
            raise error
        return SaveOutcome(req.location_id, req.period, req.care_type, error.status, error=error.to_dict())

    def _not_in_future(self, period: str) -> None:
        current = window_in_force_or_next(self._clock.now()).period
        if period > current:
            raise BadRequest(f"Returns for {period} cannot be saved yet: the latest month open for returns is {current}.",
                             code="period_in_future")

    def _location(self, caller, location_id: str, locations: dict):
        location = locations.get(location_id)
        org = location.org_id if location else None
        if not may_access(caller.roles, caller.org_id, caller.location_ids, location_id, org):
            raise Forbidden(f"You do not have access to location {location_id}. Ask your approver to add it to your account.",
                            code="no_access_to_location")
        if location is None:
            raise NotFound(f"There is no location {location_id}.", code="unknown_location")
        return location

    def _save_one(self, caller, req: SaveRequest, submission, version, locations, periods, now):
        from care_tracker.adapters.return_store import Saved, StaleVersion

        location = self._location(caller, req.location_id, locations)
        if req.care_type not in location.care_types:
            provided = ", ".join(location.care_types) or "none"
            raise BadRequest(f"{location.name} is not registered for {CARE_TYPE_NAMES[req.care_type]}; its care types are: "
                             f"{provided}.", code="care_type_not_provided", details={"care_types": location.care_types})
        state = periods.get((req.location_id, req.period))
        current = state.current.get(req.care_type) if state else None
        if current is not None and version is None:
            raise Conflict(f"This return already exists (version {current.version}). Send the version you are updating, "
                           "as an If-Match header or a 'version' field, so that nobody's changes are overwritten.",
                           code="version_required", details={"current_version": current.version})
        if version is not None and (current is None or current.version != version):
            raise self._stale(current)
        kind, figures, copied_from = submission.kind, submission.figures, None
        if kind == NO_CHANGE:
            earlier = self._latest_before(req, periods)
            if earlier is None:
                raise Conflict(f"There is no earlier {CARE_TYPE_NAMES[req.care_type]} return for this location to copy: "
                               "send this month's figures, or a nil return.", code="nothing_to_copy")
            kind, figures, copied_from = earlier.kind, earlier.figures, earlier.period
        window = window_for_period(req.period)
        saved = Saved(location_id=req.location_id, period=req.period, care_type=req.care_type,
                      version=(current.version + 1) if current else 1, kind=kind, figures=figures,
                      no_change=submission.kind == NO_CHANGE, copied_from=copied_from, saved_at=now,
                      saved_by=caller.user_id, saved_by_name=caller.full_name, in_window=window.contains(now))
        try:
            self._store.save(saved, based_on=version, location=location)
        except StaleVersion:
            raise self._stale(None) from None
        return saved

    @staticmethod
    def _stale(current) -> Conflict:
        details = {"current_version": current.version} if current else {}
        return Conflict("Someone else has changed this return since you opened it. Reload it, check their changes, "
                        "and save again with the new version.", code="stale_version", details=details)

    def _latest_before(self, req: SaveRequest, periods: dict):
        last_month = periods.get((req.location_id, previous_period(req.period)))
        if last_month and req.care_type in last_month.current:
            return last_month.current[req.care_type]
        return self._store.latest_before(req.location_id, req.care_type, previous_period(req.period))

    # --- read ---------------------------------------------------------------------------------------
    def month(self, caller, location_id: str, period: str):
        """(location, window, current per care type, history) for one location and month."""
        _period(period)
        locations, _ = self._store.read([location_id], [])
        location = self._location(caller, location_id, locations)
        state, history = self._store.period_with_history(location_id, period)
        return location, window_for_period(period), state, history

    # --- what is owed ----------------------------------------------------------------------------------
    def owed(self, caller) -> Owed:
        window = window_in_force_or_next(self._clock.now())
        if "approver" in caller.roles and caller.org_id:
            locations = self._store.locations_of_org(caller.org_id)
            extra = [lid for lid in caller.location_ids if lid not in locations]
            if extra:
                more, _ = self._store.read(extra, [])
                locations.update(more)
            _, periods = self._store.read([], [(lid, window.period) for lid in locations])
        else:
            ids = list(caller.location_ids)
            locations, periods = self._store.read(ids, [(lid, window.period) for lid in ids])
        answer = []
        for lid in sorted(locations):
            loc = locations[lid]
            owes = owes_returns(loc.status, loc.care_types, loc.registered_on, window)
            state = periods.get((lid, window.period))
            types = []
            for ct in loc.care_types:
                if ct not in CARE_TYPES:
                    continue
                current = state.current.get(ct) if state else None
                types.append(OwedCareType(care_type=ct, done=bool(state and ct in state.in_window_types),
                                          saved=current is not None, version=current.version if current else None))
            answer.append(OwedLocation(location_id=lid, name=loc.name, owes=owes, care_types=types))
        return Owed(window=window, locations=answer)


__all__ = ["FIGURES", "NIL", "NO_CHANGE", "Owed", "OwedCareType", "OwedLocation", "ReturnsService", "SaveOutcome",
           "SaveRequest"]
