"""Care Tracker's API: one Chalice app, one blueprint per capability (functions/).

Scheduled jobs are separate Lambda handlers (functions/jobs.py) declared in infra/resources.yaml,
so they do not load this module.
"""
from chalice import Chalice

from care_tracker.config import settings
from functions import accounts, announcements, auth, fallback, health, locations, middleware, registrations, windows

app = Chalice(app_name="care-tracker")
app.api.cors = False

for blueprint_module in (health, auth, windows, locations, registrations, accounts, announcements):
    app.register_blueprint(blueprint_module.bp)

from functions import exports  # noqa: E402 - CSV exports (issue 6)

app.register_blueprint(exports.bp)

from functions import compliance, enforcement  # noqa: E402 - compliance and enforcement (issue 5)

for blueprint_module in (compliance, enforcement):
    app.register_blueprint(blueprint_module.bp)

from functions import returns  # noqa: E402 - monthly returns (issue 4)

app.register_blueprint(returns.bp)

if settings().local:  # only on the local stack: never registered when deployed
    from functions import local

    app.register_blueprint(local.bp)

middleware.install(app)
fallback.install(app)
