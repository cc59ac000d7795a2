"""Bundle archives as publishing receives them: tar, tar.gz or zip, nothing outside one folder."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from batchscore_model.bundle_check import BundleRefused, check_bundle, extract_archive
from batchscore_model.schema import default_bundle_dir


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
