"""One request through API Gateway: CORS preflight, route, JWT authorizer, function, answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra.local.api.cors import CorsConfig
from infra.local.api.event import HttpRequest, build_event
from infra.local.api.jwt_auth import JwtVerifier, Unauthorized, authorizer_context, has_scopes
from infra.local.api.response import (
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    NOT_FOUND,
    UNAUTHORIZED,
    HttpResponse,
    map_result,
)
from infra.local.api.routes import RouteMatch, RouteTable
from infra.local.errors import HandlerError

log = logging.getLogger("infra.local")

Invoke = Callable[[str, dict[str, Any]], Any]
"""Calls a function (by logical id) with an event and returns its answer."""


@dataclass
class HttpApiGateway:
    routes: RouteTable
    invoke: Invoke
    verifiers: dict[str, JwtVerifier]
    cors: CorsConfig | None
    account_id: str
    api_id: str = "local"

    def handle(self, request: HttpRequest, domain_name: str) -> HttpResponse:
        origin = request.header("origin")
        preflight = self._preflight(request, origin)
        if preflight is not None:
            return preflight
        response = self._route(request, domain_name)
        if self.cors is None:
            return response
        headers = response.headers + self.cors.response_headers(origin)
        return HttpResponse(response.status, headers, response.body)

    def _preflight(self, request: HttpRequest, origin: str | None) -> HttpResponse | None:
        wanted_method = request.header("access-control-request-method")
        if request.method != "OPTIONS" or self.cors is None or wanted_method is None:
            return None
        headers = self.cors.preflight(
            origin, wanted_method, request.header("access-control-request-headers")
        )
        return HttpResponse(204, headers)

    def _route(self, request: HttpRequest, domain_name: str) -> HttpResponse:
        match = self.routes.match(request.method, request.path)
        if match is None:
            return NOT_FOUND
        try:
            authorizer = self._authorize(match, request)
        except Unauthorized as exc:
            log.info("401 %s %s: %s", request.method, request.path, exc)
            return UNAUTHORIZED
        except PermissionError:
            return FORBIDDEN
        event = build_event(
            request,
            route_key=match.route_key,
            path_parameters=match.path_parameters,
            api_id=self.api_id,
            account_id=self.account_id,
            domain_name=domain_name,
            authorizer=authorizer,
        )
        try:
            result = self.invoke(match.function, event)
        except HandlerError as exc:
            log.error("500 %s %s: %s", request.method, request.path, exc)
            return INTERNAL_SERVER_ERROR
        return map_result(result)

    def _authorize(self, match: RouteMatch, request: HttpRequest) -> dict[str, Any] | None:
        name = match.route.authorizer
        if name is None:
            return None
        verifier = self.verifiers.get(name)
        if verifier is None:
            raise Unauthorized(f"authorizer {name} is not a JWT authorizer the runtime knows")
        claims = verifier.verify(request.header("authorization"))
        if not has_scopes(claims, match.route.scopes):
            raise PermissionError(f"token lacks one of the scopes {match.route.scopes}")
        return authorizer_context(claims)
