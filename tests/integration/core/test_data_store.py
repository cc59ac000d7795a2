from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchscore_core.storage import XLSX_CONTENT_TYPE, DataStore, ObjectMissing
from tests.integration.moto_stack import Stack


@pytest.fixture
def data(stack: Stack) -> DataStore:
    return DataStore(stack.bucket_name)


def test_head_of_a_missing_object_raises_object_missing(data: DataStore) -> None:
    # Given an empty bucket
    # When an object is looked up
    # Then it is missing
    with pytest.raises(ObjectMissing):
        data.head("uploads/u/x/input.csv")


def test_head_reports_the_size(stack: Stack, data: DataStore) -> None:
    # Given a 10-byte object
    stack.put_object("results/u/x/a.txt", b"0123456789")

    # When it is looked up
    info = data.head("results/u/x/a.txt")

    # Then its size is known
    assert info.size == 10


def test_read_head_reads_only_the_first_bytes(stack: Stack, data: DataStore) -> None:
    # Given a 10-byte object
    stack.put_object("results/u/x/a.txt", b"0123456789")

    # When its first 4 bytes are read
    head = data.read_head("results/u/x/a.txt", 4)

    # Then only those come back
    assert head == b"0123"


def test_open_streams_the_whole_object(stack: Stack, data: DataStore) -> None:
    # Given an object
    stack.put_object("results/u/x/a.txt", b"hello")

    # When it is opened and read
    body = data.open("results/u/x/a.txt").read()

    # Then every byte comes back
    assert body == b"hello"


def test_opening_a_missing_object_raises_object_missing(data: DataStore) -> None:
    # Given an empty bucket
    # When an object is opened
    # Then it is missing
    with pytest.raises(ObjectMissing):
        data.open("results/u/x/none.txt")


def test_each_upload_of_a_key_is_its_own_version(data: DataStore, tmp_path: Path) -> None:
    # Given two files uploaded to the same key of the versioned bucket
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    v1 = data.upload_file(first, "outbox/acme/a.xlsx", XLSX_CONTENT_TYPE)
    v2 = data.upload_file(second, "outbox/acme/a.xlsx", XLSX_CONTENT_TYPE)

    # When the first version is read
    body = data.open("outbox/acme/a.xlsx", v1).read()

    # Then it is still the first file, under its own version id
    assert v1 is not None
    assert v1 != v2
    assert body == b"first"


def test_put_json_stores_a_readable_document(data: DataStore) -> None:
    # Given a document
    document = {"job_id": "x", "error": {"code": "missing_columns"}}

    # When it is stored
    data.put_json("outbox/acme/a.errors.json", document)

    # Then it reads back as JSON
    assert json.loads(data.open("outbox/acme/a.errors.json").read()) == document


def test_delete_prefix_removes_every_version(stack: Stack, data: DataStore) -> None:
    # Given two versions of one object under a prefix and one object outside it
    stack.put_object("results/u/x/a.xlsx", b"1")
    stack.put_object("results/u/x/a.xlsx", b"2")
    stack.put_object("results/u/y/b.xlsx", b"3")

    # When the prefix is deleted
    deleted = data.delete_prefix("results/u/x/")

    # Then both versions are gone and the other object stays
    left = stack.s3.list_object_versions(Bucket=stack.bucket_name).get("Versions", [])
    assert deleted == 2
    assert [v["Key"] for v in left] == ["results/u/y/b.xlsx"]


def test_a_presigned_post_is_bound_to_its_key(data: DataStore) -> None:
    # Given an upload key
    key = "uploads/u/0123456789abcdef0123456789abcdef/input.csv"

    # When a presigned POST is made for it
    post = data.presigned_post(key, max_bytes=1000, ttl_seconds=60)

    # Then its fields name exactly that key and a CSV content type
    assert (post.fields["key"], post.fields["Content-Type"]) == (key, "text/csv")
