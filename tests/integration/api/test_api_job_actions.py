"""One job: read, download link, retry, archive, delete; another owner's job is not there."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from batchscore_core.models import JobSource, JobStatus
from batchscore_core.store import JobStore
from tests.integration.api.api_calls import OTHER_SUB, USER_SUB, Api, put_state
from tests.integration.moto_stack import Stack

MISSING_JOB = "0123456789abcdef0123456789abcdef"


def _succeed(stack: Stack, jobs: JobStore, job_id: str) -> str | None:
    """Leave the job as the processing function would: a result workbook and SUCCEEDED."""
    key = f"results/{USER_SUB}/{job_id}/march.xlsx"
    version = stack.put_object(key, b"PK fake workbook")
    put_state(jobs, job_id, JobStatus.SUCCEEDED, result_key=key, result_version_id=version)
    return version


def test_get_answers_the_job_in_its_wire_shape(api: Api) -> None:
    # Given a job
    job_id = api.create("march.csv")["job_id"]

    # When the owner reads it
    answer = api("GET", f"/jobs/{job_id}")

    # Then every field of the wire shape is there, and no storage detail
    assert answer.status == 200
    assert {
        "job_id",
        "status",
        "filename",
        "source",
        "created_at",
        "updated_at",
        "rows_total",
        "rows_done",
        "model_version",
        "archived",
        "error",
    } <= set(answer.body)
    assert not {"owner", "input_key", "result_key"} & set(answer.body)


@pytest.mark.parametrize("job_id", [MISSING_JOB, "not-a-job-id", "A" * 32, "x" * 3000])
def test_an_unknown_or_malformed_job_is_not_found(api: Api, job_id: str) -> None:
    # Given an id of no job
    # When it is read
    answer = api("GET", f"/jobs/{job_id}")

    # Then it is not found
    assert answer.status == 404
    assert answer.body["error"]["code"] == "job_not_found"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "/result", None),
        ("POST", "/retry", None),
        ("POST", "/archive", {"archived": True}),
        ("DELETE", "", None),
    ],
)
def test_another_owners_job_answers_like_a_missing_one(
    api: Api, method: str, suffix: str, body: dict[str, bool] | None
) -> None:
    # Given another person's job
    theirs = api.create(sub=OTHER_SUB)["job_id"]

    # When I act on it, and on a job that does not exist
    answer = api(method, f"/jobs/{theirs}{suffix}", body=body)
    missing = api(method, f"/jobs/{MISSING_JOB}{suffix}", body=body)

    # Then both answers are the same 404
    assert answer.status == missing.status == 404
    assert answer.body == missing.body


def test_another_owners_job_is_left_alone(api: Api, jobs: JobStore) -> None:
    # Given another person's job
    theirs = api.create(sub=OTHER_SUB)["job_id"]

    # When I try to delete it
    api("DELETE", f"/jobs/{theirs}")

    # Then it is still there
    assert jobs.get(theirs).status is JobStatus.AWAITING_UPLOAD


# (method, action, a state the action is refused in, the error code): no result link before the
# job succeeds; no retry unless it failed or was rejected
REFUSED_ACTIONS = [
    *(
        ("GET", "result", status, "result_not_ready")
        for status in (
            JobStatus.AWAITING_UPLOAD,
            JobStatus.QUEUED,
            JobStatus.PROCESSING,
            JobStatus.FAILED,
        )
    ),
    *(
        ("POST", "retry", status, "invalid_transition")
        for status in (JobStatus.SUCCEEDED, JobStatus.PROCESSING)
    ),
]


@pytest.mark.parametrize(
    ("method", "action", "status", "code"),
    REFUSED_ACTIONS,
    ids=[f"{action}-{status.value}" for _, action, status, _ in REFUSED_ACTIONS],
)
def test_an_action_the_jobs_state_does_not_allow_is_refused(
    api: Api, jobs: JobStore, stack: Stack, method: str, action: str, status: JobStatus, code: str
) -> None:
    # Given a job in a state the action is not for
    job_id = api.create()["job_id"]
    put_state(jobs, job_id, status)

    # When the owner asks for it
    answer = api(method, f"/jobs/{job_id}/{action}")

    # Then it is refused with the reason, and nothing is queued
    assert answer.status == 409
    assert answer.body["error"]["code"] == code
    assert stack.message_bodies(stack.jobs_queue) == []


def test_the_result_link_downloads_the_workbook_under_its_name(
    api: Api, jobs: JobStore, stack: Stack
) -> None:
    # Given a job that succeeded
    job_id = api.create("march.csv")["job_id"]
    version = _succeed(stack, jobs, job_id)

    # When its result is asked for
    answer = api("GET", f"/jobs/{job_id}/result")

    # Then the link is a presigned GET of that version, saved as march.xlsx
    assert answer.status == 200
    query = parse_qs(urlsplit(answer.body["url"]).query)
    assert urlsplit(answer.body["url"]).path.endswith(f"/results/{USER_SUB}/{job_id}/march.xlsx")
    assert query["response-content-disposition"] == ['attachment; filename="march.xlsx"']
    assert query["X-Amz-Expires"] == ["300"]
    assert query["versionId"] == [version]
    assert answer.body["expires_at"].endswith("Z")


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.REJECTED])
def test_retry_queues_a_failed_or_rejected_job_again(
    api: Api, jobs: JobStore, stack: Stack, status: JobStatus
) -> None:
    # Given a job that ended badly, with an error and some progress
    job_id = api.create()["job_id"]
    error = {"code": "bad_rows", "message": "2 rows are invalid", "details": []}
    put_state(jobs, job_id, status, error=error, rows_done=40)

    # When the owner retries it
    answer = api("POST", f"/jobs/{job_id}/retry")

    # Then it is queued again, fresh, and on the jobs queue
    assert answer.status == 202
    assert answer.body["status"] == "QUEUED"
    assert answer.body["error"] is None
    assert answer.body["rows_done"] == 0
    assert stack.message_bodies(stack.jobs_queue) == [{"job_id": job_id}]


def test_archive_without_a_body_archives(api: Api) -> None:
    # Given a job
    job_id = api.create()["job_id"]

    # When the owner archives it with no body
    answer = api("POST", f"/jobs/{job_id}/archive")

    # Then it is archived
    assert answer.status == 200
    assert answer.body["archived"] is True


def test_archive_false_brings_a_job_back(api: Api, jobs: JobStore) -> None:
    # Given an archived job
    job_id = api.create()["job_id"]
    jobs.update(job_id, {"archived": True})

    # When the owner unarchives it
    answer = api("POST", f"/jobs/{job_id}/archive", body={"archived": False})

    # Then it is active again
    assert answer.body["archived"] is False
    assert jobs.get(job_id).archived is False


def test_archive_refuses_a_body_that_is_not_a_flag(api: Api) -> None:
    # Given a job
    job_id = api.create()["job_id"]

    # When the archive body is not a boolean
    answer = api("POST", f"/jobs/{job_id}/archive", body={"archived": "maybe"})

    # Then the request is refused, naming the field
    assert answer.status == 422
    assert [d["column"] for d in answer.body["error"]["details"]] == ["archived"]


def test_delete_removes_the_job(api: Api, jobs: JobStore) -> None:
    # Given a job
    job_id = api.create()["job_id"]

    # When the owner deletes it
    answer = api("DELETE", f"/jobs/{job_id}")

    # Then it answers 204 and the job is gone
    assert answer.status == 204
    assert answer.body is None
    assert api("GET", f"/jobs/{job_id}").status == 404


def test_delete_removes_the_uploaded_input_and_the_result(
    api: Api, jobs: JobStore, stack: Stack
) -> None:
    # Given a finished job with its input and result in the bucket
    job_id = api.create("march.csv")["job_id"]
    stack.put_object(f"uploads/{USER_SUB}/{job_id}/input.csv", b"a,b\n1,2\n")
    _succeed(stack, jobs, job_id)

    # When the owner deletes it
    api("DELETE", f"/jobs/{job_id}")

    # Then no version of any of its objects is left
    for prefix in (f"uploads/{USER_SUB}/{job_id}/", f"results/{USER_SUB}/{job_id}/"):
        left = stack.s3.list_object_versions(Bucket=stack.bucket_name, Prefix=prefix)
        assert left.get("Versions", []) + left.get("DeleteMarkers", []) == []


def test_delete_of_a_drop_folder_job_removes_only_its_outbox_files(
    api: Api, jobs: JobStore, stack: Stack
) -> None:
    # Given a drop-folder job of this owner, with its result and error report in the outbox
    job_id = api.create("sales.csv")["job_id"]
    result_version = stack.put_object("outbox/acme/sales.xlsx", b"PK workbook")
    report_version = stack.put_object(
        "outbox/acme/sales.errors.json", json.dumps({"rows": []}).encode()
    )
    stack.put_object("dropbox/acme/sales.csv", b"a,b\n1,2\n")
    jobs.update(
        job_id,
        {
            "source": JobSource.DROPBOX.value,
            "result_key": "outbox/acme/sales.xlsx",
            "result_version_id": result_version,
            "error_report_key": "outbox/acme/sales.errors.json",
            "error_report_version_id": report_version,
        },
    )

    # When the owner deletes it
    api("DELETE", f"/jobs/{job_id}")

    # Then the outbox files are gone and the partner's input stays
    versions = stack.s3.list_object_versions(Bucket=stack.bucket_name, Prefix="outbox/")
    assert result_version not in [v["VersionId"] for v in versions.get("Versions", [])]
    live = stack.s3.list_objects_v2(Bucket=stack.bucket_name).get("Contents", [])
    # (models/ holds the registry's bundles: no job's files)
    jobs_files = [obj["Key"] for obj in live if not obj["Key"].startswith("models/")]
    assert jobs_files == ["dropbox/acme/sales.csv"]
