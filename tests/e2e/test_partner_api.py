"""Partner programs on the local stack: OAuth2 client credentials at the local token URL, the
API's per-route scopes, the CLI as a partner, and `Idempotency-Key` on `POST /jobs`."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from sklearn.datasets import load_breast_cancer

from infra.local.partner_client import PartnerClient
from tests.e2e.cli_support import REPO, Cli

pytestmark = pytest.mark.e2e

TIMEOUT = 30
ALL_SCOPES = ("jobs/read", "jobs/write", "jobs/predict")


class Partner(PartnerClient):
    """One partner app client of the local user pool, as an operator would create it."""

    def headers(self, scope: str | None = None) -> dict[str, str]:
        answer = self.token_answer(scope=scope)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def partner_with(local_stack) -> Callable[..., Partner]:
    cognito = local_stack.boto3_client("cognito-idp")
    return lambda *scopes: Partner.create(
        cognito, local_stack.outputs, scopes, name="partner", timeout=TIMEOUT
    )


@pytest.fixture(scope="module")
def one_row() -> dict[str, float]:
    """A row of the default model's schema: breast-cancer features without `target`."""
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    row: dict[str, float] = frame.iloc[0].to_dict()
    return row


def create_job(stack: Any, headers: dict[str, str], key: str | None = None) -> requests.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return requests.post(
        f"{stack.api_url}/jobs",
        json={"filename": "partner.csv"},
        headers={**headers, **extra},
        timeout=TIMEOUT,
    )


def partner_cli(stack: Any, partner: Partner, config_dir: Path) -> Cli:
    """The `batchscore` command configured as a partner program (no login)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATCHSCORE_", "AWS_"))}
    env.update(
        {
            "PYTHONPATH": str(REPO / "client"),
            "BATCHSCORE_CONFIG_DIR": str(config_dir),
            "BATCHSCORE_API_URL": stack.api_url,
            "BATCHSCORE_TOKEN_URL": stack.outputs["TokenUrl"],
            "BATCHSCORE_CLIENT_ID": partner.client_id,
            "BATCHSCORE_CLIENT_SECRET": partner.secret,
            "BATCHSCORE_SCOPES": "jobs/read jobs/write",
        }
    )
    return Cli(env)


def test_stack_outputs_name_the_local_token_url(local_stack):
    # Given / When
    token_url = local_stack.outputs["TokenUrl"]

    # Then
    assert token_url == f"{local_stack.web_url}/oauth2/token"


def test_example_partner_client_gets_a_token(local_stack):
    # Given the template's example partner client, which the local stack creates
    client_id = local_stack.outputs["PartnerExampleClientId"]
    secret = local_stack.boto3_client("cognito-idp").describe_user_pool_client(
        UserPoolId=local_stack.outputs["UserPoolId"], ClientId=client_id
    )["UserPoolClient"]["ClientSecret"]

    # When
    answer = PartnerClient(
        local_stack.outputs["TokenUrl"], client_id, secret, timeout=TIMEOUT
    ).token_answer()

    # Then
    assert (answer.status_code, answer.json()["token_type"]) == (200, "Bearer")


def test_wrong_client_secret_is_invalid_client(partner_with):
    # Given
    partner = partner_with("jobs/read")

    # When
    answer = partner.token_answer(secret="not-the-secret")

    # Then
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")


def test_scope_the_client_lacks_is_invalid_scope(partner_with):
    # Given
    partner = partner_with("jobs/read")

    # When
    answer = partner.token_answer(scope="jobs/write")

    # Then
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_scope")


def test_partner_cli_submits_a_job_that_succeeds(local_stack, partner_with, tmp_path):
    # Given a partner with jobs/read and jobs/write, and a CSV of the model's columns
    cli = partner_cli(local_stack, partner_with("jobs/read", "jobs/write"), tmp_path / "config")
    csv = tmp_path / "partner.csv"
    load_breast_cancer(as_frame=True).frame.drop(columns=["target"]).head(5).to_csv(
        csv, index=False
    )

    # When
    done = cli("submit", str(csv), "--wait", "--json", "--poll", "0.5")

    # Then
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "SUCCEEDED"


def test_read_only_token_cannot_create_a_job(local_stack, partner_with):
    # Given
    headers = partner_with("jobs/read").headers()

    # When
    answer = create_job(local_stack, headers)

    # Then
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "forbidden")


def test_read_only_token_lists_jobs(local_stack, partner_with):
    # Given
    headers = partner_with("jobs/read").headers()

    # When
    answer = requests.get(f"{local_stack.api_url}/jobs", headers=headers, timeout=TIMEOUT)

    # Then
    assert (answer.status_code, answer.json()["items"]) == (200, [])


def test_token_without_predict_scope_cannot_predict(local_stack, partner_with, one_row):
    # Given
    headers = partner_with("jobs/read", "jobs/write").headers()

    # When
    answer = requests.post(
        f"{local_stack.api_url}/predict", json={"rows": [one_row]}, headers=headers, timeout=60
    )

    # Then
    assert answer.status_code == 403


def test_token_with_predict_scope_gets_predictions(local_stack, partner_with, one_row):
    # Given
    headers = partner_with(*ALL_SCOPES).headers(scope="jobs/predict")

    # When
    answer = requests.post(
        f"{local_stack.api_url}/predict", json={"rows": [one_row]}, headers=headers, timeout=60
    )

    # Then
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["predictions"]) == 1


def test_same_idempotency_key_returns_the_same_job(local_stack, partner_with):
    # Given
    headers = partner_with("jobs/read", "jobs/write").headers()
    key = uuid.uuid4().hex

    # When
    first = create_job(local_stack, headers, key)
    retried = create_job(local_stack, headers, key)

    # Then
    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json()["job_id"] == first.json()["job_id"]


def test_another_idempotency_key_creates_another_job(local_stack, partner_with):
    # Given
    headers = partner_with("jobs/read", "jobs/write").headers()

    # When
    first = create_job(local_stack, headers, uuid.uuid4().hex)
    second = create_job(local_stack, headers, uuid.uuid4().hex)

    # Then
    assert second.json()["job_id"] != first.json()["job_id"]
