"""`explain` refused at submit, through the local runtime: a version that cannot explain (its
publish said so) answers POST /jobs with 422 `explain_unsupported`; without explain it is fine."""

from __future__ import annotations

import pytest

from tests.e2e.registry_support import archive_of, fresh_model_name, publish
from tests.unexplainable_bundle import naive_bayes_bundle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def naive_model(local_stack, admin, tmp_path_factory) -> tuple[str, str]:
    """A model of this module whose only version is a naive Bayes classifier."""
    name = fresh_model_name()
    version = f"{name}-nb"
    bundle = naive_bayes_bundle(tmp_path_factory.mktemp("naive") / "bundle", version)
    upload = publish(admin, local_stack, name, archive_of(bundle))
    assert upload["status"] == "PUBLISHED", upload
    return name, version


def test_a_job_asking_reasons_of_a_model_that_cannot_explain_is_refused_at_submit(
    admin, naive_model
) -> None:
    # Given
    name, version = naive_model
    # When
    answer = admin.request(
        "POST", "/jobs", json={"filename": "why.csv", "model": name, "explain": True}
    )
    # Then
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "explain_unsupported"
    assert name in error["message"]
    assert version in error["message"]
    assert admin.get_json(f"/models/{name}/versions/{version}")["explainable"] is False


def test_the_same_model_without_explain_takes_the_job(admin, naive_model) -> None:
    # Given
    name, version = naive_model
    # When
    answer = admin.request("POST", "/jobs", json={"filename": "plain.csv", "model": name})
    # Then
    assert answer.status_code == 201, answer.text
    assert answer.json()["job"]["model_version"] == version
