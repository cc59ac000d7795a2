"""Who may do what: every route of the template by every kind of caller and broken token, over
the local runtime's HTTP API (its gateway checks tokens as API Gateway's JWT authorizer does).

For each call: the expected status, and nothing changed by a refused one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.cfn_yaml import load_template
from infra.local.oauth import moto_signing_key
from infra.local.partner_client import PartnerClient
from tests.e2e.e2e_support import (
    HTTP_TIMEOUT_SECONDS,
    ApiUser,
    create_user,
    feature_csv,
    feature_frame,
    new_user,
    signed_in,
    wait_until_final,
)
from tests.local_stack import REPO_ROOT

pytestmark = pytest.mark.e2e

PUBLIC = "public"
JOB_ROUTES = {
    ("GET", "/jobs/{job_id}"),
    ("GET", "/jobs/{job_id}/result"),
    ("POST", "/jobs/{job_id}/retry"),
    ("POST", "/jobs/{job_id}/archive"),
    ("DELETE", "/jobs/{job_id}"),
}
READ_ROUTES = {
    ("GET", "/jobs"),
    ("GET", "/jobs/{job_id}"),
    ("GET", "/jobs/{job_id}/result"),
    ("GET", "/model"),
}
WRITE_ROUTES = {("POST", "/jobs"), *((m, p) for m, p in JOB_ROUTES if m != "GET")}
PREDICT_ROUTES = {("POST", "/predict")}
# What the job's owner gets for its SUCCEEDED job (DELETE goes to a throwaway job of its own).
OWNER_STATUS = {
    ("POST", "/jobs"): 201,
    ("GET", "/jobs"): 200,
    ("GET", "/jobs/{job_id}"): 200,
    ("GET", "/jobs/{job_id}/result"): 200,
    ("POST", "/jobs/{job_id}/retry"): 409,  # SUCCEEDED is not retryable
    ("POST", "/jobs/{job_id}/archive"): 200,
    ("DELETE", "/jobs/{job_id}"): 204,
    ("POST", "/predict"): 200,
    ("GET", "/model"): 200,
}


def template_routes() -> list[tuple[str, str, bool]]:
    """(method, path, public) of every HttpApi event of template.yaml."""
    routes = []
    for resource in load_template(REPO_ROOT / "template.yaml")["Resources"].values():
        for event in (resource.get("Properties", {}).get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            props = event["Properties"]
            public = (props.get("Auth") or {}).get("Authorizer") == "NONE"
            routes.append((props["Method"].upper(), props["Path"], public))
    return sorted(routes)


ROUTES = template_routes()
# The job and predict API, caller by caller (OWNER_STATUS); the registry's routes (/models...)
# likewise, below (MODEL_ROUTES).
KNOWN = {(m, p) for m, p, public in ROUTES if not public and not p.startswith("/models")}
KNOWN_MODEL_ROUTES = {(m, p) for m, p, public in ROUTES if not public and p.startswith("/models")}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(claims: dict[str, Any], kind: str) -> str:
    """A token that no valid authorizer accepts, built from a real token's claims."""
    kid, key = moto_signing_key()
    now = int(time.time())
    if kind == "expired":
        return jwt.encode(
            {**claims, "iat": now - 7200, "exp": now - 3600}, key, "RS256", {"kid": kid}
        )
    if kind == "wrong_audience":
        changed = {**claims, "client_id": "notaclientofthispool0000"}
        return jwt.encode(changed, key, "RS256", {"kid": kid})
    if kind == "wrong_issuer":
        changed = {**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}
        return jwt.encode(changed, key, "RS256", {"kid": kid})
    if kind == "bad_signature":
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, stranger, "RS256", {"kid": kid})
    header = {"kid": kid, "typ": "JWT"}
    payload = _b64(json.dumps(claims).encode())
    if kind == "alg_none":
        return f"{_b64(json.dumps({**header, 'alg': 'none'}).encode())}.{payload}."
    if kind == "hs256_public_key":  # the public key used as an HMAC secret (key confusion)
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signing_input = f"{_b64(json.dumps({**header, 'alg': 'HS256'}).encode())}.{payload}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"
    raise ValueError(kind)


BROKEN = [
    "none",
    "expired",
    "bad_signature",
    "alg_none",
    "hs256_public_key",
    "wrong_audience",
    "wrong_issuer",
    "id_token",
]


@dataclass
class World:
    stack: Any
    owner: ApiUser
    owner_claims: dict[str, Any]
    owner_id_token: str
    callers: dict[str, dict[str, str]]
    job_id: str

    def call(self, method: str, path: str, headers: dict[str, str], job_id: str) -> int:
        answer = requests.request(
            method,
            self.stack.api_url + path.replace("{job_id}", job_id),
            headers=headers,
            json=request_body(method, path),
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        return answer.status_code

    def snapshot(self) -> tuple[dict[str, Any], int]:
        """The job as its owner sees it, and how many jobs the owner has."""
        return self.owner.job(self.job_id), len(self.owner.all_jobs(archived="all"))


def request_body(method: str, path: str) -> Any:
    if (method, path) == ("POST", "/jobs"):
        return {"filename": "matrix.csv"}
    if path.endswith("/archive"):
        return {"archived": False}  # the owner's allowed call leaves the job as it was
    if path == "/predict":
        return {"rows": [json.loads(feature_frame().iloc[0].to_json())]}
    if (method, path) == ("PUT", "/models/{name}/aliases/{alias}"):
        return {"version": "matrix", "reason": "matrix"}
    if (method, path) == ("POST", "/models/{name}/versions"):
        return {"filename": "matrix.tar.gz"}
    if (method, path) == ("POST", "/models/{name}/training-data"):
        return {"filename": "matrix.csv"}
    if (method, path) == ("POST", "/models/{name}/retrain"):
        return {"files": ["0" * 32]}
    return None


def partner_headers(stack: Any, scopes: list[str]) -> dict[str, str]:
    partner = PartnerClient.create(
        stack.boto3_client("cognito-idp"),
        stack.outputs,
        scopes,
        name="matrix",
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    answer = partner.token_answer()
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


PARTNERS = {
    "partner_all_scopes": ["jobs/read", "jobs/write", "jobs/predict"],
    "partner_without_read": ["jobs/write", "jobs/predict"],
    "partner_without_write": ["jobs/read", "jobs/predict"],
    "partner_without_predict": ["jobs/read", "jobs/write"],
}
CALLERS = ["owner", "another_user", "admin", *PARTNERS]


@pytest.fixture(scope="module")
def world(local_stack) -> World:
    password = "Matrix-Owner-Pass-1"
    username = create_user(local_stack, password)
    tokens = local_stack.tokens(username, password)
    owner = ApiUser(local_stack.api_url, tokens["AccessToken"])
    job_id = owner.submit(feature_csv(5), "matrix.csv")
    assert wait_until_final(owner, job_id, local_stack)["status"] == "SUCCEEDED"
    return World(
        stack=local_stack,
        owner=owner,
        owner_claims=jwt.decode(tokens["AccessToken"], options={"verify_signature": False}),
        owner_id_token=tokens["IdToken"],
        callers={
            "owner": {"Authorization": f"Bearer {tokens['AccessToken']}"},
            "another_user": {"Authorization": f"Bearer {new_user(local_stack).token}"},
            "admin": {"Authorization": f"Bearer {signed_in(local_stack).token}"},  # demo user
            **{name: partner_headers(local_stack, scopes) for name, scopes in PARTNERS.items()},
        },
        job_id=job_id,
    )


def expected_for(caller: str, method: str, path: str) -> int:
    route = (method, path)
    if caller == "owner":
        return OWNER_STATUS[route]
    if caller == "partner_without_read" and route in READ_ROUTES:
        return 403
    if caller == "partner_without_write" and route in WRITE_ROUTES:
        return 403
    if caller == "partner_without_predict" and route in PREDICT_ROUTES:
        return 403
    if route in JOB_ROUTES:
        return 404  # another owner's job answers exactly like a missing one
    return OWNER_STATUS[route]  # their own collection, their own job, the model, predictions


@pytest.mark.parametrize(
    ("method", "path", "public"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
@pytest.mark.parametrize("broken", BROKEN)
def test_a_missing_or_broken_token_is_refused_on_every_route(world, method, path, public, broken):
    # Given a token that must not work (or none), built from the owner's own token
    if broken == "none":
        headers: dict[str, str] = {}
    elif broken == "id_token":
        headers = {"Authorization": f"Bearer {world.owner_id_token}"}
    else:
        headers = {"Authorization": f"Bearer {forged(world.owner_claims, broken)}"}
    before = world.snapshot()

    # When it calls the route on the owner's job
    status = world.call(method, path, headers, world.job_id)

    # Then 401 (public routes answer anyway), and nothing changed
    assert status == (200 if public else 401)
    assert world.snapshot() == before


KNOWN_ROUTES = sorted(OWNER_STATUS)


def test_the_matrix_knows_every_authenticated_route_of_the_template():
    # Then a route added to the template without an entry here (jobs or registry) fails this test
    assert set(KNOWN_ROUTES) >= KNOWN, sorted(KNOWN - set(KNOWN_ROUTES))
    assert set(MODEL_ROUTES) >= KNOWN_MODEL_ROUTES, sorted(KNOWN_MODEL_ROUTES - set(MODEL_ROUTES))


@pytest.mark.parametrize(
    ("method", "path"), KNOWN_ROUTES, ids=[f"{m} {p}" for m, p in KNOWN_ROUTES]
)
@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_gets_exactly_what_it_may_and_a_refusal_changes_nothing(
    world, caller, method, path
):
    # Given the caller, and the owner's SUCCEEDED job (a DELETE of the owner's own goes to a
    # throwaway job, so the other cases keep theirs)
    expected = expected_for(caller, method, path)
    job_id = world.job_id
    if caller == "owner" and method == "DELETE":
        job_id = world.owner.create_job("throwaway.csv")["job_id"]
    before = world.snapshot()

    # When
    status = world.call(method, path, world.callers[caller], job_id)

    # Then
    assert status == expected, f"{caller} {method} {path}"
    after = world.snapshot()
    if expected >= 400:
        assert after == before
    else:
        # only the owner's harmless calls reached its job (archive false stamps updated_at)
        assert {**after[0], "updated_at": ""} == {**before[0], "updated_at": ""}


# ----------------------------------------------------------------- the registry's routes
# Any signed-in caller reads (a program needs jobs/read, or models/admin); only admins change:
# the Cognito group `admins` (the demo user) or a program with the scope models/admin.
MODEL_NAME = "breast-cancer"  # the seeded default model: calls here leave it as it was
MODEL_PARTNERS = {**PARTNERS, "partner_models_admin": ["models/admin"]}
MODEL_CALLERS = ["owner", "another_user", "admin", *MODEL_PARTNERS]
MODEL_ADMINS = {"admin", "partner_models_admin"}
MODEL_READS = {
    ("GET", "/models"),
    ("GET", "/models/{name}"),
    ("GET", "/models/{name}/versions/{version}"),
    ("GET", "/models/{name}/drift"),
    ("GET", "/models/{name}/training-data"),
    ("GET", "/models/{name}/runs"),
    ("GET", "/models/{name}/runs/{run_id}"),
}
# What an admin gets: the alias move names the version the challenger already has (a 409 that
# only a caller past the admin check can reach, and it writes nothing); a publish is started.
MODEL_ADMIN_STATUS = {
    ("PUT", "/models/{name}/aliases/{alias}"): 409,
    ("POST", "/models/{name}/versions"): 201,
    ("GET", "/models/{name}/uploads/{upload_id}"): 200,
    ("POST", "/models/{name}/training-data"): 201,
    # A run of the matrix's own holds the model's training lock: an admin is told 409
    # run_in_progress, and nothing is trained.
    ("POST", "/models/{name}/retrain"): 409,
}
MODEL_ROUTES = sorted(MODEL_READS | set(MODEL_ADMIN_STATUS))


@dataclass
class ModelWorld:
    stack: Any
    admin: ApiUser
    callers: dict[str, dict[str, str]]
    champion: str
    challenger: str
    upload_id: str
    run_id: str

    def call(self, method: str, path: str, headers: dict[str, str]) -> int:
        url = (
            path.replace("{name}", MODEL_NAME)
            .replace("{version}", self.champion)
            .replace("{alias}", "challenger")
            .replace("{upload_id}", self.upload_id)
            .replace("{run_id}", self.run_id)
        )
        body: Any = None
        if method == "PUT":
            body = {"version": self.challenger, "reason": "matrix"}
        elif path.endswith("/retrain"):
            body = {}
        elif path.endswith("/training-data"):
            body = {"filename": "matrix.csv"}
        elif method == "POST":
            body = {"filename": "matrix.tar.gz"}
        answer = requests.request(
            method,
            self.stack.api_url + url,
            headers=headers,
            json=body,
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        return answer.status_code

    def snapshot(self) -> tuple[dict[str, Any], int]:
        """The model as an admin reads it, and how many uploads (bundles, training files) and
        runs it has."""
        table = self.stack.boto3_client("dynamodb")
        uploads = sum(
            table.query(
                TableName=self.stack.outputs["ModelsTableName"],
                KeyConditionExpression="#n = :name AND begins_with(sk, :upload)",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={":name": {"S": MODEL_NAME}, ":upload": {"S": prefix}},
                Select="COUNT",
            )["Count"]
            for prefix in ("UPLOAD#", "TRAINFILE#", "RUN#")
        )
        return self.admin.get_json(f"/models/{MODEL_NAME}"), uploads


def hold_training_lock(stack: Any) -> str:
    """A RUNNING run of the matrix's own holding the model's lock for an hour; its run id."""
    table = stack.boto3_client("dynamodb")
    run_id = f"20260101T000000Z-{uuid.uuid4().hex[:8]}"
    lease = {"N": str(int(time.time()) + 3600)}
    key = {"name": {"S": MODEL_NAME}}
    run = {"run_id": {"S": run_id}, "model": {"S": MODEL_NAME}, "trigger": {"S": "matrix"}}
    started = {"S": "2026-01-01T00:00:00Z"}
    for item in (
        {**key, "sk": {"S": f"RUN#{run_id}"}, **run, "status": {"S": "RUNNING"}},
        {**key, "sk": {"S": "TRAINLOCK"}, "run_id": {"S": run_id}},
    ):
        item.update({"lease_until": lease, "started_at": started})
        table.put_item(TableName=stack.outputs["ModelsTableName"], Item=item)
    return run_id


def release_training_lock(stack: Any, run_id: str) -> None:
    table = stack.boto3_client("dynamodb")
    for sort_key in (f"RUN#{run_id}", "TRAINLOCK"):
        table.delete_item(
            TableName=stack.outputs["ModelsTableName"],
            Key={"name": {"S": MODEL_NAME}, "sk": {"S": sort_key}},
        )


@pytest.fixture(scope="module")
def model_world(local_stack, world) -> Iterator[ModelWorld]:
    admin = signed_in(local_stack)
    aliases = admin.get_json(f"/models/{MODEL_NAME}")["aliases"]
    started = admin.request("POST", f"/models/{MODEL_NAME}/versions", json={})
    assert started.status_code == 201, started.text
    run_id = hold_training_lock(local_stack)
    yield ModelWorld(
        stack=local_stack,
        admin=admin,
        callers={
            **world.callers,
            "partner_models_admin": partner_headers(
                local_stack, MODEL_PARTNERS["partner_models_admin"]
            ),
        },
        champion=aliases["champion"],
        challenger=aliases["challenger"],
        upload_id=started.json()["upload_id"],
        run_id=run_id,
    )
    release_training_lock(local_stack, run_id)


def expected_for_model(caller: str, method: str, path: str) -> int:
    route = (method, path)
    if route in MODEL_READS:
        return 403 if caller == "partner_without_read" else 200
    return MODEL_ADMIN_STATUS[route] if caller in MODEL_ADMINS else 403


@pytest.mark.parametrize(
    ("method", "path"), MODEL_ROUTES, ids=[f"{m} {p}" for m, p in MODEL_ROUTES]
)
@pytest.mark.parametrize("caller", MODEL_CALLERS)
def test_each_caller_reads_or_changes_the_registry_only_as_it_may(
    model_world, caller, method, path
):
    # Given the caller, and the seeded model with a publish upload an admin started
    expected = expected_for_model(caller, method, path)
    before = model_world.snapshot()

    # When
    status = model_world.call(method, path, model_world.callers[caller])

    # Then the expected status, and the model is as it was (a started publish adds an upload)
    assert status == expected, f"{caller} {method} {path}"
    model, uploads = model_world.snapshot()
    assert model == before[0]
    assert uploads == before[1] + (1 if expected == 201 else 0)
