"""Publishing a bundle under moto: presigned upload, validation, registration, or refusal."""

from __future__ import annotations

import fractions
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import publish_handler
import pytest
import skops.io as sio

from batchscore_core import adapters
from batchscore_core.registry import model_prefix
from batchscore_model.bundle import load_bundle
from infra.local.seed_models import Registry
from tests.bundle_relabel import relabel
from tests.integration.moto_stack import Queue, Stack
from tests.integration.registry.registry_calls import (
    FOREST,
    FOREST_DIR,
    LOGREG,
    LOGREG_DIR,
    archive,
    call,
    copy_bundle,
    rewrite_checksums,
)

NEW_VERSION = "breast-cancer-logreg-retrained-1"


@pytest.fixture(autouse=True)
def seeded(registry: Registry) -> Registry:
    return registry


@pytest.fixture
def uploads_queue(stack: Stack) -> Queue:
    """The queue S3 notifies of bundle archives (model-uploads/)."""
    urls = stack.sqs.list_queues()["QueueUrls"]
    url = next(u for u in urls if u.endswith("-modeluploadsqueue"))
    arn = stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queue(url=url, arn=arn["Attributes"]["QueueArn"])


def relabelled(tmp_path: Path, version: str = NEW_VERSION) -> Path:
    """The seed champion under a new version name: a valid bundle nobody published yet."""
    directory = copy_bundle(LOGREG_DIR, tmp_path / "bundle")
    relabel(directory, version)
    rewrite_checksums(directory)
    return directory


def publish(
    stack: Stack, queue: Queue, directory: Path | bytes, name: str = "breast-cancer"
) -> dict[str, Any]:
    """POST /models/{name}/versions, upload the archive, let the publish function run."""
    started = call("POST", f"/models/{name}/versions", admin=True, body={"filename": "b.tar.gz"})
    assert started.status == 201, started.body
    key = started.body["upload"]["fields"]["key"]
    body = directory if isinstance(directory, bytes) else archive(directory)
    stack.s3.put_object(Bucket=stack.bucket_name, Key=key, Body=body)
    stack.drain(queue, publish_handler.lambda_handler)
    upload = call("GET", f"/models/{name}/uploads/{started.body['upload_id']}", admin=True)
    assert upload.status == 200, upload.body
    answer: dict[str, Any] = upload.body
    return answer


def stored_keys(stack: Stack, version: str, name: str = "breast-cancer") -> list[str]:
    listed = stack.s3.list_objects_v2(Bucket=stack.bucket_name, Prefix=model_prefix(name, version))
    return [item["Key"] for item in listed.get("Contents", [])]


def test_a_valid_bundle_is_published_as_an_active_version(
    stack: Stack, uploads_queue: Queue, tmp_path: Path
) -> None:
    # Given a bundle of a version the registry lacks
    directory = relabelled(tmp_path)

    # When an admin publishes it
    upload = publish(stack, uploads_queue, directory)

    # Then the upload says PUBLISHED, the version is listed and active, its files are stored
    assert (upload["status"], upload["version"], upload["error"]) == (
        "PUBLISHED",
        NEW_VERSION,
        None,
    )
    model = call("GET", "/models/breast-cancer").body
    assert [v["version"] for v in model["versions"]][-1] == NEW_VERSION
    assert model["versions"][-1]["status"] == "active"
    assert model["versions"][-1]["created_by"] == "ana@example.com"
    assert model["aliases"] == {
        "champion": LOGREG,
        "challenger": FOREST,
    }  # publishing moves no alias
    assert len(stored_keys(stack, NEW_VERSION)) == len(list(LOGREG_DIR.iterdir()))


def test_a_published_version_can_be_promoted_and_loads_from_s3(
    stack: Stack, uploads_queue: Queue, tmp_path: Path
) -> None:
    # Given a published version
    publish(stack, uploads_queue, relabelled(tmp_path))

    # When it is promoted and a container fetches the champion
    moved = call(
        "PUT",
        "/models/breast-cancer/aliases/champion",
        admin=True,
        body={"version": NEW_VERSION, "reason": "retrained"},
    )
    record = adapters.model_registry().get_version("breast-cancer", NEW_VERSION)
    target = tmp_path / "fetched"
    adapters.model_files().download("breast-cancer", NEW_VERSION, record.checksums_sha256, target)

    # Then the champion moved and the stored bundle loads with its checksums verified
    assert moved.body["aliases"]["champion"] == NEW_VERSION
    assert load_bundle(target).version == NEW_VERSION


def test_a_new_model_gets_its_first_version_as_champion(
    stack: Stack, uploads_queue: Queue, tmp_path: Path
) -> None:
    # Given a bundle for a model name nobody used
    directory = relabelled(tmp_path, "tumour-v1")

    # When it is published under that name
    upload = publish(stack, uploads_queue, directory, name="tumour")

    # Then the model exists with that version as champion, the history saying so
    model = call("GET", "/models/tumour").body
    assert upload["status"] == "PUBLISHED"
    assert model["aliases"] == {"champion": "tumour-v1"}
    assert [(h["alias"], h["from_version"], h["to_version"]) for h in model["history"]] == [
        ("champion", None, "tumour-v1")
    ]


def refused(upload: dict[str, Any]) -> tuple[str, str]:
    assert upload["status"] == "REFUSED", upload
    return upload["error"]["code"], upload["error"]["message"]


def edit_after_the_checksums(directory: Path) -> None:
    """metadata.json edited after the checksums were written."""
    metadata = json.loads((directory / "metadata.json").read_text())
    metadata["holdout_metrics"]["roc_auc"] = 0.999
    (directory / "metadata.json").write_text(json.dumps(metadata))


def carry_an_untrusted_type(directory: Path) -> None:
    """An estimator carrying a type outside the trusted list (checksums written again)."""
    estimator = load_bundle(LOGREG_DIR).estimator
    estimator.note_ = fractions.Fraction(1, 3)
    sio.dump(estimator, directory / "model.skops")
    rewrite_checksums(directory)


def leave_out_the_schema(directory: Path) -> None:
    """No schema.json (checksums written again)."""
    (directory / "schema.json").unlink()
    rewrite_checksums(directory)


@pytest.mark.parametrize(
    ("spoil", "expected_code", "named"),
    [
        (edit_after_the_checksums, "checksum_mismatch", "metadata.json"),
        (carry_an_untrusted_type, "untrusted_types", "fractions.Fraction"),
        (leave_out_the_schema, "bundle_incomplete", "schema.json"),
    ],
    ids=["changed-after-checksums", "untrusted-types", "no-schema"],
)
def test_a_bundle_that_fails_a_check_is_refused_naming_what_failed(
    stack: Stack,
    uploads_queue: Queue,
    tmp_path: Path,
    spoil: Callable[[Path], None],
    expected_code: str,
    named: str,
) -> None:
    # Given a bundle of a new version, spoilt in one way
    directory = relabelled(tmp_path)
    spoil(directory)

    # When it is published
    code, message = refused(publish(stack, uploads_queue, directory))

    # Then it is refused with the check's code, naming what failed, and nothing of it is stored
    assert code == expected_code
    assert named in message
    assert stored_keys(stack, NEW_VERSION) == []


def test_a_schema_that_is_not_the_estimators_columns_is_refused(
    stack: Stack, uploads_queue: Queue, tmp_path: Path
) -> None:
    # Given a schema missing one column the estimator reads
    directory = relabelled(tmp_path)
    schema = json.loads((directory / "schema.json").read_text())
    dropped = schema["columns"].pop(3)["name"]
    (directory / "schema.json").write_text(json.dumps(schema))
    rewrite_checksums(directory)

    # When it is published
    upload = publish(stack, uploads_queue, directory)

    # Then it is refused, the detail naming the column
    code, _ = refused(upload)
    assert code == "schema_mismatch"
    assert [d["column"] for d in upload["error"]["details"]] == [dropped]


def test_a_version_that_exists_is_refused_and_left_as_it_was(
    stack: Stack, uploads_queue: Queue, tmp_path: Path
) -> None:
    # Given the stored files of the published challenger
    before = {
        key: stack.s3.get_object(Bucket=stack.bucket_name, Key=key)["Body"].read()
        for key in stored_keys(stack, FOREST)
    }

    # When the same version is published again
    code, _ = refused(publish(stack, uploads_queue, copy_bundle(FOREST_DIR, tmp_path / "again")))

    # Then it is refused and the stored version is untouched
    assert code == "version_exists"
    after = {
        key: stack.s3.get_object(Bucket=stack.bucket_name, Key=key)["Body"].read()
        for key in stored_keys(stack, FOREST)
    }
    assert after == before
    assert call("GET", "/models/breast-cancer").body["versions"][1]["version"] == FOREST


def test_something_that_is_not_an_archive_is_refused(stack: Stack, uploads_queue: Queue) -> None:
    # When a text file is uploaded as a bundle
    code, _ = refused(publish(stack, uploads_queue, b"not an archive"))

    # Then it is refused as such
    assert code == "archive_invalid"


def test_a_non_admin_cannot_start_a_publish() -> None:
    # When a user outside the admins group asks for an upload
    answer = call("POST", "/models/breast-cancer/versions", body={})

    # Then it is refused
    assert (answer.status, answer.body["error"]["code"]) == (403, "forbidden")


def test_publishing_is_announced_on_eventbridge(
    stack: Stack, uploads_queue: Queue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the events the registry sends
    sent: list[dict[str, Any]] = []
    capture = type("Capture", (), {"put_events": lambda self, Entries: sent.extend(Entries)})()
    monkeypatch.setattr(adapters.model_events(), "_client", capture)

    # When a version is published
    publish(stack, uploads_queue, relabelled(tmp_path))

    # Then one `Model Published` event names it
    assert [entry["DetailType"] for entry in sent] == ["Model Published"]
    detail = json.loads(sent[0]["Detail"])
    assert (detail["name"], detail["version"], detail["by"]) == (
        "breast-cancer",
        NEW_VERSION,
        "ana@example.com",
    )
