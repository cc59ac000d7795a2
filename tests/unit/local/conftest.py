from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_template() -> Path:
    return FIXTURES / "template.yaml"
