from __future__ import annotations

from pathlib import Path

from batchscore_model import checksums
from batchscore_model.bundle import load_bundle
from batchscore_model.drift_reference import REFERENCE_FILE
from training.train import main


def test_make_model_writes_a_checksummed_reference(tmp_path: Path) -> None:
    # Given
    target = tmp_path / "bundle"
    # When
    main(["--out", str(target)])
    # Then
    assert REFERENCE_FILE in checksums.read_checksums(target)
    bundle = load_bundle(target)
    assert bundle.reference is not None
    assert bundle.reference.features[0].rows == bundle.metadata.rows_train


def test_the_reference_is_the_same_on_every_run(tmp_path: Path) -> None:
    # Given / When
    main(["--out", str(tmp_path / "one")])
    main(["--out", str(tmp_path / "two")])
    # Then
    first = (tmp_path / "one" / REFERENCE_FILE).read_bytes()
    assert (tmp_path / "two" / REFERENCE_FILE).read_bytes() == first


def test_an_up_to_date_bundle_without_a_reference_gains_one_and_keeps_its_files(
    tmp_path: Path, capsys
) -> None:
    # Given: the current model's bundle, as written before drift references
    target = tmp_path / "bundle"
    main(["--out", str(target)])
    (target / REFERENCE_FILE).unlink()
    checksums.write_checksums(target, ["metadata.json", "model.skops", "schema.json"])
    before = {name: (target / name).read_bytes() for name in checksums.read_checksums(target)}
    # When
    code = main(["--out", str(target)])
    # Then
    assert code == 0
    assert f"added {REFERENCE_FILE}" in capsys.readouterr().out
    assert {name: (target / name).read_bytes() for name in before} == before
    assert load_bundle(target).reference is not None
