"""Staff sign-in, roles, permissions, CSRF and the security headers (in-process app)."""

import re

import pytest

from app import create_app
from app.auth import services as accounts
from app.auth.models import RoleGrant
from app.db import read_session, unit_of_work
from assemblies.services import create_assembly

PASSWORD = "correct-horse-battery"


@pytest.fixture
def people(app):
    """A host, a facilitator of assembly A and an assembly B."""
    with app.app_context(), unit_of_work() as uow:
        a = create_assembly(uow, "alpha", "Alpha Assembly", "Alpha", "London")
        b = create_assembly(uow, "beta", "Beta Assembly", "Beta", "Wales")
        host = accounts.create_staff_account(uow, "host@example.org", "Host", PASSWORD, True)
        fac = accounts.create_staff_account(uow, "fac@example.org", "Fac", PASSWORD)
        accounts.grant_role(uow, fac.id, a.id, "facilitator")
    return {"a": a.id, "b": b.id, "host": host.id, "fac": fac.id}


def sign_in(client, email, password=PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, people):
    wrong = sign_in(client, "fac@example.org", "not-the-password")
    unknown = sign_in(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = b"That email and password do not match an account."
    assert message in wrong.data
    assert message in unknown.data


def test_repeated_failures_are_throttled(client, people):
    statuses = [sign_in(client, "fac@example.org", f"wrong-{n}").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429


def test_successful_sign_ins_are_not_counted_against_the_throttle(client, people):
    for _ in range(12):
        assert sign_in(client, "fac@example.org").status_code == 302
        client.post("/sign-out")


def test_sign_in_and_out(client, people):
    response = sign_in(client, "fac@example.org")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    account = client.get("/account")
    assert b"Alpha Assembly" in account.data
    assert client.get("/sign-out").status_code == 405  # signing out needs a POST form
    client.post("/sign-out")
    assert client.get("/account").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, people):
    for target in ("//evil.example", "https://evil.example/", "javascript:alert(1)"):
        response = client.post(
            f"/sign-in?next={target}", data={"email": "fac@example.org", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/account"
        client.post("/sign-out")
    response = client.post(
        "/sign-in?next=/staff", data={"email": "fac@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff"


def test_only_hosts_manage_staff(client, people):
    assert client.get("/staff").status_code == 302  # anonymous: sent to sign in
    sign_in(client, "fac@example.org")
    assert client.get("/staff").status_code == 403
    assert client.post("/staff", data={"email": "x@example.org"}).status_code == 403
    assert client.post(f"/staff/{people['fac']}", data={}).status_code == 403
    assert client.post(f"/staff/{people['fac']}/revoke", data={}).status_code == 403


def test_host_creates_a_facilitator_who_can_sign_in(app, client, people):
    sign_in(client, "host@example.org")
    page = client.post(
        "/staff",
        data={
            "email": "New.Person@Example.org",
            "display_name": "New Person",
            "assembly_id": people["b"],
            "role": "facilitator",
        },
    )
    assert page.status_code == 200
    password = re.search(rb'<code class="secret">([^<]+)</code>', page.data).group(1).decode()
    client.post("/sign-out")
    assert sign_in(client, "new.person@example.org", password).status_code == 302
    assert b"Beta Assembly" in client.get("/account").data
    with app.app_context(), read_session() as session:
        grants = session.exec(RoleGrant.__table__.select()).all()
    assert any(g.assembly_id == people["b"] and g.role == "facilitator" for g in grants)


def test_duplicate_staff_email_is_refused_on_the_form(client, people):
    sign_in(client, "host@example.org")
    page = client.post(
        "/staff",
        data={"email": "fac@example.org", "display_name": "Again", "assembly_id": 0, "role": ""},
    )
    assert b"already exists" in page.data


def test_host_grants_and_revokes_roles(client, people):
    sign_in(client, "host@example.org")
    url = f"/staff/{people['fac']}"
    client.post(url, data={"assembly_id": people["b"], "role": "door"})
    assert b"Beta Assembly" in client.get(url).data
    client.post(f"{url}/revoke", data={"assembly_id": str(people["b"]), "role": "door"})
    assert b"Beta Assembly</span>" not in client.get(url).data.replace(b"</option>", b"")


def test_changing_the_password_ends_other_sessions(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "fac@example.org")
    sign_in(phone, "fac@example.org")
    laptop.post("/account", data={"current": PASSWORD, "new": "a-brand-new-password"})
    assert phone.get("/account").status_code == 302
    assert sign_in(laptop, "fac@example.org", "a-brand-new-password").status_code == 302


def test_wrong_current_password_is_refused(client, people):
    sign_in(client, "fac@example.org")
    page = client.post("/account", data={"current": "nope-nope-nope", "new": "whatever-long"})
    assert b"current password is not correct" in page.data


def test_forms_need_a_csrf_token(app, people):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert sign_in(client, "fac@example.org").status_code == 400
    page = client.get("/sign-in").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": "fac@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.post("/sign-out").status_code == 400


@pytest.mark.parametrize("path", ["/", "/sign-in", "/assemblies", "/nope", "/healthz"])
def test_security_headers_on_every_page(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts(client, people):
    for path in ("/", "/sign-in", "/assemblies", "/a/alpha", "/nope"):
        html = client.get(path).data.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path


def test_healthz_reports_database_seq_and_scheduler(client, people):
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok"
    assert body["last_seq"] > 0
    assert body["scheduler"] in {"stopped", "add-only", "running"}


def test_secure_cookies_can_be_required(app, monkeypatch):
    monkeypatch.setenv("ASSEMBLY_SECURE_COOKIES", "on")
    secure = create_app({"TESTING": True})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    secure.extensions["database"].engine.dispose()
