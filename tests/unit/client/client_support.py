"""Constants and a job factory shared by the client tests."""

from __future__ import annotations

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
