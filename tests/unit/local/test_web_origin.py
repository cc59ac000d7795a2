from infra.local.runtime import with_web_origin

WEB_URL = "http://127.0.0.1:18080"


def test_string_origin_parameter_becomes_the_local_page_origin():
    # Given
    declared = {"WebOrigin": {"Type": "String", "Default": "http://127.0.0.1:8080"}}

    # When
    parameters = with_web_origin(declared, {}, "WebOrigin", WEB_URL)

    # Then
    assert parameters == {"WebOrigin": WEB_URL}


def test_list_origin_parameter_gets_the_local_page_origin_appended():
    # Given
    declared = {"WebOrigin": {"Type": "CommaDelimitedList", "Default": "http://a"}}

    # When
    parameters = with_web_origin(declared, {}, "WebOrigin", WEB_URL)

    # Then
    assert parameters == {"WebOrigin": f"http://a,{WEB_URL}"}


def test_explicit_override_is_kept():
    # Given
    declared = {"WebOrigin": {"Type": "String"}}

    # When
    parameters = with_web_origin(declared, {"WebOrigin": "http://mine"}, "WebOrigin", WEB_URL)

    # Then
    assert parameters == {"WebOrigin": "http://mine"}


def test_execute_api_address_becomes_the_local_api_url():
    # Given
    from infra.local.outputs import localize

    value = "https://local.execute-api.us-east-1.amazonaws.com/jobs"

    # When
    localized = localize(value, "http://127.0.0.1:3000")

    # Then
    assert localized == "http://127.0.0.1:3000/jobs"
