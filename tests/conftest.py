"""Shared test settings. AWS is moto everywhere: in-process for integration tests, moto's server
under the local stack for end-to-end tests. No test can reach a real AWS account."""
import os

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "eu-west-2", "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CareTracker",
    # moto checks authenticator (TOTP) codes only with this set (moto/cognitoidp/models.py)
    "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
})
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)
