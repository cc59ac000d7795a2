"""`batchscore models ...` and `submit --model` against a fake HTTP layer (responses)."""

from __future__ import annotations

import io
import json
import tarfile
import time
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest
from responses import matchers

from batchscore_client.api import BatchscoreClient
from batchscore_client.bundle import LocalBundle
from batchscore_client.cli import main
from batchscore_client.credentials import Credentials, CredentialStore
from batchscore_client.errors import PublishTimedOut
from batchscore_client.models_cli import rollback_target
from tests.registry_answers import alias_move
from tests.unit.client.client_support import API, JOB_ID, job, job_created

NAME = "breast-cancer"
UPLOAD = {
    "url": "https://bucket.example.test/",
    "fields": {"key": "model-uploads/u/bundle.tar.gz", "policy": "p"},
    "expires_at": "x",
}


def model(history: list[dict[str, object]] | None = None, **aliases: str) -> dict[str, object]:
    return {
        "name": NAME,
        "task": "classification",
        "aliases": aliases or {"champion": "v2", "challenger": "v3"},
        "versions": [
            {
                "version": f"v{n}",
                "created_at": f"2026-12-0{n}T09:00:00Z",
                "created_by": "ana@example.com",
                "primary_metric": "roc_auc",
                "metrics": {"roc_auc": 0.98 + n / 1000, "accuracy": 0.95},
                "status": "active",
            }
            for n in (1, 2, 3)
        ],
        "history": history if history is not None else HISTORY,
    }


HISTORY = [
    alias_move("champion", None, "v1", "first version of the model"),
    alias_move("champion", "v1", "v2", "v2 is better on the holdout"),
    alias_move("challenger", None, "v3", "try the forest"),
]


@pytest.fixture
def logged_in(isolated_config):
    CredentialStore(isolated_config / "credentials.json").save(
        Credentials(kind="user", token="t", expires_at=time.time() + 3600, api_url=API)
    )


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bundle"
    directory.mkdir()
    (directory / "metadata.json").write_text(json.dumps({"name": NAME, "version": "v4"}))
    for name in ("model.skops", "schema.json", "checksums.sha256"):
        (directory / name).write_text(name)
    (directory / ".DS_Store").write_text("finder")
    return directory


# What an archive of `bundle_dir` holds, sorted: its files at the top level, no hidden ones.
PACKED_FILES = ["checksums.sha256", "metadata.json", "model.skops", "schema.json"]


def error(code: str, message: str, details: list[dict[str, object]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


# list and show


def test_models_list_shows_each_model_with_its_aliases(http, logged_in, capsys):
    # Given
    http.get(
        f"{API}/models",
        json={
            "items": [
                {
                    "name": NAME,
                    "task": "classification",
                    "aliases": {"champion": "v2"},
                    "versions": 3,
                },
                {
                    "name": "diabetes",
                    "task": "regression",
                    "aliases": {"champion": "r1"},
                    "versions": 1,
                },
            ]
        },
    )

    # When
    code = main(["models", "list"])

    # Then
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].split() == ["NAME", "TASK", "CHAMPION", "CHALLENGER", "VERSIONS"]
    assert lines[1].split() == [NAME, "classification", "v2", "-", "3"]
    assert lines[2].split() == ["diabetes", "regression", "r1", "-", "1"]


def test_models_show_marks_the_aliases_and_lists_the_history(http, logged_in, capsys):
    # Given
    http.get(f"{API}/models/{NAME}", json=model())

    # When
    code = main(["models", "show", NAME])

    # Then
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("v")}
    assert code == 0
    assert rows["v2"][:4] == ["v2", "active", "champion", "roc_auc"]
    assert rows["v3"][2] == "challenger"
    assert rows["v1"][2] == "-"
    assert "champion  v1 -> v2  by ana@example.com: v2 is better on the holdout" in out


def test_models_show_with_a_version_lists_its_input_columns(http, logged_in, capsys):
    # Given
    http.get(
        f"{API}/models/{NAME}/versions/v2",
        json={
            "version": "v2",
            "task": "classification",
            "status": "active",
            "metrics": {"roc_auc": 0.985},
            "primary_metric": "roc_auc",
            "columns": [{"name": "mean radius"}, {"name": "mean texture"}],
        },
    )

    # When
    code = main(["models", "show", NAME, "v2"])

    # Then
    out = capsys.readouterr().out
    assert code == 0
    assert "columns  mean radius, mean texture" in out
    assert "roc_auc 0.985" in out


def test_an_unknown_model_exits_4_with_the_names_that_exist(http, logged_in, capsys):
    # Given
    http.get(
        f"{API}/models/nope",
        status=404,
        json=error("model_not_found", "no model 'nope'; models: breast-cancer, diabetes"),
    )

    # When
    code = main(["models", "show", "nope"])

    # Then
    assert code == 4
    assert "models: breast-cancer, diabetes [model_not_found, HTTP 404]" in capsys.readouterr().err


# promote and rollback


def test_promote_moves_the_champion_with_the_reason(http, logged_in, capsys):
    # Given
    http.put(
        f"{API}/models/{NAME}/aliases/champion",
        json=model(champion="v3"),
        match=[matchers.json_params_matcher({"version": "v3", "reason": "forest wins"})],
    )

    # When
    code = main(["models", "promote", NAME, "v3", "--reason", "forest wins"])

    # Then
    assert code == 0
    assert capsys.readouterr().out.strip() == f"{NAME}: champion is now v3"


def test_promote_can_move_the_challenger(http, logged_in):
    # Given
    http.put(
        f"{API}/models/{NAME}/aliases/challenger",
        json=model(),
        match=[matchers.json_params_matcher({"version": "v1", "reason": "compare"})],
    )

    # When
    code = main(["models", "promote", NAME, "v1", "--alias", "challenger", "--reason", "compare"])

    # Then
    assert code == 0


def test_promote_without_a_reason_is_a_usage_error(logged_in, capsys):
    # Given a logged-in admin
    # When
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "promote", NAME, "v3"])

    # Then
    assert exit_info.value.code == 2
    assert "--reason" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("status", "code", "message", "exit_code", "shown"),
    [
        pytest.param(
            403,
            "forbidden",
            "only admins may move aliases",
            3,
            "only admins may move aliases [forbidden, HTTP 403]",
            id="non-admin-exits-3",
        ),
        pytest.param(
            409,
            "alias_conflict",
            "the champion was moved meanwhile: read it again and retry",
            1,
            "[alias_conflict, HTTP 409]",
            id="concurrent-move-is-a-conflict",
        ),
    ],
)
def test_a_refused_promotion_is_reported_with_its_exit_code(
    http, logged_in, capsys, status, code, message, exit_code, shown
):
    # Given
    http.put(f"{API}/models/{NAME}/aliases/champion", status=status, json=error(code, message))

    # When
    exit_status = main(["models", "promote", NAME, "v3", "--reason", "r"])

    # Then
    assert exit_status == exit_code
    assert shown in capsys.readouterr().err


def test_rollback_gives_the_champion_back_to_the_version_it_replaced(http, logged_in, capsys):
    # Given v2 replaced v1 as champion (a challenger move came after)
    http.get(f"{API}/models/{NAME}", json=model())
    http.put(
        f"{API}/models/{NAME}/aliases/champion",
        json=model(champion="v1"),
        match=[
            matchers.json_params_matcher(
                {"version": "v1", "reason": "v2 misbehaves", "expected_version": "v2"}
            )
        ],
    )

    # When
    code = main(["models", "rollback", NAME, "--reason", "v2 misbehaves"])

    # Then
    assert code == 0
    assert capsys.readouterr().out.strip() == f"{NAME}: champion rolled back from v2 to v1"


def test_rollback_of_a_first_champion_moves_nothing(http, logged_in, capsys):
    # Given a model whose only champion move is its first version
    http.get(f"{API}/models/{NAME}", json=model(history=HISTORY[:1], champion="v1"))

    # When (no PUT is registered: responses would refuse one)
    code = main(["models", "rollback", NAME, "--reason", "r"])

    # Then
    assert code == 1
    assert "no earlier champion" in capsys.readouterr().err


def test_rollback_target_follows_the_last_champion_move():
    # Given a promotion to v3 after v2, then a rollback to v2
    history = [
        *HISTORY,
        alias_move("champion", "v2", "v3", "r"),
        alias_move("champion", "v3", "v2", "back"),
    ]

    # When / Then: the champion v2 replaced v3
    assert rollback_target(model(history=history)) == "v3"


# publish

UPLOAD_ID = "f" * 32


def upload_record(status: str, **extra: object) -> dict[str, object]:
    return {
        "upload_id": UPLOAD_ID,
        "name": NAME,
        "status": status,
        "created_at": "2026-12-01T10:00:00Z",
        "created_by": "ana@example.com",
        "updated_at": "2026-12-01T10:00:01Z",
        **extra,
    }


def start_publish(http, name: str = NAME) -> None:
    http.post(
        f"{API}/models/{name}/versions",
        status=201,
        json={"upload_id": UPLOAD_ID, "status": "AWAITING_UPLOAD", "upload": UPLOAD},
        match=[matchers.json_params_matcher({"filename": "v4.tar.gz"})],
    )


def test_publish_uploads_the_bundle_and_waits_until_it_is_published(
    http, logged_in, bundle_dir, capsys
):
    # Given the bundle is checked after two polls
    start_publish(http)
    uploaded: list[bytes] = []

    def accept(request):
        uploaded.append(request.body)
        return (204, {}, "")

    http.add_callback("POST", UPLOAD["url"], callback=accept)
    upload_url = f"{API}/models/{NAME}/uploads/{UPLOAD_ID}"
    http.get(upload_url, json=upload_record("VALIDATING"))
    http.get(upload_url, json=upload_record("PUBLISHED", version="v4"))

    # When
    code = main(["models", "publish", str(bundle_dir), "--poll", "0"])

    # Then the archive holds the bundle's files at its top level, hidden files left out
    assert code == 0
    assert capsys.readouterr().out.strip() == f"published {NAME}@v4"
    archive = _file_part(uploaded[0])
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == PACKED_FILES


def test_a_refused_bundle_exits_5_with_the_reasons(http, logged_in, bundle_dir, capsys):
    # Given
    start_publish(http)
    http.post(UPLOAD["url"], status=204)
    refusal = {
        "code": "checksum_mismatch",
        "message": "the bundle's checksums do not match",
        "details": [{"line": None, "column": None, "message": "model.skops"}],
    }
    http.get(
        f"{API}/models/{NAME}/uploads/{UPLOAD_ID}",
        json=upload_record("REFUSED", error=refusal),
    )

    # When
    code = main(["models", "publish", str(bundle_dir), "--poll", "0"])

    # Then
    err = capsys.readouterr().err.splitlines()
    assert code == 5
    assert err == [
        f"batchscore: error: the bundle for {NAME} was refused: the bundle's checksums do not"
        " match [checksum_mismatch]",
        "  model.skops",
    ]


def test_publish_takes_the_model_name_from_a_flag(http, logged_in, bundle_dir):
    # Given
    start_publish(http, name="diabetes")
    http.post(UPLOAD["url"], status=204)
    http.get(
        f"{API}/models/diabetes/uploads/{UPLOAD_ID}",
        json=upload_record("PUBLISHED", name="diabetes", version="v4"),
    )

    # When
    code = main(["models", "publish", str(bundle_dir), "--name", "diabetes", "--poll", "0"])

    # Then
    assert code == 0


def test_publish_without_a_model_name_is_a_usage_error(logged_in, bundle_dir, capsys):
    # Given a bundle whose metadata.json names no model
    (bundle_dir / "metadata.json").write_text(json.dumps({"version": "v4"}))

    # When
    code = main(["models", "publish", str(bundle_dir)])

    # Then
    assert code == 2
    assert "--name" in capsys.readouterr().err


def test_publishing_a_directory_without_metadata_is_a_usage_error(logged_in, tmp_path, capsys):
    # Given
    (tmp_path / "model.skops").write_text("x")

    # When
    code = main(["models", "publish", str(tmp_path)])

    # Then
    assert code == 2
    assert "has no metadata.json" in capsys.readouterr().err


def test_a_non_admin_cannot_start_a_publish(http, logged_in, bundle_dir, capsys):
    # Given
    http.post(
        f"{API}/models/{NAME}/versions",
        status=403,
        json=error("forbidden", "only admins may change the registry"),
    )

    # When
    code = main(["models", "publish", str(bundle_dir)])

    # Then
    assert code == 3
    assert "only admins may change the registry [forbidden, HTTP 403]" in capsys.readouterr().err


def test_waiting_for_a_publish_gives_up_at_the_deadline(http):
    # Given a check that never ends, and a clock that moves 1 s per poll
    http.get(f"{API}/models/{NAME}/uploads/{UPLOAD_ID}", json=upload_record("VALIDATING"))
    now = iter(range(100))
    client = BatchscoreClient(API)

    # When / Then
    with pytest.raises(PublishTimedOut):
        client.wait_for_upload(
            NAME, UPLOAD_ID, timeout_seconds=3, sleep=lambda _: None, clock=lambda: next(now)
        )


def test_a_bundle_is_packed_flat_without_folders_or_links(tmp_path, bundle_dir):
    # Given a bundle with a folder and a link beside its files
    (bundle_dir / "notes").mkdir()
    (bundle_dir / "notes" / "todo.txt").write_text("x")
    (bundle_dir / "link.json").symlink_to(bundle_dir / "schema.json")

    # When
    archive = LocalBundle.open(bundle_dir).pack(tmp_path / "b.tar.gz")

    # Then
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == PACKED_FILES


# submit --model


def test_submit_with_a_model_names_it_in_the_job_request(http, logged_in, tmp_path, capsys):
    # Given
    csv = tmp_path / "patients.csv"
    csv.write_text("a\n1\n")
    # the client may read the upload limit first; an unmatched request would fail the test
    http.assert_all_requests_are_fired = False
    http.get(f"{API}/model", json={"version": "r1", "max_upload_bytes": 1024 * 1024})
    job_created(
        http,
        UPLOAD,
        match=[matchers.json_params_matcher({"filename": "patients.csv", "model": "diabetes@r1"})],
    )
    http.post(UPLOAD["url"], status=204)
    http.get(
        f"{API}/jobs/{JOB_ID}",
        json=job("SUCCEEDED", rows_done=4, model_name="diabetes", model_version="r1"),
    )

    # When
    code = main(["submit", str(csv), "--model", "diabetes@r1", "--wait", "--poll", "0"])

    # Then the job's summary shows the version it was scored with
    assert code == 0
    model_line = next(line for line in capsys.readouterr().out.splitlines() if "model" in line)
    assert "r1" in model_line


def _file_part(body: bytes) -> bytes:
    """The `file` part of a multipart/form-data body."""
    boundary = body.split(b"\r\n", 1)[0][2:]
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            assert part.get_content_type() == "application/gzip"
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError("no file part in the upload")
