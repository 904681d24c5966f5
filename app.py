"""Care Tracker's API: one Chalice app, one blueprint per capability (functions/).

Scheduled jobs are separate Lambda functions (functions/jobs.py; infra/package.py generates their
resources), so they do not load this module.
"""
from chalice import Chalice

from care_tracker.config import settings
from functions import (
    accounts,
    announcements,
    auth,
    commissioners,
    compliance,
    employers,
    enforcement,
    exports,
    fallback,
    feedback,
    health,
    locations,
    middleware,
    registrations,
    returns,
    windows,
)

app = Chalice(app_name="care-tracker")
app.api.cors = False

for capability in (health, auth, windows, locations, registrations, accounts, announcements, returns, compliance,
                   enforcement, exports, feedback, commissioners, employers):
    app.register_blueprint(capability.bp)

if settings().local:  # only on the local stack: never registered when deployed
    from functions import local

    app.register_blueprint(local.bp)

middleware.install(app)
fallback.install(app)
