from __future__ import annotations

import io
import json
import stat
import time

import pytest

from batchscore_client.cli import main
from batchscore_client.credentials import Credentials, CredentialStore
from tests.unit.client.client_support import API, COGNITO, JOB_ID, TOKEN_URL, job, job_created

UPLOAD = {"url": "https://bucket.example.test/", "fields": {"key": "k"}, "expires_at": "x"}


@pytest.fixture
def logged_in(isolated_config):
    CredentialStore(isolated_config / "credentials.json").save(
        Credentials(kind="user", token="t", expires_at=time.time() + 3600, api_url=API)
    )


@pytest.fixture
def uploads_allowed(http):
    """GET /model: the client checks the upload limit before it sends a file."""
    http.get(f"{API}/model", json={"version": "v1", "columns": [], "max_upload_bytes": 1024**2})


def test_login_saves_the_token_with_owner_only_permissions(http, isolated_config, monkeypatch):
    # Given
    http.post(
        COGNITO,
        json={
            "AuthenticationResult": {
                "IdToken": "id-1",
                "AccessToken": "a-1",
                "RefreshToken": "r",
                "ExpiresIn": 3600,
            }
        },
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))

    # When
    code = main(
        [
            "login",
            "--api-url",
            API,
            "--cognito-endpoint",
            COGNITO,
            "--user-pool-client-id",
            "c",
            "--username",
            "ana",
            "--password-stdin",
        ]
    )

    # Then
    saved = isolated_config / "credentials.json"
    assert code == 0
    assert json.loads(saved.read_text())["token"] == "a-1"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_status_uses_the_api_url_remembered_at_login(http, logged_in, capsys):
    # Given
    http.get(f"{API}/jobs/{JOB_ID}", json=job("PROCESSING", rows_done=2))

    # When
    code = main(["status", JOB_ID])

    # Then
    assert code == 0
    assert "PROCESSING" in capsys.readouterr().out


def test_json_prints_the_api_answer_for_scripts(http, logged_in, capsys):
    # Given
    http.get(f"{API}/jobs", json={"items": [job()], "next_token": None})

    # When
    main(["list", "--json"])

    # Then
    assert json.loads(capsys.readouterr().out)["items"][0]["job_id"] == JOB_ID


def test_a_missing_job_is_one_line_on_stderr_and_exit_code_4(http, logged_in, capsys):
    # Given
    http.get(
        f"{API}/jobs/{JOB_ID}",
        status=404,
        json={
            "error": {"code": "job_not_found", "message": f"job {JOB_ID} not found", "details": []}
        },
    )

    # When
    code = main(["status", JOB_ID])

    # Then
    assert code == 4
    assert (
        capsys.readouterr().err
        == f"batchscore: error: job {JOB_ID} not found [job_not_found, HTTP 404]\n"
    )


def test_a_rejected_job_shows_each_input_problem_and_exits_5(
    http, logged_in, uploads_allowed, tmp_path, capsys
):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("age\nold\n")
    http.post(job_created(http, UPLOAD)["url"], status=204)
    error = {
        "code": "invalid_input",
        "message": "1 row is invalid",
        "details": [{"line": 2, "column": "age", "message": "not a number"}],
    }
    http.get(f"{API}/jobs/{JOB_ID}", json=job("REJECTED", error=error))

    # When
    code = main(["submit", str(csv), "--wait", "--poll", "0"])

    # Then
    assert code == 5
    assert "  line 2, column 'age': not a number" in capsys.readouterr().err.splitlines()


def test_without_an_api_url_the_error_names_the_setting_and_exits_2(capsys):
    # Given no configuration at all

    # When
    code = main(["list"])

    # Then
    assert code == 2
    assert "BATCHSCORE_API_URL" in capsys.readouterr().err


def test_not_logged_in_exits_3(http, capsys):
    # Given an API URL but no saved token

    # When
    code = main(["list", "--api-url", API])

    # Then
    assert code == 3
    assert "batchscore login" in capsys.readouterr().err


def test_submit_wait_output_downloads_the_workbook(
    http, logged_in, uploads_allowed, tmp_path, capsys
):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    http.post(job_created(http, UPLOAD)["url"], status=204)
    http.get(f"{API}/jobs/{JOB_ID}", json=job("SUCCEEDED", rows_done=4))
    http.get(
        f"{API}/jobs/{JOB_ID}/result",
        json={"url": "https://bucket.example.test/r.xlsx", "expires_at": "x"},
    )
    http.get("https://bucket.example.test/r.xlsx", body=b"PK")
    out = tmp_path / "out.xlsx"

    # When
    code = main(["submit", str(csv), "--wait", "-o", str(out), "--poll", "0"])

    # Then
    assert code == 0
    assert out.read_bytes() == b"PK"
    assert "4/4 rows" in capsys.readouterr().err


def test_a_refused_request_names_the_field_at_fault(
    http, logged_in, uploads_allowed, tmp_path, capsys
):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    problem = {"location": "body", "field": "callback_url", "message": "must be an https URL"}
    http.post(
        f"{API}/jobs",
        status=422,
        json={
            "error": {
                "code": "invalid_request",
                "message": "the request is invalid",
                "details": [problem],
            }
        },
    )

    # When
    code = main(["submit", str(csv), "--callback-url", "http://example.com/h"])

    # Then
    assert code == 1
    assert "  field 'callback_url': must be an https URL" in capsys.readouterr().err.splitlines()


def test_login_with_client_credentials_saves_an_access_token(http, isolated_config, monkeypatch):
    # Given a partner program's settings in the environment
    monkeypatch.setenv("BATCHSCORE_TOKEN_URL", TOKEN_URL)
    monkeypatch.setenv("BATCHSCORE_CLIENT_ID", "partner")
    monkeypatch.setenv("BATCHSCORE_CLIENT_SECRET", "s3cret")
    http.post(TOKEN_URL, json={"access_token": "acc", "expires_in": 3600})

    # When
    code = main(["login", "--api-url", API])

    # Then
    saved = json.loads((isolated_config / "credentials.json").read_text())
    assert code == 0
    assert (saved["kind"], saved["token"]) == ("client", "acc")


def test_login_without_a_terminal_points_at_password_stdin(isolated_config, monkeypatch, capsys):
    # Given no terminal to type a password into (a script, `< /dev/null`)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    flags = ["--api-url", API, "--cognito-endpoint", COGNITO, "--user-pool-client-id", "c"]

    # When the person logs in without --password-stdin
    code = main(["login", *flags, "--username", "ana"])

    # Then one line says what to use instead, and the exit code is a usage error
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "batchscore: error: no terminal to ask for the password: pipe it in with --password-stdin"
    ]


def test_a_file_over_the_limit_is_refused_once_in_mb_before_upload(
    http, logged_in, uploads_allowed, tmp_path, capsys
):
    # Given a 2.0 MB file and a service that takes up to 1.0 MB
    csv = tmp_path / "big.csv"
    csv.write_bytes(b"a\n" + b"1\n" * (1024**2 - 1))

    # When it is submitted
    code = main(["submit", str(csv), "--wait"])

    # Then the refusal is one line, in MB, and no job was created (no POST /jobs registered)
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err == ["batchscore: error: big.csv is 2.0 MB: the service accepts files up to 1.0 MB"]


def test_a_file_the_service_refused_as_too_large_is_reported_once(
    http, logged_in, uploads_allowed, tmp_path, capsys
):
    # Given a job rejected with one placeless problem that repeats its message
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    http.post(job_created(http, UPLOAD)["url"], status=204)
    message = "patients.csv is 107 MB: over the 100 MB limit"
    error = {"code": "too_large", "message": message, "details": [{"message": message}]}
    http.get(f"{API}/jobs/{JOB_ID}", json=job("REJECTED", error=error))

    # When it is waited for
    code = main(["submit", str(csv), "--wait", "--poll", "0"])

    # Then the reason is printed once
    err = capsys.readouterr().err
    assert code == 5
    assert err.count(message) == 1
