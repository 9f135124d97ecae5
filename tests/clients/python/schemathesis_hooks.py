"""Schemathesis hooks for run_schemathesis.sh: every call authenticated with one live API key
(`X-API-Key`), and the account the run uses kept as it was. Loaded through SCHEMATHESIS_HOOKS;
configured by the EDIGRID_ST_* variables the script sets.

What the run may do to its own account, and what these hooks do about it:
- key-generate/{me} (and its alias generate-api-key) replaces the key at once: the new key comes
  back in the response, and it becomes the live one.
- A call that counts as a failed login (a refused login with the run's login name, which
  schemathesis reuses from responses; a wrong currentPassword on PUT /v2/auth/password) would,
  five times over, lock the account for the password logins that follow the run (API keys are
  not locked out): after each, POST /v2/users/reset/{me} clears the count.
- POST /v2/users/password with the run's own userId sets its password without the current one
  (SPEC-VAN 14): it is set back at once when the run knows it (--login/--password).
- logout and reset/{me} end sessions, never an API key; status, level and home changes of
  oneself are refused by the server (SPEC-VAN 14).
The hooks also check what schemathesis cannot: the live key is never refused with 401. Any such
refusal fails the run.
"""
import atexit
import json
import os
import threading

import requests
import schemathesis

BASE = os.environ["EDIGRID_ST_BASE"]
LOGIN = os.environ.get("EDIGRID_ST_LOGIN", "")
PASSWORD = os.environ.get("EDIGRID_ST_PASSWORD", "")
GIVEN_KEY = os.environ.get("EDIGRID_ST_API_KEY", "")
STATS_FILE = os.environ["EDIGRID_ST_STATS"]
TIMEOUT = 30
KEY_ROTATING = {"/v2/users/key-generate/{id}", "/v2/users/{id}/generate-api-key"}

_lock = threading.RLock()
_key = None  # the live API key
_me = None  # the run's own UserID
_issued = set()  # every key this module used
stats = {"setup": "", "authenticated_calls": 0, "key_rotations": 0, "resets": 0,
         "password_restores": 0, "live_key_refused": []}


def _envelope(r, what):
    if r.status_code != 200:
        raise RuntimeError(f"{what} for the run failed: {r.status_code} {r.text[:300]}")
    return r.json()["data"]


def _setup():
    """The live key and the run's UserID: the given key, or a key generated for the login."""
    global _key, _me
    if GIVEN_KEY:
        key = GIVEN_KEY
        stats["setup"] = "given API key"
    else:
        token = _envelope(requests.post(f"{BASE}/v2/auth/login", json={"login": LOGIN, "password": PASSWORD},
                                        timeout=TIMEOUT), "login")["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        me = _envelope(requests.get(f"{BASE}/v2/users/me", headers=bearer, timeout=TIMEOUT), "users/me")
        key = _envelope(requests.post(f"{BASE}/v2/users/key-generate/{me['userId']}", headers=bearer,
                                      timeout=TIMEOUT), "key-generate")
        requests.post(f"{BASE}/v2/auth/logout", headers=bearer, timeout=TIMEOUT)
        stats["setup"] = f"API key generated for {LOGIN!r} over a bearer session"
    me = _envelope(requests.get(f"{BASE}/v2/users/me", headers={"X-API-Key": key}, timeout=TIMEOUT),
                   "users/me by the API key")
    _key, _me = key, me["userId"]
    _issued.add(key)


def live_key():
    with _lock:
        if _key is None:
            _setup()
        return _key


def _own(headers):
    return {"X-API-Key": live_key(), **(headers or {})}


# Login, refresh and version take no credentials.
@schemathesis.auth(refresh_interval=None).skip_for(
    path=["/v2/auth/login", "/v2/auth/refresh", "/v2/auth/version"]
)
class EdigridApiKey:
    def get(self, case, context):
        return live_key()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["X-API-Key"] = data


@schemathesis.hook
def before_call(context, case, kwargs):
    # Some cases are built before their call (the coverage phase builds them all first): a key
    # put in then may have been replaced since.
    headers = case.headers or {}
    if headers.get("X-API-Key") in _issued:
        headers["X-API-Key"] = live_key()


def _path_id(case):
    value = (case.path_parameters or {}).get("id")
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _reset_failure_count():
    """A failed login counted towards the lockout (SPEC 7): reset the run's user."""
    requests.post(f"{BASE}/v2/users/reset/{_me}", headers=_own({}), timeout=TIMEOUT).raise_for_status()
    stats["resets"] += 1


@schemathesis.hook
def after_call(context, case, response):
    global _key
    key = (case.method.upper(), case.path)
    body = case.body if isinstance(case.body, dict) else {}
    with _lock:
        live_key()
        if key in {("POST", "/v2/auth/login"), ("PUT", "/v2/auth/password")} and response.status_code != 200:
            _reset_failure_count()
            return
        sent = (case.headers or {}).get("X-API-Key")
        if sent not in _issued:
            return  # not our credentials (an unauthenticated or a negative test)
        stats["authenticated_calls"] += 1
        if response.status_code == 401:
            if sent == _key:
                stats["live_key_refused"].append(
                    f"{key[0]} {case.formatted_path} -> {response.status_code} {response.text[:200]}")
            return
        if key[1] in KEY_ROTATING and key[0] == "POST" and response.status_code == 200 and _path_id(case) == _me:
            _key = response.json()["data"]
            _issued.add(_key)
            stats["key_rotations"] += 1
            return
        if (key == ("POST", "/v2/users/password") and response.status_code == 200
                and body.get("userId") == _me and PASSWORD):
            r = requests.post(f"{BASE}/v2/users/password", json={"userId": _me, "newPassword": PASSWORD},
                              headers=_own({}), timeout=TIMEOUT)
            r.raise_for_status()
            stats["password_restores"] += 1


@atexit.register
def _write_stats():
    with open(STATS_FILE, "w") as f:
        json.dump(stats, f)
