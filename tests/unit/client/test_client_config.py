from __future__ import annotations

import pytest

from batchscore_client.config import load_settings
from batchscore_client.errors import ConfigError
from tests.unit.client.client_support import API


def test_flags_win_over_environment_and_config_file(isolated_config):
    # Given
    isolated_config.mkdir(parents=True)
    (isolated_config / "config.toml").write_text('api_url = "https://from-file"\n')
    env = {"BATCHSCORE_CONFIG_DIR": str(isolated_config), "BATCHSCORE_API_URL": "https://from-env"}

    # When
    settings = load_settings({"api_url": "https://from-flag"}, env=env)

    # Then
    assert settings.api_url == "https://from-flag"


def test_environment_wins_over_config_file(isolated_config):
    # Given
    isolated_config.mkdir(parents=True)
    (isolated_config / "config.toml").write_text('api_url = "https://from-file"\n')
    env = {"BATCHSCORE_CONFIG_DIR": str(isolated_config), "BATCHSCORE_API_URL": "https://from-env"}

    # When
    settings = load_settings({}, env=env)

    # Then
    assert settings.api_url == "https://from-env"


def test_config_file_wins_over_what_login_remembered(isolated_config):
    # Given
    isolated_config.mkdir(parents=True)
    (isolated_config / "config.toml").write_text('user_pool_client_id = "from-file"\n')
    env = {"BATCHSCORE_CONFIG_DIR": str(isolated_config)}

    # When
    settings = load_settings(
        {}, env=env, remembered={"user_pool_client_id": "remembered", "api_url": API}
    )

    # Then
    assert (settings.user_pool_client_id, settings.api_url) == ("from-file", API)


def test_the_web_page_config_fills_api_and_cognito_settings(http, isolated_config):
    # Given
    http.get(
        "http://127.0.0.1:8080/config.json",
        json={
            "apiUrl": API,
            "cognitoEndpoint": "http://127.0.0.1:5000",
            "userPoolClientId": "abc",
            "region": "us-east-1",
            "userPoolId": "p",
        },
    )

    # When
    settings = load_settings(
        {"web_url": "http://127.0.0.1:8080/"}, env={"BATCHSCORE_CONFIG_DIR": str(isolated_config)}
    )

    # Then
    assert (settings.api_url, settings.cognito_url, settings.user_pool_client_id) == (
        API,
        "http://127.0.0.1:5000",
        "abc",
    )


def test_the_cognito_url_follows_the_region_when_no_endpoint_is_set():
    # Given
    settings = load_settings({"region": "eu-west-1"}, env={"BATCHSCORE_CONFIG_DIR": "/nonexistent"})

    # When
    url = settings.cognito_url

    # Then
    assert url == "https://cognito-idp.eu-west-1.amazonaws.com/"


def test_a_missing_setting_names_the_flag_and_variable():
    # Given
    settings = load_settings({}, env={"BATCHSCORE_CONFIG_DIR": "/nonexistent"})

    # When / Then
    with pytest.raises(ConfigError, match="--api-url / BATCHSCORE_API_URL"):
        settings.require("api_url")
