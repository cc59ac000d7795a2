import pytest
from pydantic import ValidationError

from infra.local.outputs import localize
from infra.local.runtime import with_local_defaults
from infra.local.settings import LocalSettings

DECLARED = {"CreateExamplePartnerClient": {"Type": "String", "Default": "false"}}


def test_local_stack_gets_the_example_partner_client():
    # Given / When
    parameters = with_local_defaults(DECLARED, {})

    # Then
    assert parameters == {"CreateExamplePartnerClient": "true"}


def test_a_parameter_override_wins_over_the_local_default():
    # Given / When
    parameters = with_local_defaults(DECLARED, {"CreateExamplePartnerClient": "false"})

    # Then
    assert parameters == {"CreateExamplePartnerClient": "false"}


def test_a_template_without_the_parameter_gets_no_default():
    # Given / When
    parameters = with_local_defaults({}, {})

    # Then
    assert parameters == {}


def test_user_pool_domain_token_url_becomes_the_local_web_server():
    # Given
    value = "https://batchscore-local-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token"

    # When
    localized = localize(value, "http://127.0.0.1:3000", "http://127.0.0.1:8080")

    # Then
    assert localized == "http://127.0.0.1:8080/oauth2/token"


def test_local_stack_allows_loopback_callbacks_through_the_template_parameter():
    # Given a template declaring the parameter
    declared = {"AllowLoopbackCallbacks": {"Type": "String", "Default": "false"}}

    # When
    parameters = with_local_defaults(declared, {})

    # Then
    assert parameters == {"AllowLoopbackCallbacks": "true"}


def test_functions_get_no_local_secret_or_insecure_switch_only_a_short_secrets_cache():
    # Given / When
    environment = LocalSettings().local_only_environment()

    # Then
    assert environment == {"WEBHOOK_SECRETS_MAX_AGE_SECONDS": "5"}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_the_runtime_refuses_to_bind_beyond_loopback(host: str) -> None:
    # Given / When a host that is not a loopback address
    # Then the settings refuse it, naming the variable
    with pytest.raises(ValidationError, match="BATCHSCORE_HOST"):
        LocalSettings(host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_addresses_are_accepted(host: str) -> None:
    # Given / When a loopback host
    settings = LocalSettings(host=host)

    # Then it is kept
    assert settings.host == host
