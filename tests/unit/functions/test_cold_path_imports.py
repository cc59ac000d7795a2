"""Cold paths import only what they use, so that the cuts `make coldstart` measures cannot
regress silently: the scoring functions (handler import, then the default bundle loaded, as their
first invocation does) skip the scikit-learn modules skops' import crawls (every estimator, the
whole of sklearn.ensemble) and those `explain` needs only when reasons are asked for; the status
API skips Powertools' parser models (S3 and SQS events are the ingest functions' work).
"""

from __future__ import annotations

import pytest

from tests.unit.functions.fresh_interpreter import ROOT, modules_after

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
    code = f"import {handler}_handler\n"
    if load_model:
        code += (
            "from pathlib import Path\n"
            "from batchscore_model.bundle import load_bundle\n"
            f"load_bundle(Path({str(BUNDLE)!r}))\n"
        )
    return modules_after(code, [f"functions/{handler}", "layers/core", "layers/model"])


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
