from pathlib import Path

from infra.local.cfn_yaml import load_template
from infra.local.globals_merge import apply_globals, merge_global
from infra.local.template import StackTemplate


def test_short_form_tags_load_as_long_form(fixture_template: Path):
    # Given / When
    document = load_template(fixture_template)

    # Then
    queue = document["Resources"]["IngestQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["IngestDLQ", "Arn"]}


def test_globals_merge_maps_key_by_key_and_the_function_wins():
    # Given
    global_env = {"Variables": {"A": "global", "B": "global"}}
    function_env = {"Variables": {"B": "function"}}

    # When
    merged = merge_global(global_env, function_env)

    # Then
    assert merged == {"Variables": {"A": "global", "B": "function"}}


def test_globals_merge_appends_function_lists_to_global_lists():
    # Given / When
    merged = merge_global([{"Ref": "CoreLayer"}], [{"Ref": "ModelLayer"}])

    # Then
    assert merged == [{"Ref": "CoreLayer"}, {"Ref": "ModelLayer"}]


def test_globals_are_applied_to_each_serverless_function(fixture_template: Path):
    # Given
    document = load_template(fixture_template)

    # When
    merged = apply_globals(document)

    # Then
    props = merged["Resources"]["HttpFunction"]["Properties"]
    assert props["Timeout"] == 5
    assert props["MemorySize"] == 256
    assert props["Environment"]["Variables"]["STAGE"] == {"Ref": "Stage"}
    assert props["Environment"]["Variables"]["DATA_BUCKET_NAME"] == {"Ref": "DataBucket"}
    assert "Globals" not in merged


def test_resources_skip_false_conditions_and_come_after_their_dependencies(
    fixture_template: Path,
):
    # Given
    stack = StackTemplate.load(
        fixture_template, stack_name="s", region="us-east-1", account_id="123456789012"
    )

    # When
    order = [resource.logical_id for resource in stack.resources()]

    # Then
    assert "ProdAlarm" not in order
    assert order.index("IngestDLQ") < order.index("IngestQueue")
    assert order.index("IngestQueuePolicy") < order.index("DataBucket")
    assert order.index("UserPool") < order.index("UserPoolWebClient")
