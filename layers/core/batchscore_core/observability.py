"""One Logger, Tracer and Metrics for every function (service name and namespace from the env)."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Routes and records that record no metric are normal here, not worth a warning in every log.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
