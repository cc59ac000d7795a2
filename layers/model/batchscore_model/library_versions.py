"""The versions of the libraries a bundle is trained and saved with (metadata.json's
`library_versions`): for training code only, as it imports skops and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import sklearn
import skops


def library_versions() -> dict[str, str]:
    return {
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }
