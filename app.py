"""Care Tracker's API: one Chalice app, one blueprint per capability (functions/).

Scheduled jobs are separate Lambda handlers (functions/jobs.py) declared in infra/resources.yaml,
so they do not load this module.
"""
from chalice import Chalice

from care_tracker.config import settings
from functions import auth, fallback, health, middleware, windows

app = Chalice(app_name="care-tracker")
app.api.cors = False

for blueprint_module in (health, auth, windows):
    app.register_blueprint(blueprint_module.bp)

if settings().local:  # only on the local stack: never registered when deployed
    from functions import local

    app.register_blueprint(local.bp)

middleware.install(app)
fallback.install(app)
