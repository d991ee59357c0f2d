"""Prefect flows for lso-etl. Thin: each step is a library call from `lso_etl`.

Prefect reads its settings at import time, so the offline-friendly defaults are set here,
before the first `import prefect`: no telemetry from a machine without internet, and the
library's own loggers shown in Prefect's run logs.
"""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "lso_etl")
# The same library code also runs outside flows (tests, `lso-etl parse`): its log lines then
# simply do not go to the Prefect API, which is not worth a warning.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
