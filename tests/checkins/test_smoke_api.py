from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from tests.conftest import api_token, checkin_payload


def test_person_records_and_reads_a_checkin(client: TestClient, alice: User) -> None:
    headers = api_token(client, "alice@example.org")
    created = client.post("/api/v1/checkins", json=checkin_payload(value=4), headers=headers)
    assert created.status_code == 201, created.text
    listed = client.get("/api/v1/checkins", headers=headers)
    assert [c["pa"] for c in listed.json()["checkins"]] == [4.0]
