#!/usr/bin/env bash
# Property-based conformance run of schemathesis against edigrid's OpenAPI document
# (BASE/swagger/v2/swagger.json): every generated request, valid and invalid, must get a
# response that is not a server error (5xx), whose status code is documented for the
# operation, whose content type is the documented one and whose body matches the
# documented schema. Schemathesis' summary is printed as it comes.
#
# Usage:
#   run_schemathesis.sh --base URL (--login L --password P | --token BEARER)
#                       [--max-examples N] [--time-limit SECONDS] [--seed N]
#
# Authentication, and the operations that end sessions (a decision, explained).
#   logout ends the session of the token it is called with; reset/{id} ends every session
#   of that user when {id} happens to be the caller's own UserID. Later calls with that
#   token get 401. 401 is documented for every authenticated operation, so such a run would
#   still "pass", but it would test little: after the first logout every other operation
#   would only ever see 401. So:
#   - With --login/--password (the normal way, and what the Rust test uses), the hook module
#     below gives schemathesis an auth provider that logs in over REST, and keeps one *live*
#     bearer token: when a call ends its session (logout or reset answering 200), the next
#     call logs in again. Because schemathesis builds some cases before calling them (the
#     coverage phase), a `before_call` hook swaps any token of ours in a case for the live
#     one just before it is sent. The session-ending operations thus stay in the run, and
#     every other operation is exercised with a session that is open.
#     A wrong currentPassword on PUT /v2/auth/password counts as a failed login (SPEC 7), and
#     so does a refused login: schemathesis reuses values it saw in responses, the run's
#     own login name among them. Five in a row would lock the account for 15 minutes, and
#     no re-login would work after that. So after each refused login or password change the
#     hook logs in once more (a successful login resets the count, SPEC 7) and continues
#     with that session.
#     The hooks also check one thing schemathesis cannot: a live session's token (one no
#     call has ended) must never be refused with 401. Any such refusal fails the run.
#     A re-login that fails makes the auth provider raise, which schemathesis reports as an
#     error: the run fails rather than degrading to a run of 401s.
#   - With --token (a fixed bearer token, no credentials), nothing can replace the token,
#     so logout and reset are excluded; every other operation is tested.
# Password changes never succeed during the run (schemathesis does not know the current
# password); key-generate only replaces the user's API key, which the run does not use.
#
# Bounds: a fixed number of examples per operation (default 10) and one worker; the time
# limit is a hard `timeout` around schemathesis (default 100 s; the run takes about 10 s on
# two cores). Schemathesis' own --max-time is not used: it is a budget that schemathesis
# fills by repeating the fuzzing phase. Exit status: non-zero on any failure or error
# (schemathesis' own status, 1 for a hook finding, 124 when the time limit was reached).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
ST="$ROOT/.venv/bin/schemathesis"

die() { printf 'run_schemathesis: %s\n' "$*" >&2; exit 2; }

BASE="" LOGIN="" PASSWORD="" TOKEN="" MAX_EXAMPLES=10 TIME_LIMIT=100 SEED=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --base) BASE="${2:?}"; shift 2 ;;
        --login) LOGIN="${2:?}"; shift 2 ;;
        --password) PASSWORD="${2:?}"; shift 2 ;;
        --token) TOKEN="${2:?}"; shift 2 ;;
        --max-examples) MAX_EXAMPLES="${2:?}"; shift 2 ;;
        --time-limit) TIME_LIMIT="${2:?}"; shift 2 ;;
        --seed) SEED="${2:?}"; shift 2 ;;
        -h|--help) sed -n "2,10p" "$0"; exit 0 ;;
        *) die "unknown argument: $1" ;;
    esac
done
[[ -n "$BASE" ]] || die "--base URL is required"
BASE="${BASE%/}"
if [[ -z "$TOKEN" ]] && [[ -z "$LOGIN" || -z "$PASSWORD" ]]; then
    die "give --token T, or --login L and --password P"
fi
[[ -x "$ST" ]] || die "$ST not found: run scripts/install-test-clients.sh"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The hook module: the auth provider and the hooks described above.
cat > "$WORK/edigrid_hooks.py" <<'PYEOF'
import atexit
import json
import os
import threading

import requests
import schemathesis

BASE = os.environ["EDIGRID_ST_BASE"]
LOGIN = os.environ.get("EDIGRID_ST_LOGIN", "")
PASSWORD = os.environ.get("EDIGRID_ST_PASSWORD", "")
TOKEN = os.environ.get("EDIGRID_ST_TOKEN", "")
STATS_FILE = os.environ["EDIGRID_ST_STATS"]
SESSION_ENDING = {("POST", "/v2/auth/logout"), ("POST", "/v2/users/reset/{id}")}

_lock = threading.RLock()
_current = TOKEN or None  # the live bearer token; None once its session has ended
_issued = {TOKEN} if TOKEN else set()  # every token this module handed out
stats = {"logins": 0, "authenticated_calls": 0, "live_token_refused": []}


def _log_in():
    r = requests.post(
        f"{BASE}/v2/auth/login", json={"login": LOGIN, "password": PASSWORD}, timeout=30
    )
    if r.status_code != 200:
        raise RuntimeError(f"login of {LOGIN!r} for the run failed: {r.status_code} {r.text}")
    token = r.json()["data"]["token"]
    _issued.add(token)
    stats["logins"] += 1
    return token


def live_token():
    global _current
    with _lock:
        if _current is None:
            if TOKEN:
                raise RuntimeError("the session of --token has ended and cannot be replaced")
            _current = _log_in()
        return _current


def _bearer(case):
    value = (case.headers or {}).get("Authorization", "")
    return value[len("Bearer "):] if value.startswith("Bearer ") else None


# Only for the operations that take credentials: login, refresh and version take none.
@schemathesis.auth(refresh_interval=None).skip_for(
    path=["/v2/auth/login", "/v2/auth/refresh", "/v2/auth/version"]
)
class EdigridBearer:
    def get(self, case, context):
        return live_token()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def before_call(context, case, kwargs):
    # Cases are generated ahead of their call (the coverage phase builds them all first),
    # so the token put in at generation time may belong to a session ended since.
    if _bearer(case) in _issued:
        case.headers["Authorization"] = f"Bearer {live_token()}"


def _reset_failure_count():
    """A failed login or a refused password change may have counted towards the lockout
    (SPEC 7); a successful login resets the count. That new session becomes the live one,
    and the one it replaces is logged out."""
    global _current
    if TOKEN:
        return  # nothing to log in with; a fixed token is not affected by a lockout
    old, _current = _current, _log_in()
    if old is not None:
        requests.post(
            f"{BASE}/v2/auth/logout", headers={"Authorization": f"Bearer {old}"}, timeout=30
        )


@schemathesis.hook
def after_call(context, case, response):
    global _current
    key = (case.method.upper(), case.path)
    body = case.body if isinstance(case.body, dict) else {}
    with _lock:
        if key == ("POST", "/v2/auth/login") and response.status_code == 401:
            # Schemathesis reuses values it saw in responses, the run's login name among
            # them, so its logins can count as failures of the run's user.
            _reset_failure_count()
            return
        token = _bearer(case)
        if token is None or token not in _issued:
            return  # no credentials of ours (an unauthenticated or a negative test)
        stats["authenticated_calls"] += 1
        if key in SESSION_ENDING and response.status_code == 200:
            if token == _current:
                _current = None  # logout, or reset of the caller itself: the session ended
            return
        if response.status_code == 401 and not (case.headers or {}).get("X-API-Key"):
            # The token of a session nobody ended was refused.
            stats["live_token_refused"].append(
                f"{key[0]} {case.formatted_path} -> {response.status_code} {response.text[:200]}"
            )
            if token == _current:
                _current = None
            return
        if (
            key == ("PUT", "/v2/auth/password")
            and response.status_code == 400
            and isinstance(body.get("currentPassword"), str)
        ):
            _reset_failure_count()


@atexit.register
def _write_stats():
    with open(STATS_FILE, "w") as f:
        json.dump(stats, f)
PYEOF

export EDIGRID_ST_BASE="$BASE" EDIGRID_ST_LOGIN="$LOGIN" EDIGRID_ST_PASSWORD="$PASSWORD" EDIGRID_ST_TOKEN="$TOKEN"
export EDIGRID_ST_STATS="$WORK/stats.json"
export SCHEMATHESIS_HOOKS="$WORK/edigrid_hooks.py"

args=(
    run "$BASE/swagger/v2/swagger.json"
    --url "$BASE"
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
    --max-examples "$MAX_EXAMPLES"
    # One worker: the run shares one live session, which some calls end on purpose.
    --workers 1
    --request-timeout 20
    --generation-database none
    --no-color
)
[[ -n "$SEED" ]] && args+=(--seed "$SEED")
if [[ -n "$TOKEN" ]]; then
    args+=(--exclude-path /v2/auth/logout --exclude-path-regex '^/v2/users/reset/')
fi

printf 'run_schemathesis: schemathesis %s against %s (%s examples per operation, time limit %ss)\n' \
    "$("$ST" --version | awk '{print $NF}')" "$BASE" "$MAX_EXAMPLES" "$TIME_LIMIT"
start=$SECONDS
status=0
# From the scratch folder: schemathesis keeps a crash store in ./.schemathesis.
(cd "$WORK" && timeout --kill-after=10 "$TIME_LIMIT" "$ST" "${args[@]}") || status=$?
elapsed=$((SECONDS - start))
if [[ $status -eq 124 || $status -eq 137 ]]; then
    printf 'run_schemathesis: FAIL: the time limit of %ss was reached\n' "$TIME_LIMIT" >&2
    exit 124
fi
if [[ $status -ne 0 ]]; then
    printf 'run_schemathesis: FAIL: schemathesis exited with %s after %ss\n' "$status" "$elapsed" >&2
    exit "$status"
fi

# What the hooks saw: a live session's token must never have been refused, and the run
# must have made authenticated calls at all.
[[ -f "$EDIGRID_ST_STATS" ]] || die "FAIL: the hook module wrote no statistics (were the hooks loaded?)"
"$ROOT/.venv/bin/python" - "$EDIGRID_ST_STATS" <<'PYEOF' || exit 1
import json
import sys

stats = json.load(open(sys.argv[1]))
print(
    f"run_schemathesis: {stats['authenticated_calls']} calls with a live bearer token, "
    f"{stats['logins']} logins by the hooks"
)
if stats["authenticated_calls"] == 0:
    sys.exit("run_schemathesis: FAIL: no call was made with a live bearer token")
refused = stats["live_token_refused"]
if refused:
    print(f"run_schemathesis: FAIL: {len(refused)} calls refused a live session's token:", file=sys.stderr)
    for line in refused[:20]:
        print(f"  {line}", file=sys.stderr)
    sys.exit(1)
PYEOF
printf 'run_schemathesis: PASS schemathesis in %ss\n' "$elapsed"
