"""`explain` refused at submit under moto: publish records whether a version can explain, and
POST /jobs (and ingest) refuse a job asking reasons of one that cannot, without loading it."""

from __future__ import annotations

from pathlib import Path

import publish_handler
import pytest
import upload_handler
import upload_limits

from batchscore_core import adapters
from batchscore_core.models import JobStatus
from batchscore_core.registry import VERSION
from infra.local.seed_models import Registry
from tests.integration.api.api_calls import USER_SUB, Api
from tests.integration.moto_stack import Queue, Stack
from tests.integration.pipeline.samples import valid_csv
from tests.integration.registry.registry_calls import LOGREG, archive, call
from tests.unexplainable_bundle import naive_bayes_bundle

NAIVE = "breast-cancer-naive-bayes-1"


@pytest.fixture(autouse=True)
def fresh_limits(registry: Registry) -> None:
    upload_limits.ingest_limits.cache_clear()


@pytest.fixture
def naive_version(stack: Stack, tmp_path: Path) -> str:
    """A version of breast-cancer (not an alias) that publish found it cannot explain."""
    urls = stack.sqs.list_queues()["QueueUrls"]
    url = next(u for u in urls if u.endswith("-modeluploadsqueue"))
    arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    started = call("POST", "/models/breast-cancer/versions", admin=True, body={"filename": "b"})
    assert started.status == 201, started.body
    body = archive(naive_bayes_bundle(tmp_path / "bundle", NAIVE))
    key = started.body["upload"]["fields"]["key"]
    stack.s3.put_object(Bucket=stack.bucket_name, Key=key, Body=body)
    stack.drain(Queue(url=url, arn=arn["Attributes"]["QueueArn"]), publish_handler.lambda_handler)
    upload = call("GET", f"/models/breast-cancer/uploads/{started.body['upload_id']}", admin=True)
    assert upload.body["status"] == "PUBLISHED", upload.body
    return NAIVE


def test_publish_records_whether_a_version_can_explain(naive_version: str) -> None:
    # When
    naive = call("GET", f"/models/breast-cancer/versions/{naive_version}")
    seeded = call("GET", f"/models/breast-cancer/versions/{LOGREG}")
    # Then
    assert (naive.status, naive.body["explainable"]) == (200, False)
    assert (seeded.status, seeded.body["explainable"]) == (200, True)


def test_post_jobs_refuses_explain_for_a_version_that_cannot(naive_version: str) -> None:
    # When
    answer = Api()(
        "POST",
        "/jobs",
        body={"filename": "why.csv", "explain": True, "model": f"breast-cancer@{naive_version}"},
    )
    # Then: 422 in the one error model, naming the model and the version; no job stored
    assert answer.status == 422, answer.body
    error = answer.body["error"]
    assert error["code"] == "explain_unsupported"
    assert "'breast-cancer'" in error["message"]
    assert repr(naive_version) in error["message"]
    assert error["details"] == [
        {"line": None, "column": "explain", "message": f"breast-cancer@{naive_version}"}
    ]
    assert adapters.job_store().list_owned(USER_SUB, statuses=(), archived=None)[0] == []


def test_the_same_version_without_explain_is_accepted(naive_version: str) -> None:
    # When
    answer = Api()(
        "POST", "/jobs", body={"filename": "plain.csv", "model": f"breast-cancer@{naive_version}"}
    )
    # Then
    assert answer.status == 201, answer.body


def test_explain_for_an_explainable_champion_is_accepted() -> None:
    # When
    answer = Api()("POST", "/jobs", body={"filename": "why.csv", "explain": True})
    # Then
    assert answer.status == 201, answer.body
    assert answer.body["job"]["explain"] is True


def test_a_version_published_before_the_flag_is_left_to_scoring(
    stack: Stack, naive_version: str
) -> None:
    # Given: the version's record as one published before publish recorded the flag
    table = stack.dynamodb.Table(adapters.model_registry().table_name)
    table.update_item(
        Key={"name": "breast-cancer", "sk": VERSION + naive_version},
        UpdateExpression="REMOVE explainable",
    )
    # When
    answer = Api()(
        "POST",
        "/jobs",
        body={"filename": "why.csv", "explain": True, "model": f"breast-cancer@{naive_version}"},
    )
    # Then: accepted, as before (the scoring rejects it with the same code)
    assert answer.status == 201, answer.body


def test_ingest_rejects_a_job_asking_reasons_of_a_version_that_cannot(
    stack: Stack, naive_version: str
) -> None:
    # Given: a job on that version that asks for reasons past POST /jobs (as a drop would)
    answer = Api()(
        "POST", "/jobs", body={"filename": "why.csv", "model": f"breast-cancer@{naive_version}"}
    )
    created = answer.body
    jobs = adapters.job_store()
    jobs.update(created["job_id"], {"explain": True})
    job = jobs.get(created["job_id"])
    # When its file arrives
    stack.put_object(job.input_key, valid_csv(3))
    stack.drain(stack.ingest_queue, upload_handler.lambda_handler)
    # Then it is REJECTED before any scoring, with the same code
    rejected = jobs.get(created["job_id"])
    assert rejected.status is JobStatus.REJECTED
    assert rejected.error is not None
    assert rejected.error.code == "explain_unsupported"
    assert naive_version in rejected.error.message
