"""A partner program's app client in the local user pool, made as an operator makes one, and its
OAuth2 client-credentials token from the stack's token URL (`/oauth2/token`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import requests


@dataclass(frozen=True)
class PartnerClient:
    """An app client with a secret, allowed the client-credentials flow for its scopes."""

    token_url: str
    client_id: str
    secret: str
    timeout: float = 30

    @classmethod
    def create(
        cls,
        cognito: Any,
        outputs: Mapping[str, Any],
        scopes: Iterable[str],
        *,
        name: str,
        timeout: float = 30,
    ) -> Self:
        """A new client `<name>-<8 hex>` of the stack's user pool (its `outputs` name the pool and
        the token URL), through the emulator's `cognito` client."""
        client = cognito.create_user_pool_client(
            UserPoolId=outputs["UserPoolId"],
            ClientName=f"{name}-{uuid.uuid4().hex[:8]}",
            GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=list(scopes),
        )["UserPoolClient"]
        return cls(outputs["TokenUrl"], client["ClientId"], client["ClientSecret"], timeout)

    def token_answer(
        self, secret: str | None = None, scope: str | None = None
    ) -> requests.Response:
        """The token URL's answer to this client (with another `secret`, to see it refused)."""
        form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        return requests.post(
            self.token_url,
            data=form,
            auth=(self.client_id, secret or self.secret),
            timeout=self.timeout,
        )

    def access_token(self) -> str:
        """A token for all the client's scopes (`requests.HTTPError` if the token URL refuses)."""
        answer = self.token_answer()
        answer.raise_for_status()
        return str(answer.json()["access_token"])
