"""What an integrator creates survives a restart; several workers share one database file."""
import uuid

from tests.server.harness import running


def test_restart_keeps_created_member(tmp_path, site_db):
    db = site_db
    email = f"keep-{uuid.uuid4().hex[:8]}@example.org"
    with running(db) as server:
        created = server.mp("POST", "/members", data={"email": email, "username": email.split("@")[0]})
        assert created.status_code in (200, 201), created.text
        member_id = created.json()["id"]
        total = int(server.mp("GET", "/members").headers["X-WP-Total"])
    with running(db) as server:
        again = server.mp("GET", f"/members/{member_id}")
        assert again.status_code == 200 and again.json()["email"] == email
        assert int(server.mp("GET", "/members").headers["X-WP-Total"]) == total


def test_workers_share_the_database(tmp_path, site_db):
    with running(site_db, workers=3) as server:
        created = server.mp("POST", "/memberships", data={"title": "Shared"}).json()
        seen = {server.mp("GET", f"/memberships/{created['id']}").status_code for _ in range(30)}
        assert seen == {200}


def test_a_write_on_one_worker_is_seen_by_every_worker(tmp_path, site_db):
    """GET answers are cached per worker; a commit anywhere must retire them everywhere."""
    with running(site_db, workers=3) as server:
        member = server.mp("GET", "/members", params={"per_page": 1}).json()[0]
        path = f"/members/{member['id']}"
        for _ in range(20):  # warm every worker's cache with the old name
            assert server.mp("GET", path).status_code == 200
        server.mp("POST", path, data={"first_name": "Changed"})
        names = {server.mp("GET", path).json()["first_name"] for _ in range(30)}
        assert names == {"Changed"}
