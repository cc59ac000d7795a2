"""batchscore's own template rules, beyond what cfn-lint knows (docs/INTERNALS.md, DESIGN.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from infra.build.problems import Problem
from infra.build.template_source import Template

FUNCTION = "AWS::Serverless::Function"
QUEUE = "AWS::SQS::Queue"
BUCKET = "AWS::S3::Bucket"

# Lambda's advice for SQS event sources: visibility timeout >= 6 x the function timeout.
VISIBILITY_FACTOR = 6
MAX_RECEIVE_COUNT = 3
SQS_DEFAULT_VISIBILITY = 30
SAM_DEFAULT_TIMEOUT = 3
NOTIFYING_PREFIXES = frozenset({"uploads/", "dropbox/", "model-uploads/", "training/"})
METRICS_NAMESPACE = "batchscore"

# Every function shares batchscore_core.settings.Settings, so every function gets all of them.
REQUIRED_ENVIRONMENT = frozenset(
    {
        "JOBS_TABLE_NAME",
        "IDEMPOTENCY_TABLE_NAME",
        "DATA_BUCKET_NAME",
        "JOBS_QUEUE_URL",
        "WEBHOOK_QUEUE_URL",
        "EVENT_BUS_NAME",
        "MAX_UPLOAD_BYTES",
        "UPLOAD_URL_TTL_SECONDS",
        "RESULT_URL_TTL_SECONDS",
        "JOB_TTL_DAYS",
        "PROGRESS_INTERVAL_SECONDS",
        "BAD_ROWS_POLICY",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    }
)

REQUIRED_OUTPUTS = (
    "ApiUrl",
    "DataBucketName",
    "UserPoolId",
    "UserPoolClientId",
    "UserPoolDomain",
    "IngestQueueUrl",
    "JobsQueueUrl",
    "JobsDlqUrl",
    "IngestDlqUrl",
    "JobsTableName",
    "SiteBucketName",
    "SiteUrl",
)

PUBLIC_ROUTES = frozenset({"GET /health", "GET /openapi.json"})
REQUIRED_ROUTES = PUBLIC_ROUTES | {
    "POST /jobs",
    "GET /jobs",
    "GET /jobs/{job_id}",
    "GET /jobs/{job_id}/result",
    "POST /jobs/{job_id}/retry",
    "POST /jobs/{job_id}/archive",
    "DELETE /jobs/{job_id}",
    "POST /predict",
    "GET /model",
}


def logical_id(value: Any) -> str | None:
    """The resource named by `{"Ref": X}` or `{"Fn::GetAtt": [X, ...]}` (or "X.Attr")."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    function, argument = next(iter(value.items()))
    if function == "Ref" and isinstance(argument, str):
        return argument
    if function == "Fn::GetAtt":
        if isinstance(argument, str):
            return argument.split(".", 1)[0]
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            return argument[0]
    return None


def _properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = resource.get("Properties")
    return properties if isinstance(properties, Mapping) else {}


def _function_globals(template: Template) -> Mapping[str, Any]:
    globals_section = template.body.get("Globals") or {}
    function_globals = (
        globals_section.get("Function") if isinstance(globals_section, Mapping) else None
    )
    return function_globals if isinstance(function_globals, Mapping) else {}


def function_timeout(template: Template, function: Mapping[str, Any]) -> int:
    """The function's Timeout, from its Properties, else Globals, else SAM's default."""
    value = _properties(function).get("Timeout", _function_globals(template).get("Timeout"))
    return (
        int(value) if isinstance(value, int | str) and str(value).isdigit() else SAM_DEFAULT_TIMEOUT
    )


def function_environment(template: Template, function: Mapping[str, Any]) -> dict[str, Any]:
    """Globals' variables overlaid with the function's own, as SAM merges them."""
    merged: dict[str, Any] = {}
    for properties in (_function_globals(template), _properties(function)):
        environment = properties.get("Environment") or {}
        variables = environment.get("Variables") if isinstance(environment, Mapping) else None
        if isinstance(variables, Mapping):
            merged.update(variables)
    return merged


def _events(function: Mapping[str, Any], event_type: str) -> dict[str, Mapping[str, Any]]:
    events = _properties(function).get("Events") or {}
    return {
        name: event
        for name, event in events.items()
        if isinstance(event, Mapping) and event.get("Type") == event_type
    }


def check_sqs_consumers(template: Template) -> list[Problem]:
    """Each SQS source: visibility timeout >= 6 x the consumer's timeout, partial batch reports."""
    problems = []
    queues = template.resources(QUEUE)
    for name, function in template.resources(FUNCTION).items():
        timeout = function_timeout(template, function)
        for event_name, event in _events(function, "SQS").items():
            event_properties = _properties(event)
            queue_name = logical_id(event_properties.get("Queue"))
            queue = queues.get(queue_name or "")
            if queue is None:
                problems.append(
                    template.problem(
                        "sqs-consumer",
                        f"{name}.{event_name}",
                        f"{name}.{event_name}: Queue must reference an AWS::SQS::Queue "
                        "of this template",
                        event_properties,
                        "Queue",
                    )
                )
                continue
            queue_properties = _properties(queue)
            visibility = int(queue_properties.get("VisibilityTimeout", SQS_DEFAULT_VISIBILITY))
            if visibility < VISIBILITY_FACTOR * timeout:
                problems.append(
                    template.problem(
                        "sqs-consumer",
                        str(queue_name),
                        f"{queue_name} VisibilityTimeout {visibility} s is less than "
                        f"{VISIBILITY_FACTOR} x {name} Timeout {timeout} s "
                        f"(= {VISIBILITY_FACTOR * timeout} s)",
                        queue_properties or queue,
                        "VisibilityTimeout",
                    )
                )
            if "ReportBatchItemFailures" not in (
                event_properties.get("FunctionResponseTypes") or []
            ):
                problems.append(
                    template.problem(
                        "sqs-consumer",
                        f"{name}.{event_name}",
                        f"{name}.{event_name}: FunctionResponseTypes must include "
                        "ReportBatchItemFailures",
                        event_properties or event,
                    )
                )
    return problems


def check_dead_letter_queues(template: Template) -> list[Problem]:
    """Each queue that is not itself a DLQ redrives to one after 3 receives; all are encrypted."""
    queues = template.resources(QUEUE)
    dead_letter_targets = {
        logical_id((_properties(queue).get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
        for queue in queues.values()
    }
    problems = []
    for name, queue in queues.items():
        properties = _properties(queue)
        if not (properties.get("SqsManagedSseEnabled") or properties.get("KmsMasterKeyId")):
            problems.append(
                template.problem(
                    "dead-letter", name, f"{name} must be encrypted (SqsManagedSseEnabled)", queue
                )
            )
        if name in dead_letter_targets:
            continue
        redrive = properties.get("RedrivePolicy")
        if not isinstance(redrive, Mapping):
            problems.append(
                template.problem(
                    "dead-letter", name, f"{name} has no RedrivePolicy (no DLQ)", queue
                )
            )
            continue
        if logical_id(redrive.get("deadLetterTargetArn")) not in queues:
            problems.append(
                template.problem(
                    "dead-letter",
                    name,
                    f"{name} deadLetterTargetArn must be a queue of this template",
                    redrive,
                    "deadLetterTargetArn",
                )
            )
        if redrive.get("maxReceiveCount") != MAX_RECEIVE_COUNT:
            problems.append(
                template.problem(
                    "dead-letter",
                    name,
                    f"{name} maxReceiveCount is {redrive.get('maxReceiveCount')!r}, "
                    f"expected {MAX_RECEIVE_COUNT}",
                    redrive,
                    "maxReceiveCount",
                )
            )
    return problems


def _filter_rules(configuration: Mapping[str, Any]) -> dict[str, Any]:
    key_filter = ((configuration.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    return {
        str(rule.get("Name", "")).lower(): rule.get("Value")
        for rule in key_filter
        if isinstance(rule, Mapping)
    }


def check_notifications(template: Template) -> list[Problem]:
    """Bucket notifications fire only for inputs (and bundle uploads): results trigger nothing."""
    problems = []
    for name, bucket in template.resources(BUCKET).items():
        notifications = _properties(bucket).get("NotificationConfiguration") or {}
        for kind in ("QueueConfigurations", "LambdaConfigurations", "TopicConfigurations"):
            for configuration in notifications.get(kind) or []:
                prefix = _filter_rules(configuration).get("prefix")
                if prefix not in NOTIFYING_PREFIXES:
                    problems.append(
                        template.problem(
                            "notifications",
                            name,
                            f"{name} {kind}: prefix {prefix!r} may notify; only "
                            f"{', '.join(sorted(NOTIFYING_PREFIXES))} may",
                            configuration,
                        )
                    )
    return problems


def check_environment(template: Template) -> list[Problem]:
    """Every function gets the variables batchscore_core.settings reads (docs/INTERNALS.md)."""
    problems = []
    for name, function in template.resources(FUNCTION).items():
        environment = function_environment(template, function)
        missing = sorted(REQUIRED_ENVIRONMENT - environment.keys())
        if missing:
            problems.append(
                template.problem(
                    "environment",
                    name,
                    f"{name} lacks environment variables {', '.join(missing)}",
                    function,
                )
            )
        namespace = environment.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)
        if namespace != METRICS_NAMESPACE:
            problems.append(
                template.problem(
                    "environment",
                    name,
                    f"{name} POWERTOOLS_METRICS_NAMESPACE is {namespace!r}, "
                    f"expected {METRICS_NAMESPACE!r}",
                    function,
                )
            )
    return problems


def check_outputs(template: Template) -> list[Problem]:
    """The Outputs that the local runtime, the web page and the client read."""
    outputs = template.body.get("Outputs") or {}
    return [
        template.problem("outputs", name, f"Outputs lack {name}", outputs or template.body)
        for name in REQUIRED_OUTPUTS
        if name not in outputs
    ]


def check_routes(template: Template) -> list[Problem]:
    """The HTTP API's routes: all of DESIGN.md's, public ones without auth, others with it."""
    problems = []
    seen: set[str] = set()
    for name, function in template.resources(FUNCTION).items():
        for event_name, event in _events(function, "HttpApi").items():
            properties = _properties(event)
            route = f"{str(properties.get('Method', '')).upper()} {properties.get('Path', '')}"
            seen.add(route)
            authorizer = (properties.get("Auth") or {}).get("Authorizer")
            if route in PUBLIC_ROUTES and authorizer != "NONE":
                problems.append(
                    template.problem(
                        "routes",
                        route,
                        f"{name}.{event_name}: {route} must set Authorizer: NONE",
                        properties,
                    )
                )
            if route not in PUBLIC_ROUTES and authorizer == "NONE":
                problems.append(
                    template.problem(
                        "routes",
                        route,
                        f"{name}.{event_name}: {route} must use the JWT authorizer",
                        properties,
                    )
                )
    problems += [
        template.problem(
            "routes", route, f"HTTP API lacks the route {route}", template.body.get("Resources")
        )
        for route in sorted(REQUIRED_ROUTES - seen)
    ]
    return problems


TEMPLATE_CHECKS: tuple[Callable[[Template], list[Problem]], ...] = (
    check_sqs_consumers,
    check_dead_letter_queues,
    check_notifications,
    check_environment,
    check_outputs,
    check_routes,
)


def check_template(template: Template) -> list[Problem]:
    """All of batchscore's template rules that need nothing but the template."""
    return [problem for check in TEMPLATE_CHECKS for problem in check(template)]


def check_handlers(template: Template, root: Path) -> list[Problem]:
    """Each function's Handler `<module>.lambda_handler` is a file in its CodeUri under `root`."""
    problems = []
    for name, function in template.resources(FUNCTION).items():
        properties = _properties(function)
        code_uri, handler = properties.get("CodeUri"), properties.get("Handler")
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            continue
        module, _, attribute = handler.rpartition(".")
        module_file = root / code_uri / (module.replace(".", "/") + ".py")
        if attribute != "lambda_handler" or not module_file.is_file():
            problems.append(
                template.problem(
                    "handlers",
                    name,
                    f"{name} Handler {handler!r}: expected <module>.lambda_handler with "
                    f"{module_file.relative_to(root)} present",
                    properties,
                    "Handler",
                )
            )
    return problems
