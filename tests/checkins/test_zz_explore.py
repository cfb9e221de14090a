from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from tests.conftest import api_token, checkin_payload, sign_in, csrf_from


def test_explore(client: TestClient, alice: User) -> None:
    headers = api_token(client, "alice@example.org")
    a = client.post("/api/v1/checkins", json=checkin_payload(value=4), headers=headers)
    b = client.post("/api/v1/checkins", json=checkin_payload(value=5), headers=headers)
    print(a.status_code, b.status_code)
    c = client.post("/api/v1/checkins", json=checkin_payload(value=7, bogus=1, note="x"*4001, sleep_hours=25, event_pleasantness=4, joyful="abc", calm=2.5), headers=headers)
    print(c.status_code, c.json())
    print(client.get("/api/nope").status_code, client.get("/api/nope").json())
    r = client.get("/nope")
    print(r.status_code, r.headers["content-type"], r.text[:3000])
