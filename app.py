"""Care Tracker's API: one Chalice app, one blueprint per capability (functions/).

Every route is registered at import, but a capability's module is imported on its first call
(functions/capabilities.py), so a cold start loads only what its request needs.

Scheduled jobs are separate Lambda functions (functions/jobs.py; infra/package.py generates their
resources), so they do not load this module.
"""
from functions import cold_start

cold_start.pause_collector()  # before the imports: see functions/cold_start.py

from chalice import Chalice  # noqa: E402

from care_tracker.config import settings  # noqa: E402
from functions import capabilities, fallback, middleware  # noqa: E402

app = Chalice(app_name="care-tracker")
app.api.cors = False

capabilities.install(app)

if settings().local:  # only on the local stack: never registered when deployed
    from functions import local

    app.register_blueprint(local.bp)

middleware.install(app)
fallback.install(app)
