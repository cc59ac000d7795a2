from infra.local.sqs_event import failed_message_ids, sqs_event

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:batchscore-local-jobsqueue"


def message(message_id: str = "m-1") -> dict:
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "MD5OfBody": "md5",
        "Body": '{"job_id": "j-1"}',
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1700000000000"},
        "MessageAttributes": {"kind": {"StringValue": "job", "DataType": "String"}},
    }


def test_sqs_event_has_lambdas_record_shape():
    # Given
    messages = [message()]

    # When
    event = sqs_event(messages, QUEUE_ARN, "us-east-1")

    # Then
    assert event == {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "rh-m-1",
                "body": '{"job_id": "j-1"}',
                "attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1700000000000"},
                "messageAttributes": {
                    "kind": {
                        "stringValue": "job",
                        "binaryValue": None,
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": "String",
                    }
                },
                "md5OfBody": "md5",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "us-east-1",
            }
        ]
    }


def test_reported_failures_are_the_records_to_keep():
    # Given
    result = {"batchItemFailures": [{"itemIdentifier": "b"}]}

    # When
    failed = failed_message_ids(result, {"a", "b", "c"})

    # Then
    assert failed == {"b"}


def test_empty_failure_list_means_every_record_succeeded():
    # Given / When
    failed = failed_message_ids({"batchItemFailures": []}, {"a", "b"})

    # Then
    assert failed == set()


def test_unknown_identifier_fails_the_whole_batch():
    # Given
    result = {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}

    # When
    failed = failed_message_ids(result, {"a", "b"})

    # Then
    assert failed == {"a", "b"}


def test_malformed_answer_fails_the_whole_batch():
    # Given / When
    failed = failed_message_ids("oops", {"a"})

    # Then
    assert failed == {"a"}
