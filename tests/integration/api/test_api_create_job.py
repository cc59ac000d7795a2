"""POST /jobs: the job is stored first, then a presigned POST bound to its upload key."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
import requests

from batchscore_core.models import JobSource, JobStatus
from batchscore_core.settings import get_settings
from batchscore_core.store import JobStore
from tests.integration.api.api_calls import PARTNER, USER_SUB, Api
from tests.integration.moto_stack import Stack


def _policy(created: dict[str, object]) -> dict[str, object]:
    fields = created["upload"]["fields"]  # type: ignore[index]
    decoded: dict[str, object] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def test_create_answers_201_with_the_job_awaiting_its_upload(api: Api) -> None:
    # Given a person signed in to the web page
    # When they create a job
    answer = api("POST", "/jobs", body={"filename": "march scores.csv"})

    # Then the job awaits its upload and the answer carries the upload form
    assert answer.status == 201
    assert answer.body["status"] == "AWAITING_UPLOAD"
    assert answer.body["job"]["job_id"] == answer.body["job_id"]
    assert answer.body["job"]["filename"] == "march scores.csv"
    assert set(answer.body["upload"]) == {"url", "fields", "expires_at"}


def test_create_stores_the_job_before_answering(api: Api, jobs: JobStore) -> None:
    # Given a person
    # When they create a job
    created = api.create("march.csv")

    # Then the job is in the table, owned by the caller
    stored = jobs.get(created["job_id"])
    assert stored.owner == USER_SUB
    assert stored.status is JobStatus.AWAITING_UPLOAD
    assert stored.input_key == f"uploads/{USER_SUB}/{created['job_id']}/input.csv"


def test_a_person_on_the_web_page_creates_web_jobs(api: Api, jobs: JobStore) -> None:
    # Given a person's request from a browser page (browsers send Origin)
    headers = {"Origin": "https://site.example.com"}

    # When they create a job
    answer = api("POST", "/jobs", body={"filename": "in.csv"}, headers=headers)

    # Then its source is the web
    assert jobs.get(answer.body["job_id"]).source is JobSource.WEB


def test_a_person_without_a_browser_creates_api_jobs(api: Api, jobs: JobStore) -> None:
    # Given a person's request from the CLI or curl (no Origin header)
    # When they create a job
    created = api.create("march.csv")

    # Then its source is the API
    assert jobs.get(created["job_id"]).source is JobSource.API


def test_a_machine_client_creates_api_jobs(api: Api, jobs: JobStore) -> None:
    # Given a partner program with a client-credentials token
    # When it creates a job
    created = api.create(caller="machine")

    # Then the job belongs to the client id and its source is the API
    stored = jobs.get(created["job_id"])
    assert (stored.owner, stored.source) == (PARTNER, JobSource.API)


def test_a_callback_url_becomes_the_jobs_webhook(api: Api, jobs: JobStore, webhook_secrets) -> None:
    # Given a partner with a signing secret that wants to hear when the job ends
    webhook_secrets(PARTNER)
    body = {"filename": "in.csv", "callback_url": "https://partner.example.com/hooks"}

    # When it creates a job with a callback URL
    answer = api("POST", "/jobs", caller="machine", body=body)

    # Then the job's webhook points there
    assert answer.status == 201, answer.body
    webhook = jobs.get(answer.body["job_id"]).webhook
    assert webhook is not None
    assert webhook.url == "https://partner.example.com/hooks"


def test_a_callback_without_a_signing_secret_is_refused_at_submit(
    api: Api, jobs: JobStore, webhook_secrets
) -> None:
    # Given a partner with no secret (another one has a secret)
    webhook_secrets("some-other-client")
    body = {"filename": "in.csv", "callback_url": "https://partner.example.com/hooks"}

    # When it creates a job with a callback URL
    answer = api("POST", "/jobs", caller="machine", body=body)

    # Then it is told at once, and no job is created
    assert answer.status == 422
    assert [d["column"] for d in answer.body["error"]["details"]] == ["callback_url"]
    assert "secret" in answer.body["error"]["details"][0]["message"]
    assert jobs.list_owned(PARTNER)[0] == []


@pytest.mark.parametrize(
    "callback_url",
    [
        "http://partner.example.com/hooks",
        "ftp://partner.example.com/",
        "not a url",
        "https://169.254.169.254/latest/meta-data/",
        "https://169.254.170.2/v2/credentials",
        "https://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "https://[::ffff:169.254.169.254]/",
        "https://2130706433/",
        "https://10.0.0.1/",
        "https://user:pw@partner.example.com/hooks",
        "https://partner.example.com:8443/hooks",
    ],
)
def test_a_callback_must_be_https_to_a_public_host_on_443(
    api: Api, callback_url: str, webhook_secrets
) -> None:
    # Given a caller with a secret, and a callback that batchscore will not deliver to
    webhook_secrets(USER_SUB)
    body = {"filename": "in.csv", "callback_url": callback_url}

    # When a job is created with it
    answer = api("POST", "/jobs", body=body)

    # Then the request is refused, naming the field
    assert answer.status == 422
    assert answer.body["error"]["code"] == "invalid_request"
    assert [d["column"] for d in answer.body["error"]["details"]] == ["callback_url"]


def test_a_loopback_http_callback_is_refused_by_default(api: Api, webhook_secrets) -> None:
    # Given a deployment that does not allow loopback callbacks (the default)
    webhook_secrets(USER_SUB)
    body = {"filename": "in.csv", "callback_url": "http://127.0.0.1:9000/hooks"}

    # When a job is created with a loopback http callback
    answer = api("POST", "/jobs", body=body)

    # Then it is refused, naming the field
    assert answer.status == 422
    assert [d["column"] for d in answer.body["error"]["details"]] == ["callback_url"]


def test_a_loopback_http_callback_is_allowed_for_local_runs(
    api: Api, jobs: JobStore, monkeypatch: pytest.MonkeyPatch, webhook_secrets
) -> None:
    # Given a local stack (template parameter AllowLoopbackCallbacks=true)
    webhook_secrets(USER_SUB)
    monkeypatch.setenv("ALLOW_LOOPBACK_CALLBACKS", "true")
    get_settings.cache_clear()
    body = {"filename": "in.csv", "callback_url": "http://localhost:9000/hooks"}

    # When a job is created with a loopback http callback
    answer = api("POST", "/jobs", body=body)

    # Then the webhook is kept
    assert answer.status == 201
    webhook = jobs.get(answer.body["job_id"]).webhook
    assert webhook is not None
    assert webhook.url == "http://localhost:9000/hooks"


@pytest.mark.parametrize(
    "filename",
    [
        "dir/scores.csv",
        "..\\scores.csv",
        "scores.txt",
        ".csv",
        "bad\x07name.csv",
        "line\nbreak.csv",
        "x" * 252 + ".csv",
        "",
    ],
)
def test_the_filename_must_be_a_plain_csv_name(api: Api, filename: str) -> None:
    # Given a file name that is not a plain .csv name of at most 255 characters
    # When a job is created with it
    answer = api("POST", "/jobs", body={"filename": filename})

    # Then the request is refused, naming the field
    assert answer.status == 422
    assert answer.body["error"]["code"] == "invalid_request"
    assert [d["column"] for d in answer.body["error"]["details"]] == ["filename"]


def test_a_missing_body_is_refused(api: Api) -> None:
    # Given no body at all
    # When a job is created
    answer = api("POST", "/jobs")

    # Then the request is refused with the one error shape
    assert answer.status == 422
    assert answer.body["error"]["code"] == "invalid_request"


def test_a_body_that_is_not_json_is_refused(api: Api) -> None:
    # Given a body that does not parse
    # When a job is created with it
    answer = api("POST", "/jobs", body="{not json")

    # Then the request is refused with the one error shape
    assert answer.status == 422
    assert answer.body["error"]["code"] == "invalid_request"


def test_the_upload_policy_binds_key_size_type_and_expiry(api: Api, stack: Stack) -> None:
    # Given a job just created
    before = datetime.now(UTC)
    created = api.create()

    # When the presigned POST's policy is decoded
    policy = _policy(created)

    # Then it allows exactly the job's key, a CSV, 1 byte to the size limit, for a short time
    conditions = policy["conditions"]
    key = f"uploads/{USER_SUB}/{created['job_id']}/input.csv"
    limit = get_settings().max_upload_bytes
    assert {"key": key} in conditions
    assert {"bucket": stack.bucket_name} in conditions
    assert ["content-length-range", 1, limit] in conditions
    assert {"Content-Type": "text/csv"} in conditions
    expires = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
    ttl = get_settings().upload_url_ttl_seconds
    assert 0 < (expires - before).total_seconds() <= ttl + 5
    assert created["upload"]["fields"]["key"] == key


def test_the_upload_form_uploads_the_csv(api: Api, stack: Stack) -> None:
    # Given a job and its upload form
    created = api.create()
    upload = created["upload"]

    # When the browser posts the file with the form's fields
    answer = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("scores.csv", b"a,b\n1,2\n", "text/csv")},
        timeout=10,
    )

    # Then the object lands at the job's upload key
    assert answer.status_code == 204
    head = stack.s3.head_object(Bucket=stack.bucket_name, Key=upload["fields"]["key"])
    assert head["ContentLength"] == len(b"a,b\n1,2\n")


def test_the_same_idempotency_key_returns_the_same_job(api: Api) -> None:
    # Given a job created with an Idempotency-Key
    first = api.create(headers={"Idempotency-Key": "order-42"})

    # When the same request is retried with the same key
    again = api.create(headers={"Idempotency-Key": "order-42"})

    # Then the same job comes back, with an upload form for it
    assert again["job_id"] == first["job_id"]
    assert again["upload"]["fields"]["key"] == first["upload"]["fields"]["key"]


def test_an_idempotent_retry_creates_no_second_job(api: Api) -> None:
    # Given a job created with an Idempotency-Key
    api.create(headers={"Idempotency-Key": "order-42"})

    # When the request is retried
    api.create(headers={"Idempotency-Key": "order-42"})

    # Then the caller has one job
    assert len(api("GET", "/jobs").body["items"]) == 1


def test_different_idempotency_keys_create_different_jobs(api: Api) -> None:
    # Given a job created with one key
    first = api.create(headers={"Idempotency-Key": "order-42"})

    # When another request uses another key
    second = api.create(headers={"Idempotency-Key": "order-43"})

    # Then it is another job
    assert second["job_id"] != first["job_id"]


def test_an_idempotency_key_is_per_caller(api: Api) -> None:
    # Given a job created by a person with a key
    mine = api.create(headers={"Idempotency-Key": "order-42"})

    # When a partner program uses the same key
    theirs = api.create(caller="machine", headers={"Idempotency-Key": "order-42"})

    # Then the partner gets its own job
    assert theirs["job_id"] != mine["job_id"]


def test_an_idempotency_key_reused_with_another_body_is_refused(api: Api) -> None:
    # Given a job created with a key
    api.create("first.csv", headers={"Idempotency-Key": "order-42"})

    # When the key is reused for a different request
    answer = api(
        "POST", "/jobs", body={"filename": "other.csv"}, headers={"Idempotency-Key": "order-42"}
    )

    # Then it is refused as an idempotency conflict
    assert answer.status == 422
    assert answer.body["error"]["code"] == "idempotency_conflict"
