import boto3

from infra.local.provision.s3 import cors_rules, notification_configuration
from infra.local.provision.shapes import fit_to_operation


def test_template_strings_become_the_apis_numbers_and_booleans():
    # Given
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    props = {
        "PoolName": "users",
        "Policies": {"PasswordPolicy": {"MinimumLength": "12", "RequireNumbers": "true"}},
    }

    # When
    request = fit_to_operation(cognito, "CreateUserPool", props, "UserPool")

    # Then
    assert request["Policies"]["PasswordPolicy"] == {"MinimumLength": 12, "RequireNumbers": True}


def test_properties_the_api_does_not_know_are_dropped():
    # Given
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    props = {"TableName": "t", "ContributorInsightsSpecification": {"Enabled": True}}

    # When
    request = fit_to_operation(dynamodb, "CreateTable", props, "JobsTable")

    # Then
    assert request == {"TableName": "t"}


def test_cors_rules_use_the_s3_apis_names():
    # Given
    cors = {
        "CorsRules": [
            {"Id": "web", "AllowedOrigins": ["*"], "ExposedHeaders": ["ETag"], "MaxAge": "300"}
        ]
    }

    # When
    rules = cors_rules(cors)

    # Then
    assert rules == [
        {"ID": "web", "AllowedOrigins": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}
    ]


def test_queue_notification_uses_the_s3_apis_shape():
    # Given
    notification = {
        "QueueConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Queue": "arn:aws:sqs:us-east-1:123456789012:q",
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
            }
        ],
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
    }

    # When
    api = notification_configuration("DataBucket", notification)

    # Then
    assert api == {
        "QueueConfigurations": [
            {
                "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}},
            }
        ],
        "EventBridgeConfiguration": {},
    }
