"""Constants, a job factory and the job-creation answer shared by the client tests."""

from __future__ import annotations

from typing import Any

import responses

API = "https://api.example.test"
COGNITO = "https://cognito.example.test/"
TOKEN_URL = "https://auth.example.test/oauth2/token"
JOB_ID = "0123456789abcdef0123456789abcdef"


def job(status: str = "QUEUED", **extra: object) -> dict[str, object]:
    return {
        "job_id": JOB_ID,
        "status": status,
        "filename": "patients.csv",
        "source": "api",
        "created_at": "2026-11-22T04:00:00.000Z",
        "updated_at": "2026-11-22T04:00:01.000Z",
        "rows_total": 4,
        "rows_done": 0,
        "model_version": "v1",
        "archived": False,
        **extra,
    }


def job_created(
    http: responses.RequestsMock, upload: dict[str, Any], **options: Any
) -> dict[str, Any]:
    """POST /jobs answers 201: the job AWAITING_UPLOAD and its presigned upload form."""
    http.post(
        f"{API}/jobs",
        status=201,
        json={"job_id": JOB_ID, "status": "AWAITING_UPLOAD", "upload": upload},
        **options,
    )
    return upload
