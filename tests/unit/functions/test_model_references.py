"""How a job, a drop and a tenant name their model (pure parsing, no registry)."""

from __future__ import annotations

import pytest

from batchscore_core.registry_models import (
    ModelNotFound,
    drop_model_reference,
    parse_model_ref,
    tenant_models,
)


def test_a_name_or_a_name_at_a_version_is_a_model_reference() -> None:
    # Given / When / Then
    assert parse_model_ref("diabetes") == ("diabetes", None)
    assert parse_model_ref("diabetes@diabetes-ridge-1") == ("diabetes", "diabetes-ridge-1")


@pytest.mark.parametrize("text", ["", "Diabetes", "a b", "x@", "x@../y", "@v1"])
def test_text_that_cannot_name_a_model_is_a_model_not_found(text: str) -> None:
    # Given / When / Then
    with pytest.raises(ModelNotFound):
        parse_model_ref(text)


def test_a_drop_names_its_model_in_a_first_folder_starting_with_at() -> None:
    # Given / When / Then
    assert drop_model_reference("@diabetes/patients.csv") == "diabetes"
    assert drop_model_reference("@diabetes@v2/march/patients.csv") == "diabetes@v2"
    assert drop_model_reference("march/@diabetes/patients.csv") is None
    assert drop_model_reference("@diabetes.csv") is None


def test_tenant_defaults_are_a_comma_separated_map() -> None:
    # Given / When / Then
    assert tenant_models("acme=diabetes, globex=breast-cancer@v1,") == {
        "acme": "diabetes",
        "globex": "breast-cancer@v1",
    }
    assert tenant_models("") == {}
