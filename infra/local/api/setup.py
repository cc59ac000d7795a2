"""Build the gateway from the template: routes, JWT authorizers and CORS of its HttpApis."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from infra.local.api.cors import CorsConfig
from infra.local.api.gateway import HttpApiGateway
from infra.local.api.jwt_auth import JwtAuthorizer, JwtVerifier, local_jwks_url
from infra.local.api.pool_audience import PoolClientIds
from infra.local.api.routes import RouteTable
from infra.local.functions import FunctionSpec
from infra.local.template import StackTemplate

log = logging.getLogger("infra.local")


def _verifiers(
    props: dict[str, Any], emulator_url: str, cognito: Any | None
) -> dict[str, JwtVerifier]:
    verifiers = {}
    for name, authorizer in ((props.get("Auth") or {}).get("Authorizers") or {}).items():
        jwt_config = authorizer.get("JwtConfiguration")
        if not jwt_config:
            log.warning("skip authorizer %s: only JWT authorizers run locally", name)
            continue
        issuer = str(jwt_config["issuer"])
        pool_id = issuer.rstrip("/").rsplit("/", 1)[-1]
        verifiers[name] = JwtVerifier(
            JwtAuthorizer(
                name=name,
                issuer=issuer,
                audience=tuple(str(item) for item in jwt_config.get("audience") or []),
                jwks_url=local_jwks_url(emulator_url, issuer),
            ),
            extra_audience=PoolClientIds(cognito, pool_id).accepts if cognito else None,
        )
    return verifiers


def build_gateway(
    stack: StackTemplate,
    functions: list[FunctionSpec],
    emulator_url: str,
    invoke: Callable[[str, dict[str, Any]], Any],
    cognito: Any | None = None,
) -> HttpApiGateway:
    """One gateway serves the routes of every HttpApi; CORS is the first API's that sets it.

    With the emulator's `cognito` client, every app client of an authorizer's user pool is an
    accepted audience (`pool_audience.py`).
    """
    verifiers: dict[str, JwtVerifier] = {}
    cors: CorsConfig | None = None
    for resource in stack.resources():
        if resource.type == "AWS::Serverless::HttpApi":
            props = stack.resolver.resolve(resource.properties)
            cors = cors or CorsConfig.from_template(props.get("CorsConfiguration"))
            verifiers.update(_verifiers(props, emulator_url, cognito))
    routes = [(route, spec.logical_id) for spec in functions for route in spec.http_routes]
    return HttpApiGateway(
        routes=RouteTable(routes),
        invoke=invoke,
        verifiers=verifiers,
        cors=cors,
        account_id=stack.resolver.account_id,
    )
