from __future__ import annotations

import pytest
from responses import matchers

from batchscore_client.api import BatchscoreClient, result_filename
from batchscore_client.errors import ApiError, FileTooLarge, JobDidNotSucceed, TransferError
from tests.unit.client.client_support import API, JOB_ID, job, job_created

UPLOAD = {
    "url": "https://bucket.example.test/",
    "fields": {"key": "uploads/o/j/input.csv", "Content-Type": "text/csv", "policy": "p"},
    "expires_at": "x",
}


class StaticTokens:
    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.renewed = 0

    def bearer(self) -> str:
        return self.tokens[min(self.renewed, len(self.tokens) - 1)]

    def renew(self) -> None:
        self.renewed += 1


def client(*tokens: str) -> BatchscoreClient:
    return BatchscoreClient(API + "/", StaticTokens(*(tokens or ("t",))))


def test_create_job_sends_the_filename_callback_and_bearer_token(http):
    # Given
    job_created(
        http,
        UPLOAD,
        match=[
            matchers.json_params_matcher(
                {"filename": "patients.csv", "callback_url": "https://p.example/h"}
            ),
            matchers.header_matcher({"Authorization": "Bearer t"}),
        ],
    )

    # When
    created = client().create_job("patients.csv", "https://p.example/h")

    # Then
    assert created["job_id"] == JOB_ID


def allow_uploads_up_to(http, limit: int = 100 * 1024 * 1024) -> None:
    http.get(f"{API}/model", json={"version": "v1", "columns": [], "max_upload_bytes": limit})


def test_submit_uploads_the_file_with_the_presigned_post_fields(http, tmp_path):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("a,b\n1,2\n")
    allow_uploads_up_to(http)
    job_created(http, UPLOAD)
    http.post(UPLOAD["url"], status=204)

    # When
    submitted = client().submit(csv)

    # Then
    sent = http.calls[2].request
    assert b'name="policy"' in sent.body
    assert b"a,b\n1,2\n" in sent.body
    assert "Authorization" not in sent.headers
    assert submitted == {"job_id": JOB_ID, "status": "AWAITING_UPLOAD"}


def test_a_refused_upload_reports_s3s_message(http, tmp_path):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    allow_uploads_up_to(http)
    job_created(http, UPLOAD)
    http.post(
        UPLOAD["url"],
        status=400,
        body="<Error><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>",
    )

    # When / Then
    with pytest.raises(TransferError, match="exceeds the maximum allowed size"):
        client().submit(csv)


def test_a_file_over_the_upload_limit_is_refused_before_anything_is_sent(http, tmp_path):
    # Given a service that takes files up to 1 MB and a 2.5 MB file
    csv = tmp_path / "big.csv"
    csv.write_bytes(b"a\n" + b"1\n" * (5 * 1024 * 1024 // 4))
    allow_uploads_up_to(http, 1024 * 1024)

    # When it is submitted
    with pytest.raises(FileTooLarge) as refused:
        client().submit(csv)

    # Then it is refused in MB, and no job was created, nothing uploaded
    assert str(refused.value) == "big.csv is 2.5 MB: the service accepts files up to 1.0 MB"
    assert [call.request.method for call in http.calls] == ["GET"]


def test_a_token_that_may_not_read_the_model_still_submits(http, tmp_path):
    # Given a partner token without jobs/read (GET /model answers 403)
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    http.get(f"{API}/model", status=403, json={"message": "Forbidden"})
    job_created(http, UPLOAD)
    http.post(UPLOAD["url"], status=204)

    # When it submits a file
    submitted = client().submit(csv)

    # Then the upload goes ahead (the service checks the size itself)
    assert submitted["job_id"] == JOB_ID


def test_api_errors_carry_code_message_and_details(http):
    # Given
    http.get(
        f"{API}/jobs/{JOB_ID}",
        status=404,
        json={
            "error": {
                "code": "job_not_found",
                "message": "job not found",
                "details": [{"line": None, "column": None, "message": "x"}],
            }
        },
    )

    # When
    with pytest.raises(ApiError) as raised:
        client().get_job(JOB_ID)

    # Then
    assert (raised.value.status, raised.value.code, raised.value.exit_code) == (
        404,
        "job_not_found",
        4,
    )
    assert raised.value.details[0].message == "x"


def test_a_401_renews_the_token_once_and_retries(http):
    # Given
    http.get(
        f"{API}/jobs/{JOB_ID}",
        status=401,
        json={"message": "Unauthorized"},
        match=[matchers.header_matcher({"Authorization": "Bearer old"})],
    )
    http.get(
        f"{API}/jobs/{JOB_ID}",
        json=job(),
        match=[matchers.header_matcher({"Authorization": "Bearer new"})],
    )

    # When
    found = client("old", "new").get_job(JOB_ID)

    # Then
    assert found["job_id"] == JOB_ID


def test_list_jobs_passes_filters_and_returns_the_next_token(http):
    # Given
    http.get(
        f"{API}/jobs",
        json={"items": [job("FAILED")], "next_token": "n1"},
        match=[
            matchers.query_param_matcher({"limit": "5", "status": "FAILED", "archived": "true"})
        ],
    )

    # When
    items, token = client().list_jobs(status="FAILED", archived=True, limit=5)

    # Then
    assert ([i["status"] for i in items], token) == (["FAILED"], "n1")


def test_download_saves_the_workbook_under_the_uploaded_name(http, tmp_path):
    # Given
    http.get(f"{API}/jobs/{JOB_ID}", json=job("SUCCEEDED"))
    http.get(
        f"{API}/jobs/{JOB_ID}/result",
        json={"url": "https://bucket.example.test/r.xlsx?sig=1", "expires_at": "x"},
    )
    http.get("https://bucket.example.test/r.xlsx", body=b"PK-workbook")

    # When
    saved = client().download(JOB_ID, tmp_path)

    # Then
    assert saved == tmp_path / "patients.xlsx"
    assert saved.read_bytes() == b"PK-workbook"


def test_wait_reports_each_poll_until_the_job_succeeds(http):
    # Given
    http.get(f"{API}/jobs/{JOB_ID}", json=job("PROCESSING", rows_done=2))
    http.get(f"{API}/jobs/{JOB_ID}", json=job("SUCCEEDED", rows_done=4))
    seen: list[int] = []

    # When
    final = client().wait(
        JOB_ID, on_update=lambda j: seen.append(j["rows_done"]), sleep=lambda _: None
    )

    # Then
    assert (final["status"], seen) == ("SUCCEEDED", [2, 4])


def test_wait_raises_with_the_error_report_when_the_job_is_rejected(http):
    # Given
    error = {
        "code": "invalid_input",
        "message": "2 rows are invalid",
        "details": [{"line": 3, "column": "age", "message": "not a number"}],
    }
    http.get(f"{API}/jobs/{JOB_ID}", json=job("REJECTED", error=error))

    # When
    with pytest.raises(JobDidNotSucceed) as raised:
        client().wait(JOB_ID, sleep=lambda _: None)

    # Then
    assert (raised.value.code, raised.value.details[0].line) == ("invalid_input", 3)


@pytest.mark.parametrize(
    ("uploaded", "workbook"),
    [
        ("a.csv", "a.xlsx"),
        ("dir/B.CSV", "B.xlsx"),
        ("plain", "plain.xlsx"),
        ("c.csv.gz", "c.xlsx"),
        ("D.xlsx", "D.xlsx"),
    ],
)
def test_result_filename_swaps_csv_for_xlsx(uploaded, workbook):
    # Given an uploaded file name

    # When / Then
    assert result_filename(uploaded) == workbook
