from typing import Any

import pytest

from infra.local.errors import TemplateError, UnresolvedReference
from infra.local.intrinsics import Resolver, references


def make_resolver(template: dict[str, Any], **overrides: str) -> Resolver:
    return Resolver(
        template,
        stack_name="batchscore-local",
        region="eu-west-1",
        account_id="123456789012",
        parameter_overrides=overrides,
    )


TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
        "Origins": {"Type": "CommaDelimitedList", "Default": "http://a,http://b"},
        "Size": {"Type": "Number", "Default": 90},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "NotProd"}, {"Fn::Equals": ["x", "x"]}]},
    },
    "Mappings": {"Sizes": {"dev": {"Memory": 512}}},
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}, "Pool": {"Type": "AWS::Cognito::UserPool"}},
}


def test_ref_returns_a_parameter_default_as_text():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve({"Ref": "Size"})

    # Then
    assert value == "90"


def test_parameter_override_replaces_the_default():
    # Given
    resolver = make_resolver(TEMPLATE, Stage="prod")

    # When
    value = resolver.resolve({"Ref": "Stage"})

    # Then
    assert value == "prod"


def test_override_outside_allowed_values_is_rejected():
    # Given / When / Then
    with pytest.raises(TemplateError, match="not one of"):
        make_resolver(TEMPLATE, Stage="staging")


def test_comma_delimited_list_parameter_resolves_to_a_list():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve({"Fn::Join": [";", {"Ref": "Origins"}]})

    # Then
    assert value == "http://a;http://b"


def test_pseudo_parameters_resolve_to_the_local_stack():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve(
        {"Fn::Sub": "${AWS::StackName}|${AWS::Region}|${AWS::AccountId}|${AWS::Partition}"}
    )

    # Then
    assert value == "batchscore-local|eu-west-1|123456789012|aws"


def test_sub_resolves_refs_attributes_and_escapes():
    # Given
    resolver = make_resolver(TEMPLATE)
    resolver.set_physical("Pool", "pool-1", {"ProviderName": "idp/pool-1"})

    # When
    value = resolver.resolve({"Fn::Sub": "https://${Pool}/${Pool.ProviderName}/${!Literal}"})

    # Then
    assert value == "https://pool-1/idp/pool-1/${Literal}"


def test_sub_list_form_uses_its_own_variables():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve(
        {"Fn::Sub": ["${Prefix}-${Stage}", {"Prefix": {"Fn::Join": ["", ["a", "b"]]}}]}
    )

    # Then
    assert value == "ab-dev"


def test_get_att_returns_a_recorded_attribute():
    # Given
    resolver = make_resolver(TEMPLATE)
    resolver.set_physical("Queue", "http://q", {"Arn": "arn:aws:sqs:eu-west-1:1:q"})

    # When
    value = resolver.resolve({"Fn::GetAtt": ["Queue", "Arn"]})

    # Then
    assert value == "arn:aws:sqs:eu-west-1:1:q"


def test_ref_to_a_resource_not_created_yet_is_an_unresolved_reference():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When / Then
    with pytest.raises(UnresolvedReference):
        resolver.resolve({"Ref": "Queue"})


def test_ref_to_an_unknown_name_says_so():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When / Then
    with pytest.raises(TemplateError, match="no parameter, resource or pseudo parameter"):
        resolver.resolve({"Ref": "Nope"})


def test_if_follows_nested_conditions():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve({"Fn::If": ["Both", "yes", "no"]})

    # Then
    assert value == "yes"


def test_no_value_removes_the_item_from_lists_and_maps():
    # Given
    resolver = make_resolver(TEMPLATE)
    no_value_if_not_prod = {"Fn::If": ["IsProd", "prod-only", {"Ref": "AWS::NoValue"}]}

    # When
    value = resolver.resolve({"List": ["a", no_value_if_not_prod], "Key": no_value_if_not_prod})

    # Then
    assert value == {"List": ["a"]}


def test_select_and_split_pick_one_part():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]})

    # Then
    assert value == "y"


def test_find_in_map_reads_mappings():
    # Given
    resolver = make_resolver(TEMPLATE)

    # When
    value = resolver.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]})

    # Then
    assert value == 512


def test_references_lists_names_used_by_ref_getatt_and_sub():
    # Given
    value = {
        "A": {"Ref": "Queue"},
        "B": {"Fn::GetAtt": "Pool.Arn"},
        "C": {"Fn::Sub": ["${Bucket}/${Local}/${!Escaped}", {"Local": {"Ref": "Table"}}]},
    }

    # When
    found = references(value)

    # Then
    assert found == {"Queue", "Pool", "Bucket", "Table"}


def test_override_not_matching_allowed_pattern_is_rejected():
    # Given
    template = {"Parameters": {"Origin": {"Type": "String", "AllowedPattern": "^https?://.+$"}}}

    # When / Then
    with pytest.raises(TemplateError, match="does not match"):
        make_resolver(template, Origin="ftp://x")
