"""The drift reference of a freshly trained model: its training data, its holdout predictions."""

from __future__ import annotations

import pandas as pd

from batchscore_model.bundle import Bundle
from batchscore_model.drift_reference import Reference, build_reference


def reference_for(
    train_frame: pd.DataFrame, holdout_frame: pd.DataFrame, bundle: Bundle
) -> Reference:
    """Bins of the training frame and of the holdout's predictions, predicted as the engine does."""
    prediction = bundle.predict_frame(holdout_frame[bundle.info.feature_names])
    return build_reference(train_frame, bundle.info, prediction.labels, prediction.probabilities)
