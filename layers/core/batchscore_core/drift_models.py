"""The job's `drift` object (DESIGN.md) as the Job model stores it. Light: pydantic only.

The model layer's `DriftResult.to_job()` produces it; JobStore keeps floats as text, and these
types read them back as numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DriftStatus = Literal["ok", "warning", "drift", "unavailable"]
DRIFT_DETECTED = "Drift Detected"  # the EventBridge detail type (DESIGN.md)


class FeatureDrift(BaseModel):
    name: str
    measure: str
    value: float
    threshold: float
    status: DriftStatus


class PredictionDrift(BaseModel):
    measure: str | None = None
    value: float | None = None
    status: DriftStatus


class JobDrift(BaseModel):
    status: DriftStatus
    features: list[FeatureDrift] = Field(default_factory=list)
    prediction: PredictionDrift = Field(
        default_factory=lambda: PredictionDrift(status="unavailable")
    )

    @property
    def drifted(self) -> list[str]:
        """The features at `drift`, most severe first: what a `Drift Detected` event names."""
        return [feature.name for feature in self.features if feature.status == "drift"]
