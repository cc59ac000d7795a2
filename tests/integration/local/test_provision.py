import json
import time
from typing import Any

from infra.local.emulator import Emulator
from infra.local.provision import provision
from infra.local.template import StackTemplate
from tests.integration.local.conftest import REAL_TEMPLATE, load_stack


def receive_s3_records(emulator: Emulator, queue_url: str) -> list[dict[str, Any]]:
    """S3 event records on the queue, skipping the s3:TestEvent sent when it was configured."""
    sqs = emulator.client("sqs")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
        records = [
            record
            for message in messages
            for record in json.loads(message["Body"]).get("Records", [])
        ]
        if records:
            return records
    return []


def test_bucket_notification_sends_an_s3_event_to_the_queue(
    fixture_stack: StackTemplate, emulator: Emulator
):
    # Given
    bucket = fixture_stack.resolver.ref("DataBucket")
    queue_url = fixture_stack.resolver.ref("IngestQueue")

    # When
    emulator.client("s3").put_object(Bucket=bucket, Key="uploads/u/j/input.csv", Body=b"a\n1\n")

    # Then
    records = receive_s3_records(emulator, queue_url)
    assert [record["s3"]["bucket"]["name"] for record in records] == [bucket]
    assert records[0]["eventName"].startswith("ObjectCreated:")


def test_queue_gets_its_redrive_policy_to_the_dlq(fixture_stack: StackTemplate, emulator: Emulator):
    # Given
    queue_url = fixture_stack.resolver.ref("IngestQueue")

    # When
    attributes = emulator.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["All"]
    )["Attributes"]

    # Then
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == fixture_stack.resolver.get_att("IngestDLQ", "Arn")
    assert int(redrive["maxReceiveCount"]) == 2
    assert attributes["VisibilityTimeout"] == "1"


def test_table_gets_its_keys_index_and_ttl(fixture_stack: StackTemplate, emulator: Emulator):
    # Given
    table = fixture_stack.resolver.ref("JobsTable")
    dynamodb = emulator.client("dynamodb")

    # When
    description = dynamodb.describe_table(TableName=table)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]

    # Then
    assert description["KeySchema"] == [{"AttributeName": "job_id", "KeyType": "HASH"}]
    assert [index["IndexName"] for index in description["GlobalSecondaryIndexes"]] == ["by-owner"]
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == ("expires_at", "ENABLED")


def test_real_template_creates_every_resource_the_handlers_use(emulator: Emulator):
    # Given
    stack = load_stack(REAL_TEMPLATE)

    # When
    provision(stack, emulator.client, "http://127.0.0.1:3000")

    # Then
    resolver = stack.resolver
    sqs = emulator.client("sqs")
    for queue in (
        "IngestQueue",
        "IngestDLQ",
        "JobsQueue",
        "JobsDLQ",
        "ModelUploadsQueue",
        "TrainingQueue",
        "TrainingDataQueue",
    ):
        attributes = sqs.get_queue_attributes(
            QueueUrl=resolver.ref(queue), AttributeNames=["QueueArn"]
        )
        assert attributes["Attributes"]["QueueArn"] == resolver.get_att(queue, "Arn")
    dynamodb = emulator.client("dynamodb")
    for table in ("JobsTable", "IdempotencyTable", "ModelsTable"):
        assert dynamodb.describe_table(TableName=resolver.ref(table))["Table"]["TableStatus"]
    notification = emulator.client("s3").get_bucket_notification_configuration(
        Bucket=resolver.ref("DataBucket")
    )
    assert {config["QueueArn"] for config in notification["QueueConfigurations"]} == {
        resolver.get_att("IngestQueue", "Arn"),
        resolver.get_att("ModelUploadsQueue", "Arn"),
        resolver.get_att("TrainingDataQueue", "Arn"),
    }
    clients = emulator.client("cognito-idp").list_user_pool_clients(
        UserPoolId=resolver.ref("UserPool")
    )["UserPoolClients"]
    assert [client["ClientId"] for client in clients] == [resolver.ref("UserPoolWebClient")]
