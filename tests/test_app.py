"""The app as a whole: health check, the OpenAPI document, and not-found answers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from affectrange.analysis.items import ITEM_IDS
from affectrange.app import create_app
from affectrange.db import create_database
from tests.conftest import make_settings


def test_healthz_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_document_lists_the_checkin_and_token_endpoints(client: TestClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "AffectRange"
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/checkins"])
    assert "post" in paths["/api/v1/auth/token"]
    assert {"get", "delete"} <= set(paths["/api/v1/checkins/{checkin_id}"])


def test_openapi_document_describes_the_checkin_body_with_every_item(client: TestClient) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/v1/checkins"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]

    assert set(ITEM_IDS) <= set(schema["required"])
    assert schema["properties"]["joyful"]["maximum"] == 6
    assert schema["properties"]["event_pleasantness"]["anyOf"][0]["minimum"] == -3
    assert schema["additionalProperties"] is False


def test_openapi_document_leaves_out_the_html_pages(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert "/checkins" not in paths
    assert "/checkins/new" not in paths


def test_unknown_api_path_answers_404_in_the_json_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "There is nothing at this address."}
    }


def test_wrong_method_on_an_api_path_answers_405_in_the_json_error_shape(
    client: TestClient,
) -> None:
    response = client.put("/api/v1/checkins")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_api_without_a_token_answers_401_in_the_json_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/checkins")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_unknown_page_answers_404_with_an_html_page(client: TestClient) -> None:
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "<h1>Not found</h1>" in response.text
    assert "There is nothing at this address." in response.text


def test_healthz_answers_503_in_json_when_the_database_does_not_answer() -> None:
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/affectrange?connect_timeout=2"
    app = create_app(make_settings(unreachable), database=create_database(unreachable))

    with TestClient(app) as client:
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_openapi_document_shows_the_real_error_shape_and_the_bearer_scheme(
    client: TestClient,
) -> None:
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/v1/checkins"]["post"]

    error_schema = post["responses"]["422"]["content"]["application/json"]["schema"]
    assert error_schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert post["security"] == [{"bearer": []}]
    assert "security" not in document["paths"]["/api/v1/auth/token"]["post"]
