"""A checked bundle as the registry's publish step takes it (one mapping for every publisher).

The publish function, TrainFunction and the local seeding all publish what `check_bundle` passed.
"""

from __future__ import annotations

from batchscore_core.registry_publish import BundleToPublish
from batchscore_model.bundle_check import CheckedBundle


def to_publish(name: str, checked: CheckedBundle) -> BundleToPublish:
    """What the registry records of `checked`, published as model `name`."""
    return BundleToPublish(
        name=name,
        version=checked.version,
        task=checked.info.task,
        metadata=checked.metadata.model_dump(mode="json"),
        directory=checked.directory,
        files=checked.files,
        checksums_sha256=checked.checksums_sha256,
        explainable=checked.explainable,
    )
