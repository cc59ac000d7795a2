from __future__ import annotations

from pathlib import Path

from batchscore_model.bundle import load_bundle
from training.registry_models import main


def test_make_model_writes_the_forest_and_the_regressor_deterministically(tmp_path: Path) -> None:
    # Given / When the seed recipes run twice into an empty folder
    assert main(["--out", str(tmp_path)]) == 0
    forest = load_bundle(tmp_path / "breast-cancer" / "forest")
    ridge = load_bundle(tmp_path / "diabetes" / "ridge")
    again = main(["--out", str(tmp_path)])

    # Then both bundles load, with the committed versions, a drift reference, the right outputs
    committed = Path(__file__).resolve().parents[3] / "models"
    assert again == 0
    assert forest.version == load_bundle(committed / "breast-cancer" / "forest").version
    assert ridge.version == load_bundle(committed / "diabetes" / "ridge").version
    assert (forest.info.task, ridge.info.task) == ("classification", "regression")
    assert [output.name for output in ridge.info.outputs] == ["prediction"]
    assert forest.reference is not None
    assert ridge.reference is not None
