#!/usr/bin/env python3
"""The upstream REST v2 auth examples (ECGrid developer documentation, rest-api/auth/*.md),
run with `requests` against an edigrid, in the order an integrator meets them:

    version -> login -> session -> key-generate -> session by X-API-Key -> refresh
    -> password change (and back) -> logout

Each call is what the documentation's Python example sends: the same method, path, headers
and JSON body keys (`X-API-Key` too, where the example sends it and a key is known by then).
Each response is checked against the documented shape and against SPEC.md section 8.
Prints `OK <step>` per step and `PASS rest examples` at the end; at the first mismatch it
prints what was expected and what came, and exits 1.

Every session the script opens is ended by the time it passes (by refresh-token reuse
detection, by the password change, or by logout), and the password is changed back, so the
account can be used again.

Usage: rest_examples.py --base URL --login L --password P
       [--expect-network N] [--expect-mailbox M] [--expect-auth-level LEVEL]
"""

import argparse
import secrets
import sys
from datetime import datetime, timedelta, timezone

import requests

ENVELOPE_KEYS = {"success", "data", "errorCode", "message"}
TIMEOUT = 30


class Mismatch(Exception):
    pass


def check(condition, what, response=None):
    if not condition:
        detail = ""
        if response is not None:
            detail = (
                f"\n  request:  {response.request.method} {response.request.url}"
                f"\n  response: {response.status_code} {response.text[:600]}"
            )
        raise Mismatch(f"{what}{detail}")


def ok(step):
    print(f"OK {step}", flush=True)


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.http = requests.Session()

    def call(self, method, path, *, status=200, headers=None, body=None):
        """One request; checks the status, the JSON content type and the envelope. Returns
        (response, envelope)."""
        r = self.http.request(
            method, self.base + path, headers=headers or {}, json=body, timeout=TIMEOUT
        )
        check(
            r.status_code == status,
            f"{method} {path}: expected HTTP {status}, got {r.status_code}",
            r,
        )
        ctype = r.headers.get("Content-Type", "")
        check(
            ctype.split(";")[0].strip() == "application/json",
            f"{method} {path}: expected Content-Type application/json, got {ctype!r}",
            r,
        )
        try:
            env = r.json()
        except ValueError:
            raise Mismatch(f"{method} {path}: the body is not JSON: {r.text[:300]!r}")
        check(isinstance(env, dict), f"{method} {path}: the body is not a JSON object", r)
        check(
            set(env) == ENVELOPE_KEYS,
            f"{method} {path}: envelope keys {sorted(env)} != {sorted(ENVELOPE_KEYS)}",
            r,
        )
        check(isinstance(env["success"], bool), f"{method} {path}: success is not a bool", r)
        check(isinstance(env["errorCode"], str), f"{method} {path}: errorCode is not a string", r)
        check(isinstance(env["message"], str), f"{method} {path}: message is not a string", r)
        if 200 <= status < 300:
            check(env["success"] is True, f"{method} {path}: success is not true", r)
            check(env["errorCode"] == "", f"{method} {path}: errorCode is not empty", r)
        else:
            check(env["success"] is False, f"{method} {path}: success is not false", r)
            check(env["data"] is None, f"{method} {path}: data of an error is not null", r)
            check(env["errorCode"] != "", f"{method} {path}: errorCode of an error is empty", r)
        return r, env


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def json_headers(extra=None):
    headers = {"Content-Type": "application/json"}
    headers.update(extra or {})
    return headers


def check_utc_instant(value, what, response):
    """An ISO 8601 date-time in UTC (`Z` or `+00:00`), not already in the past."""
    check(isinstance(value, str), f"{what} is not a string: {value!r}", response)
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Mismatch(f"{what} is not ISO 8601: {value!r}")
    check(
        instant.tzinfo is not None and instant.utcoffset() == timedelta(0),
        f"{what} is not in UTC: {value!r}",
        response,
    )
    check(
        instant > datetime.now(timezone.utc) - timedelta(minutes=5),
        f"{what} is in the past: {value!r}",
        response,
    )
    return instant


def check_int(value, what, response):
    check(
        isinstance(value, int) and not isinstance(value, bool),
        f"{what} is not an integer: {value!r}",
        response,
    )


def check_token_data(r, env, what):
    """login.md / refresh-token.md: data {token, refreshToken, expiresAt, userId}."""
    data = env["data"]
    check(isinstance(data, dict), f"{what}: data is not an object", r)
    expected = {"token", "refreshToken", "expiresAt", "userId"}
    check(set(data) == expected, f"{what}: data keys {sorted(data)} != {sorted(expected)}", r)
    for key in ("token", "refreshToken"):
        check(
            isinstance(data[key], str) and data[key].count(".") == 2,
            f"{what}: {key} is not a JWT: {data[key]!r}",
            r,
        )
    check(data["token"] != data["refreshToken"], f"{what}: token and refreshToken are equal", r)
    check_utc_instant(data["expiresAt"], f"{what}: expiresAt", r)
    check_int(data["userId"], f"{what}: userId", r)
    return data


def check_session_data(r, env, what, args, user_id):
    """session.md: data {userId, login, networkId, mailboxId, authLevel, expiresAt}."""
    data = env["data"]
    check(isinstance(data, dict), f"{what}: data is not an object", r)
    documented = {"userId", "login", "networkId", "mailboxId", "authLevel", "expiresAt"}
    missing = documented - set(data)
    check(not missing, f"{what}: data lacks {sorted(missing)}", r)
    for key in ("userId", "networkId", "mailboxId"):
        check_int(data[key], f"{what}: {key}", r)
    check(data["userId"] == user_id, f"{what}: userId {data['userId']} != {user_id}", r)
    check(data["login"] == args.login, f"{what}: login {data['login']!r} != {args.login!r}", r)
    if args.expect_network is not None:
        check(data["networkId"] == args.expect_network, f"{what}: networkId", r)
    if args.expect_mailbox is not None:
        check(data["mailboxId"] == args.expect_mailbox, f"{what}: mailboxId", r)
    check(isinstance(data["authLevel"], str), f"{what}: authLevel is not a string", r)
    if args.expect_auth_level is not None:
        check(
            data["authLevel"] == args.expect_auth_level,
            f"{what}: authLevel {data['authLevel']!r} != {args.expect_auth_level!r}",
            r,
        )
    check_utc_instant(data["expiresAt"], f"{what}: expiresAt", r)
    return data


def expect_rejected(api, token, what):
    """The token no longer works: 401 InvalidSession (logout.md: 401 Unauthorized)."""
    r, env = api.call("POST", "/v2/auth/session", status=401, headers=bearer(token))
    check(env["errorCode"] == "InvalidSession", f"{what}: errorCode {env['errorCode']!r}", r)


def new_password():
    # Meets the policy (change-password.md, SPEC 7): lower, upper, digit, other, 8 or more.
    return f"Rx{secrets.token_hex(6)}#7q"


def run(args):
    api = Api(args.base)

    # version.md: GET, no authentication, data {"version": "2.6"}.
    r, env = api.call("GET", "/v2/auth/version")
    check(env["data"] == {"version": "2.6"}, f"version: data {env['data']!r}", r)
    check(env["message"] == "", "version: message is not empty", r)
    ok("version")

    # login.md: POST {login, password}. The example sends X-API-Key, but no key exists yet.
    r, env = api.call(
        "POST",
        "/v2/auth/login",
        headers=json_headers(),
        body={"login": args.login, "password": args.password},
    )
    first = check_token_data(r, env, "login")
    user_id = first["userId"]
    ok("login")

    # session.md, as its C# example does it: the bearer token, no body.
    r, env = api.call("POST", "/v2/auth/session", headers=bearer(first["token"]))
    check_session_data(r, env, "session (Bearer)", args, user_id)
    ok("session (Bearer)")

    # The other examples send X-API-Key: get one (generate-api-key.md), with the bearer token.
    r, env = api.call(
        "POST", f"/v2/users/key-generate/{user_id}", headers=bearer(first["token"])
    )
    api_key = env["data"]
    check(isinstance(api_key, str) and len(api_key) >= 32, f"key-generate: data {api_key!r}", r)
    key_headers = json_headers({"X-API-Key": api_key})
    ok("key-generate")

    # session.md's Python example: X-API-Key, and (as printed there) a JSON body, which the
    # endpoint must ignore.
    session_body = {
        "success": True,
        "data": {
            "userId": 4821,
            "login": "jsmith@example.com",
            "networkId": 1,
            "mailboxId": 101,
            "authLevel": "MailboxAdmin",
            "expiresAt": "2026-05-07T18:30:00Z",
        },
        "errorCode": "",
        "message": "",
    }
    r, env = api.call("POST", "/v2/auth/session", headers=key_headers, body=session_body)
    check_session_data(r, env, "session (X-API-Key)", args, user_id)
    ok("session (X-API-Key)")

    # version.md's example sends X-API-Key too; it must make no difference.
    r, env = api.call("GET", "/v2/auth/version", headers={"X-API-Key": api_key})
    check(env["data"] == {"version": "2.6"}, f"version (X-API-Key): data {env['data']!r}", r)
    ok("version (X-API-Key)")

    # refresh-token.md: POST {token} (with X-API-Key, as its example): a new pair.
    r, env = api.call(
        "POST", "/v2/auth/refresh", headers=key_headers, body={"token": first["token"]}
    )
    second = check_token_data(r, env, "refresh")
    check(second["userId"] == user_id, "refresh: userId changed", r)
    check(second["token"] != first["token"], "refresh: the token did not change", r)
    check(
        second["refreshToken"] != first["refreshToken"], "refresh: the refreshToken did not change", r
    )
    r, env = api.call("POST", "/v2/auth/session", headers=bearer(second["token"]))
    check_session_data(r, env, "session (refreshed token)", args, user_id)
    ok("refresh")

    # refresh-token.md: "The original token is invalidated after a successful refresh".
    expect_rejected(api, first["token"], "the token replaced by refresh")
    ok("old token refused after refresh (401)")
    # SPEC 8: presenting a rotated token again is treated as theft and ends the session, so
    # the pair it was rotated into stops working as well.
    expect_rejected(api, second["token"], "the token of a session ended by reuse detection")
    ok("reuse of a rotated token ended the session")

    # SPEC 8: refresh also takes {refreshToken}. login.md's example sends X-API-Key; a key
    # is known now, so it goes along (login must ignore it).
    r, env = api.call(
        "POST",
        "/v2/auth/login",
        headers=key_headers,
        body={"login": args.login, "password": args.password},
    )
    third = check_token_data(r, env, "login (X-API-Key sent)")
    check(third["userId"] == user_id, "login (X-API-Key sent): userId", r)
    ok("login (X-API-Key sent)")
    r, env = api.call(
        "POST",
        "/v2/auth/refresh",
        headers=json_headers(),
        body={"refreshToken": third["refreshToken"]},
    )
    fourth = check_token_data(r, env, "refresh (refreshToken)")
    r, env = api.call("POST", "/v2/auth/session", headers=bearer(fourth["token"]))
    check_session_data(r, env, "session (token from refreshToken)", args, user_id)
    ok("refresh (refreshToken)")

    # change-password.md: PUT {currentPassword, newPassword}; data null. Sent with the bearer
    # token (not the example's X-API-Key): the session that changes the password stays open
    # (SPEC 5), which is what the steps below check.
    changed = new_password()
    r, env = api.call(
        "PUT",
        "/v2/auth/password",
        headers=json_headers(bearer(fourth["token"])),
        body={"currentPassword": args.password, "newPassword": changed},
    )
    check(env["data"] is None, f"password: data {env['data']!r} is not null", r)
    if env["message"] != "Password updated successfully.":
        print(
            f"NOTE password: message {env['message']!r}; change-password.md documents "
            "'Password updated successfully.'",
            flush=True,
        )
    r, env = api.call("POST", "/v2/auth/session", headers=bearer(fourth["token"]))
    check_session_data(r, env, "session (after changing the password)", args, user_id)
    ok("password change")

    r, env = api.call(
        "POST",
        "/v2/auth/login",
        status=401,
        headers=json_headers(),
        body={"login": args.login, "password": args.password},
    )
    ok("old password refused (401)")
    r, env = api.call(
        "POST",
        "/v2/auth/login",
        headers=json_headers(),
        body={"login": args.login, "password": changed},
    )
    fifth = check_token_data(r, env, "login (new password)")
    ok("login (new password)")

    # Back to the original password, so the account stays usable.
    r, env = api.call(
        "PUT",
        "/v2/auth/password",
        headers=json_headers(bearer(fifth["token"])),
        body={"currentPassword": changed, "newPassword": args.password},
    )
    check(env["data"] is None, f"password (back): data {env['data']!r} is not null", r)
    # SPEC 5: a password change ends every other session of the user.
    expect_rejected(api, fourth["token"], "another session after a password change")
    ok("password changed back; other sessions ended")

    # logout.md: POST, data null, message "Session terminated."; its example also sends a
    # JSON body (which the endpoint must ignore). With the bearer token: the example's
    # X-API-Key would authenticate the key, not this session.
    logout_body = {"success": True, "data": None, "errorCode": "", "message": "Session terminated."}
    r, env = api.call(
        "POST",
        "/v2/auth/logout",
        headers=json_headers(bearer(fifth["token"])),
        body=logout_body,
    )
    check(env["data"] is None, f"logout: data {env['data']!r} is not null", r)
    check(env["message"] == "Session terminated.", f"logout: message {env['message']!r}", r)
    # logout.md: "any subsequent requests using the same token will receive a 401".
    expect_rejected(api, fifth["token"], "a logged-out token")
    ok("logout")

    # logout.md's example as printed: X-API-Key. "logout terminates the current session but
    # does not revoke the key itself."
    r, env = api.call("POST", "/v2/auth/logout", headers=key_headers, body=logout_body)
    check(env["data"] is None, f"logout (X-API-Key): data {env['data']!r} is not null", r)
    check(
        env["message"] == "Session terminated.", f"logout (X-API-Key): message {env['message']!r}", r
    )
    r, env = api.call("POST", "/v2/auth/session", headers={"X-API-Key": api_key})
    check_session_data(r, env, "session (X-API-Key after its logout)", args, user_id)
    ok("logout (X-API-Key); the key still works")

    # The original password works again; this last session is logged out too.
    r, env = api.call(
        "POST",
        "/v2/auth/login",
        headers=json_headers(),
        body={"login": args.login, "password": args.password},
    )
    last = check_token_data(r, env, "login (original password)")
    r, env = api.call("POST", "/v2/auth/logout", headers=bearer(last["token"]))
    check(env["message"] == "Session terminated.", f"logout: message {env['message']!r}", r)
    expect_rejected(api, last["token"], "a logged-out token")
    ok("original password works again")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="edigrid's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--expect-network", type=int)
    parser.add_argument("--expect-mailbox", type=int)
    parser.add_argument("--expect-auth-level")
    args = parser.parse_args()
    try:
        run(args)
    except Mismatch as e:
        print(f"FAIL {e}", file=sys.stderr, flush=True)
        return 1
    except requests.RequestException as e:
        print(f"FAIL request error: {e}", file=sys.stderr, flush=True)
        return 1
    print("PASS rest examples", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
