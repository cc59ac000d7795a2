"""Bundle archives as publishing receives them: tar, tar.gz or zip, nothing outside one folder."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from batchscore_model.bundle import load_bundle
from batchscore_model.bundle_check import BundleRefused, check_bundle, extract_archive
from batchscore_model.checksums import read_checksums, write_checksums
from batchscore_model.errors import BundleError
from batchscore_model.schema import METADATA_FILE, default_bundle_dir


def tar_of(mode: str, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for path in sorted(default_bundle_dir().iterdir()):
            archive.add(path, arcname=prefix + path.name)
    return buffer.getvalue()


def zip_of() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(default_bundle_dir().iterdir()):
            archive.write(path, arcname=f"bundle/{path.name}")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [tar_of("w"), tar_of("w:gz"), tar_of("w:gz", "bundle/"), zip_of()],
    ids=["tar", "tar.gz", "tar.gz in a folder", "zip in a folder"],
)
def test_each_archive_kind_unpacks_to_a_bundle_that_passes_its_checks(
    tmp_path: Path, content: bytes
) -> None:
    # Given an archive of the seed bundle (a plain tar of a skops file looks like a zip too)
    archive = tmp_path / "bundle.archive"
    archive.write_bytes(content)

    # When it is unpacked and checked
    checked = check_bundle(extract_archive(archive, tmp_path / "out", max_bytes=10**8))

    # Then it is the seed bundle
    assert checked.info.task == "classification"
    assert sorted(checked.files) == sorted(p.name for p in default_bundle_dir().iterdir())


def test_a_path_leaving_the_folder_is_refused(tmp_path: Path) -> None:
    # Given a tar with a member outside the bundle folder
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = b"x"
        member = tarfile.TarInfo("../evil.json")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    (tmp_path / "a").write_bytes(buffer.getvalue())

    # When it is unpacked
    with pytest.raises(BundleRefused) as refused:
        extract_archive(tmp_path / "a", tmp_path / "out", max_bytes=10**6)

    # Then it is refused as an invalid archive
    assert refused.value.code == "archive_invalid"


def test_a_bundle_whose_files_name_two_versions_is_refused_by_both_readers(
    tmp_path: Path,
) -> None:
    # Given the seed bundle with metadata.json naming another version (checksums redone)
    directory = tmp_path / "bundle"
    shutil.copytree(default_bundle_dir(), directory)
    metadata = json.loads((directory / METADATA_FILE).read_text())
    metadata["version"] = "another-version"
    (directory / METADATA_FILE).write_text(json.dumps(metadata))
    write_checksums(directory, list(read_checksums(directory)))

    # When publishing checks it, and when scoring loads it
    with pytest.raises(BundleRefused) as refused:
        check_bundle(directory)
    with pytest.raises(BundleError) as unloadable:
        load_bundle(directory)

    # Then both say which files disagree, and publishing names no local path
    assert refused.value.code == "schema_invalid"
    assert "differs from metadata.json's 'another-version'" in refused.value.message
    assert refused.value.message.startswith("schema.json: version ")
    assert "another-version" in str(unloadable.value)
