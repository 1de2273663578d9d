"""CSRF on every POST route, session fixation, cookie flags, and the security headers on
every page."""

import requests

from app.security import SECURITY_HEADERS
from tests.clients import csrf_token
from tests.security.test_authorization_matrix import ROUTES, fill, refused
from tests.servers import DEMO_PASSWORD

POST_ROUTES = sorted((key, value) for key, value in ROUTES.items() if key[0] == "POST")
GET_PAGES = sorted((key, value) for key, value in ROUTES.items() if key[0] == "GET")


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(cast):
    wrong = []
    for (_method, _rule), (allowed, template) in POST_ROUTES:
        path = fill(template, cast)
        role = "host" if "host" in allowed else "att_a"
        for token in (None, "forged-token", csrf_token_of(cast, "fac_b")):
            data = {} if token is None else {"csrf_token": token}
            with cast.clone(role) as http:
                response = http.post(cast.url + path, data=data, allow_redirects=False, timeout=20)
            if response.status_code != 400 or "Form expired" not in response.text:
                wrong.append(f"POST {path} with token {token!r}: {response.status_code}")
    assert wrong == []


def csrf_token_of(cast, role: str) -> str:
    """A genuine CSRF token, but of another person's session."""
    return csrf_token(cast.http[role].get(cast.url + "/sign-in", timeout=20).text)


def test_signing_in_gives_a_new_session_cookie(cast):
    with requests.Session() as http:
        page = http.get(cast.url + "/sign-in", timeout=20)
        planted = http.cookies.get("assembly_session")
        assert planted, "the sign-in page sets a session cookie (for its CSRF token)"
        response = http.post(
            cast.url + "/sign-in",
            data={
                "email": "host@assembly.example.org",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf_token(page.text),
            },
            allow_redirects=False,
            timeout=20,
        )
        assert response.status_code == 302
        assert http.cookies.get("assembly_session") != planted
    # Whoever planted the pre-sign-in cookie is still nobody.
    with requests.Session() as attacker:
        attacker.cookies.set("assembly_session", planted)
        account = attacker.get(cast.url + "/account", allow_redirects=False, timeout=20)
        assert refused(account)


def test_session_cookie_flags(cast):
    response = requests.get(cast.url + "/sign-in", timeout=20)
    header = response.headers["Set-Cookie"]
    assert "assembly_session=" in header
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # off by default: plain HTTP on a laptop works


def test_secure_cookies_when_configured(server_factory):
    server = server_factory(demo=False, ASSEMBLY_SECURE_COOKIES="on").start()
    header = requests.get(server.url + "/sign-in", timeout=20).headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    forwarded = requests.get(server.url + "/", timeout=20)
    assert "Strict-Transport-Security" not in forwarded.headers  # plain HTTP: no HSTS


def test_security_headers_on_every_page(cast):
    wrong = []
    for role in ("anon", "host"):
        for (_method, _rule), (_allowed, template) in GET_PAGES:
            path = fill(template, cast)
            with cast.clone(role) as http:
                response = http.get(cast.url + path, allow_redirects=False, timeout=20)
            for name, value in SECURITY_HEADERS.items():
                if response.headers.get(name) != value:
                    wrong.append(f"{path} as {role}: {name} = {response.headers.get(name)!r}")
    missing = requests.get(cast.url + "/no-such-page", timeout=20)
    assert missing.status_code == 404
    assert missing.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert wrong == []


def test_the_policy_forbids_inline_scripts_framing_and_plugins():
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
