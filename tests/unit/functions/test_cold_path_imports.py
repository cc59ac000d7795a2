"""Cold paths import only what they use, so that the cuts `make coldstart` measures cannot
regress silently: the scoring functions (handler import, then the default bundle loaded, as their
first invocation does) skip the scikit-learn modules skops' import crawls (every estimator, the
whole of sklearn.ensemble) and those `explain` needs only when reasons are asked for; the status
API skips Powertools' parser models (S3 and SQS events are the ingest functions' work); the
functions on SQS batches skip the stream and Kafka record models they never read.
"""

from __future__ import annotations

import pytest

from tests.unit.functions.fresh_interpreter import ROOT, handler_modules

BUNDLE = ROOT / "layers" / "model" / "bundle"
# Imported before the cut by skops.io's import (all_estimators, _BinMapper) or by explain.py.
OFF_THE_COLD_PATH = {
    "sklearn.calibration",
    "sklearn.compose",
    "sklearn.datasets",
    "sklearn.ensemble",
    "sklearn.gaussian_process",
    "sklearn.mixture",
    "sklearn.multiclass",
    "sklearn.naive_bayes",
    "sklearn.neural_network",
}


def cold_modules(handler: str, *, load_model: bool = True) -> set[str]:
    """The modules a fresh interpreter holds after the handler's cold path."""
    if not load_model:
        return handler_modules(handler)
    return handler_modules(
        handler,
        "from pathlib import Path\n"
        "from batchscore_model.bundle import load_bundle\n"
        f"load_bundle(Path({str(BUNDLE)!r}))\n",
    )


@pytest.mark.parametrize("handler", ["predict", "process"])
def test_the_cold_path_imports_no_module_it_does_not_use(handler: str) -> None:
    # Given a fresh interpreter with the function's code and layers on the path
    # When the handler is imported and the default bundle loaded
    loaded = cold_modules(handler)

    # Then the bundle's own modules are there and the crawled ones are not
    assert {"sklearn.pipeline", "sklearn.linear_model", "skops.io"} <= loaded
    assert not loaded & OFF_THE_COLD_PATH, sorted(loaded & OFF_THE_COLD_PATH)


def test_the_status_api_imports_no_event_parser_models() -> None:
    # Given a fresh interpreter with the status function's code and layers on the path
    # When the handler is imported
    loaded = cold_modules("status", load_model=False)

    # Then Powertools' event handler is there and its parser models are not
    assert "aws_lambda_powertools.event_handler" in loaded
    assert "aws_lambda_powertools.utilities.parser.models" not in loaded


# Powertools' batch utility imports these record models, for its type hints only, when pydantic
# is already imported: no function here reads DynamoDB streams, Kinesis or Kafka.
UNUSED_RECORD_MODELS = {
    "aws_lambda_powertools.utilities.parser.models.dynamodb",
    "aws_lambda_powertools.utilities.parser.models.kafka",
    "aws_lambda_powertools.utilities.parser.models.kinesis",
}
BATCH_HANDLERS = ["dlq", "process", "publish", "train", "train_data", "upload", "webhook"]


@pytest.mark.parametrize("handler", BATCH_HANDLERS)
def test_the_batch_functions_build_no_record_models_they_do_not_read(handler: str) -> None:
    # Given a fresh interpreter with the function's code and layers on the path
    # When the handler is imported
    loaded = handler_modules(handler)

    # Then the batch utility is there and the stream and Kafka record models are not
    assert "aws_lambda_powertools.utilities.batch" in loaded
    assert not loaded & UNUSED_RECORD_MODELS, sorted(loaded & UNUSED_RECORD_MODELS)
