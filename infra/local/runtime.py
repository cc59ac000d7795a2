"""Start and stop the whole local stack: emulator, resources, functions, API, web page."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from infra.local.api.server import ApiServer
from infra.local.api.setup import build_gateway
from infra.local.aws_calls import CALLS_FILE_ENV, calls_file, write_physical_ids
from infra.local.cfn_yaml import load_template
from infra.local.demo_user import create_demo_user
from infra.local.emulator import Emulator
from infra.local.errors import LocalRuntimeError
from infra.local.functions import FunctionSpec, capped_timeout, read_functions
from infra.local.local_registry import ADMINS_GROUP, seed_local_registry
from infra.local.oauth import TokenEndpoint
from infra.local.outputs import resolve_outputs, web_config, write_json
from infra.local.pool import FunctionPool, worker_environment
from infra.local.ports import ensure_port_free
from infra.local.provision import provision
from infra.local.schedules import schedule_runners
from infra.local.settings import PORT_ENV_VARS, LocalSettings
from infra.local.sqs_poller import SqsPoller
from infra.local.template import StackTemplate
from infra.local.ttl_sweeper import TtlSweeper
from infra.local.web_server import WebServer
from infra.local.webhook_secrets import create_webhook_secrets, user_sub

log = logging.getLogger("infra.local")

READY_FILE = "ready"
OUTPUTS_FILE = "stack-outputs.json"
# Template parameters a local stack sets unless `--parameter` does: the example partner app
# client, so that OAuth2 client credentials work against `make run`; webhooks to loopback
# receivers (a local stack's partners run on 127.0.0.1).
LOCAL_PARAMETER_DEFAULTS = {"CreateExamplePartnerClient": "true", "AllowLoopbackCallbacks": "true"}


@dataclass
class LocalRuntime:
    settings: LocalSettings
    stack: StackTemplate | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    seeded_models: list[str] = field(default_factory=list)
    _emulator: Emulator | None = None
    _pools: dict[str, FunctionPool] = field(default_factory=dict)
    _servers: list[Any] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    webhook_secrets_parameter: str = ""

    def start(self) -> float:
        """Bring everything up; returns the seconds it took."""
        started = time.monotonic()
        settings = self.settings
        for attribute, env_var in PORT_ENV_VARS.items():
            ensure_port_free(settings.host, getattr(settings, attribute), env_var)
        self._reset_state_dir()
        self._emulator = Emulator(settings.host, settings.emulator_port, settings.region)
        self._emulator.start()
        log.info("AWS emulator (moto) on %s", settings.emulator_url)
        self.stack = self._load_stack()
        created = provision(
            self.stack,
            self._emulator.client,
            settings.api_url,
            visibility_timeout=settings.visibility_timeout,
        )
        if settings.record_aws_calls is not None:
            write_physical_ids(settings.record_aws_calls, self.stack, created)
        self.outputs = resolve_outputs(self.stack, settings.api_url, settings.web_url)
        self.seeded_models = seed_local_registry(self.stack, settings.emulator_url, settings.region)
        functions = [
            capped_timeout(spec, settings.max_timeout_seconds)
            for spec in read_functions(self.stack)
        ]
        self._start_pools(functions)
        self._start_pollers(functions)
        self._start_api(functions)
        self._start_web()
        self._start_ttl_sweeper()
        self._start_schedules()
        self._create_demo_user()
        self._create_webhook_secrets(functions)
        write_json(settings.state_dir / OUTPUTS_FILE, self.outputs)
        elapsed = time.monotonic() - started
        write_json(settings.state_dir / READY_FILE, self._summary(elapsed))
        return elapsed

    def client(self, service: str) -> Any:
        """A boto3 client for the emulator (after `start`)."""
        if self._emulator is None:
            raise LocalRuntimeError("the runtime is not started: call start() first")
        return self._emulator.client(service)

    # ---- steps
    def _reset_state_dir(self) -> None:
        """Remove what a previous run (maybe crashed) left; only the runtime's own files."""
        state_dir = self.settings.state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        for name in (READY_FILE, OUTPUTS_FILE):
            for stale in (state_dir / name, (state_dir / name).with_suffix(".tmp")):
                stale.unlink(missing_ok=True)

    def _load_stack(self) -> StackTemplate:
        settings = self.settings
        declared = load_template(settings.template).get("Parameters") or {}
        return StackTemplate.load(
            settings.template,
            stack_name=settings.stack_name,
            region=settings.region,
            account_id="123456789012",  # moto's account
            parameter_overrides=with_web_origin(
                declared,
                with_local_defaults(declared, settings.parameters),
                settings.web_origin_parameter,
                settings.web_url,
            ),
        )

    def _start_pools(self, functions: list[FunctionSpec]) -> None:
        aws_env = self.settings.aws_environment()
        local_env = self.settings.local_only_environment()
        for spec in functions:
            env = worker_environment(spec, aws_env, local_env)
            if self.settings.record_aws_calls is not None:
                env[CALLS_FILE_ENV] = str(calls_file(self.settings.record_aws_calls, spec))
            self._pools[spec.logical_id] = FunctionPool(spec, env, self.settings.concurrency)
        threads = [threading.Thread(target=pool.start) for pool in self._pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _start_pollers(self, functions: list[FunctionSpec]) -> None:
        assert self._emulator is not None
        for spec in functions:
            if not spec.sqs_sources:
                continue
            # One poller per worker slot, each over all the function's sources in turn (fair).
            for slot in range(self.settings.concurrency):
                poller = SqsPoller(
                    spec.sqs_sources,
                    self._pools[spec.logical_id],
                    self._emulator.client("sqs"),
                    region=self.settings.region,
                    wait_seconds=self.settings.poll_wait_seconds,
                    stop=self._stopping,
                    first=slot,
                )
                self._spawn(poller.run, f"poll-{spec.logical_id}")
            for source, queue_url in zip(spec.sqs_sources, poller.queue_urls, strict=True):
                log.info("%s <- SQS %s (batch %d)", spec.logical_id, queue_url, source.batch_size)

    def _start_api(self, functions: list[FunctionSpec]) -> None:
        assert self.stack is not None
        settings = self.settings
        gateway = build_gateway(
            self.stack,
            functions,
            settings.emulator_url,
            invoke=lambda function, event: self._pools[function].invoke(event),
            cognito=self._emulator.client("cognito-idp") if self._emulator else None,
        )
        self._serve(ApiServer(settings.host, settings.api_port, gateway), "api")
        for spec in functions:
            for route in spec.http_routes:
                auth = f"auth {route.authorizer}" if route.authorizer else "no auth"
                log.info("%-7s %-28s -> %s (%s)", route.method, route.path, spec.logical_id, auth)

    def _start_web(self) -> None:
        settings = self.settings
        config = web_config(
            self.outputs,
            api_url=settings.api_url,
            region=settings.region,
            cognito_endpoint=settings.emulator_url + "/",
        )
        if not (settings.web_dir / "index.html").is_file():
            log.warning("no %s/index.html: the web server shows a placeholder", settings.web_dir)
        web = WebServer(
            settings.host, settings.web_port, settings.web_dir, config, self._token_endpoint()
        )
        self._serve(web, "web")

    def _token_endpoint(self) -> TokenEndpoint | None:
        pool_id = self.outputs.get("UserPoolId")
        if not pool_id or self._emulator is None:
            return None
        cognito = self._emulator.client("cognito-idp")
        return TokenEndpoint(cognito, str(pool_id), self.settings.region)

    def partner_example_client(self) -> tuple[str, str] | None:
        """(client id, secret) of the template's example partner client, if the stack has one."""
        client_id = self.outputs.get("PartnerExampleClientId")
        if not client_id or self._emulator is None:
            return None
        client = self._emulator.client("cognito-idp").describe_user_pool_client(
            UserPoolId=str(self.outputs["UserPoolId"]), ClientId=str(client_id)
        )["UserPoolClient"]
        return str(client_id), str(client.get("ClientSecret") or "")

    def _start_ttl_sweeper(self) -> None:
        assert self.stack is not None
        assert self._emulator is not None
        interval = self.settings.ttl_sweep_seconds
        if interval <= 0:
            return
        tables = [
            str(self.stack.resolver.ref(resource.logical_id))
            for resource in self.stack.resources()
            if resource.type in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
        ]
        sweeper = TtlSweeper(self._emulator.client("dynamodb"), tables)
        self._spawn(lambda: sweeper.run(interval, self._stopping), "ttl-sweeper")

    def _start_schedules(self) -> None:
        assert self.stack is not None
        assert self._emulator is not None
        sqs = self._emulator.client("sqs")
        for runner in schedule_runners(self.stack, sqs, self.settings.schedule_seconds):
            self._spawn(
                lambda r=runner: r.run(self._stopping), f"schedule-{runner.schedule.logical_id}"
            )
            log.info("schedule %s every %.0f s", runner.schedule.logical_id, runner.interval)

    def _create_demo_user(self) -> None:
        pool_id = self.outputs.get("UserPoolId")
        if not pool_id:
            log.warning("no UserPoolId output: no demo user created")
            return
        assert self._emulator is not None
        cognito = self._emulator.client("cognito-idp")
        declared = {r.logical_id for r in self.stack.resources()} if self.stack else set()
        admins = (ADMINS_GROUP,) if "AdminsGroup" in declared else ()
        create_demo_user(
            cognito, str(pool_id), self.settings.demo_user, self.settings.demo_password, admins
        )
        create_demo_user(
            cognito, str(pool_id), self.settings.viewer_user, self.settings.viewer_password
        )

    def _create_webhook_secrets(self, functions: list[FunctionSpec]) -> None:
        names = {spec.environment.get("WEBHOOK_SECRETS_PARAMETER") for spec in functions} - {
            None,
            "",
        }
        pool_id = self.outputs.get("UserPoolId")
        if not names or not pool_id:
            return
        assert self._emulator is not None
        owners = [
            user_sub(self._emulator.client("cognito-idp"), str(pool_id), self.settings.demo_user)
        ]
        partner = self.partner_example_client()
        if partner is not None:
            owners.append(partner[0])
        for name in sorted(str(name) for name in names):
            create_webhook_secrets(self._emulator.client("ssm"), name, owners)
        self.webhook_secrets_parameter = sorted(str(name) for name in names)[0]

    def _serve(self, server: Any, name: str) -> None:
        self._servers.append(server)
        self._spawn(server.serve_forever, name)

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _summary(self, elapsed: float) -> dict[str, Any]:
        settings = self.settings
        return {
            "emulator_url": settings.emulator_url,
            "region": settings.region,
            "api_url": settings.api_url,
            "web_url": settings.web_url,
            "demo_user": settings.demo_user,
            "demo_password": settings.demo_password,  # local-only, printed in the banner too
            "viewer_user": settings.viewer_user,
            "viewer_password": settings.viewer_password,
            "models": self.seeded_models,
            "started_in_seconds": round(elapsed, 2),
            "outputs": self.outputs,
        }

    def banner(self, elapsed: float) -> str:
        settings = self.settings
        lines = [
            "",
            f"batchscore local is ready in {elapsed:.1f} s",
            f"  web page     {settings.web_url}",
            f"  HTTP API     {settings.api_url}",
            f"  AWS emulator {settings.emulator_url}  (AWS_ENDPOINT_URL for boto3 / aws cli,"
            " keys: local/local)",
            f"  sign in as   {settings.demo_user} / {settings.demo_password}  (local only;"
            " an admin: may publish models and move their aliases)",
            f"  non-admin    {settings.viewer_user} / {settings.viewer_password}",
            f"  models       {', '.join(self.seeded_models) or 'none'}",
            *self._partner_banner(),
            f"  webhooks     per-owner secrets in SSM {self.webhook_secrets_parameter}"
            " (aws ssm get-parameter --with-decryption), loopback callbacks allowed (local only)",
            f"  outputs      {settings.state_dir / OUTPUTS_FILE}",
            f"  functions    {', '.join(self._pools)} (up to {settings.concurrency} workers each)",
            "Ctrl-C stops everything.",
            "",
        ]
        return "\n".join(lines)

    def _partner_banner(self) -> list[str]:
        partner = self.partner_example_client()
        if partner is None:
            return []
        client_id, secret = partner
        return [
            f"  token URL    {self.outputs.get('TokenUrl', self.settings.token_url)}"
            "  (OAuth2 client credentials)",
            f"  partner      client id {client_id} / secret {secret}  (local only)",
        ]

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for pool in self._pools.values():
            pool.stop()
        if self._emulator is not None:
            # Stopping the emulator first ends the pollers' long polls at once.
            self._emulator.stop()
        deadline = time.monotonic() + 2
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        (self.settings.state_dir / READY_FILE).unlink(missing_ok=True)


def with_local_defaults(declared: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    """LOCAL_PARAMETER_DEFAULTS for the parameters the template declares and nobody set."""
    defaults = {
        name: value
        for name, value in LOCAL_PARAMETER_DEFAULTS.items()
        if name in declared and name not in overrides
    }
    return {**defaults, **overrides}


def with_web_origin(
    declared: dict[str, Any], overrides: dict[str, str], name: str, web_url: str
) -> dict[str, str]:
    """The local page's origin is the template's allowed browser origin, whatever its port.

    A String parameter is set to it; a CommaDelimitedList gets it appended to its default.
    """
    parameters = dict(overrides)
    if name not in declared or name in parameters:
        return parameters
    spec = declared[name]
    if str(spec.get("Type", "String")).startswith(("CommaDelimitedList", "List<")):
        origins = [origin for origin in str(spec.get("Default") or "").split(",") if origin]
        parameters[name] = ",".join([*origins, web_url] if web_url not in origins else origins)
    else:
        parameters[name] = web_url
    return parameters
