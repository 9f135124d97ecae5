#!/usr/bin/env bash
# Property-based conformance run of schemathesis against edigrid's whole OpenAPI document
# (BASE/swagger/v2/swagger.json, every operation of every tag): every generated request, valid
# and invalid, must get a response that is not a server error (5xx), whose status code is
# documented for the operation, whose content type is the documented one and whose body matches
# the documented schema. The catalogue entries edigrid refuses on purpose (operation ids
# `refused_*`) must answer 501 and nothing else. Schemathesis' summary is printed as it comes.
#
# Usage:
#   run_schemathesis.sh --base URL (--login L --password P | --api-key KEY)
#                       [--max-examples N] [--time-limit SECONDS] [--seed N]
#
# Authentication: every call carries one live API key in `X-API-Key` (with --login/--password,
# the hooks generate the user's key over a bearer session first). What the run may do to its
# own account (rotate its key, count failed logins, set its own password) and how the hooks in
# schemathesis_hooks.py (next to this script) undo it is described there. They also check what
# schemathesis cannot: the live key is never refused with 401.
#
# Bounds: a fixed number of examples per operation (default 10) and one worker; the time limit is
# a hard `timeout` around schemathesis (default 240 s). Schemathesis' own --max-time is not used:
# it is a budget that schemathesis fills by repeating the fuzzing phase. Exit status: non-zero on
# any failure or error (schemathesis' own status, 1 for a hook finding, 124 when the time limit
# was reached).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/tests/clients/python"
ST="$ROOT/.venv/bin/schemathesis"

die() { printf 'run_schemathesis: %s\n' "$*" >&2; exit 2; }

BASE="" LOGIN="" PASSWORD="" API_KEY="" MAX_EXAMPLES=10 TIME_LIMIT=240 SEED=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --base) BASE="${2:?}"; shift 2 ;;
        --login) LOGIN="${2:?}"; shift 2 ;;
        --password) PASSWORD="${2:?}"; shift 2 ;;
        --api-key) API_KEY="${2:?}"; shift 2 ;;
        --max-examples) MAX_EXAMPLES="${2:?}"; shift 2 ;;
        --time-limit) TIME_LIMIT="${2:?}"; shift 2 ;;
        --seed) SEED="${2:?}"; shift 2 ;;
        -h|--help) sed -n "2,12p" "$0"; exit 0 ;;
        *) die "unknown argument: $1" ;;
    esac
done
[[ -n "$BASE" ]] || die "--base URL is required"
BASE="${BASE%/}"
if [[ -z "$API_KEY" ]] && [[ -z "$LOGIN" || -z "$PASSWORD" ]]; then
    die "give --api-key KEY, or --login L and --password P"
fi
[[ -x "$ST" ]] || die "$ST not found: run scripts/install-test-clients.sh"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The refused entries answer 501 by design: for them, and only them, 501 is expected, and 405
# for the methods the document does not give their paths (the coverage phase sends TRACE and
# the like to every path). Anything else, 2xx to 4xx included, is reported.
cat > "$WORK/schemathesis.toml" <<'TOMLEOF'
[[operations]]
include-operation-id-regex = "^refused_"
checks.not_a_server_error.expected-statuses = ["501", "405"]
TOMLEOF

export EDIGRID_ST_BASE="$BASE" EDIGRID_ST_LOGIN="$LOGIN" EDIGRID_ST_PASSWORD="$PASSWORD" EDIGRID_ST_API_KEY="$API_KEY"
export EDIGRID_ST_STATS="$WORK/stats.json"
export SCHEMATHESIS_HOOKS="$HERE/schemathesis_hooks.py"

args=(
    --config-file "$WORK/schemathesis.toml"
    run "$BASE/swagger/v2/swagger.json"
    --url "$BASE"
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
    --max-examples "$MAX_EXAMPLES"
    # One worker: the run shares one live key, which some calls replace on purpose.
    --workers 1
    --request-timeout 20
    --generation-database none
    --no-color
)
[[ -n "$SEED" ]] && args+=(--seed "$SEED")

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

# What the hooks saw: the live key must never have been refused, and the run must have made
# authenticated calls at all.
[[ -f "$EDIGRID_ST_STATS" ]] || die "FAIL: the hook module wrote no statistics (were the hooks loaded?)"
"$ROOT/.venv/bin/python" - "$EDIGRID_ST_STATS" <<'PYEOF' || exit 1
import json
import sys

stats = json.load(open(sys.argv[1]))
print(
    f"run_schemathesis: {stats['authenticated_calls']} calls with the live API key ({stats['setup']}); "
    f"{stats['key_rotations']} key rotations, {stats['resets']} failure-count resets, "
    f"{stats['password_restores']} password restores by the hooks"
)
if stats["authenticated_calls"] == 0:
    sys.exit("run_schemathesis: FAIL: no call was made with the live API key")
refused = stats["live_key_refused"]
if refused:
    print(f"run_schemathesis: FAIL: {len(refused)} calls refused the live API key:", file=sys.stderr)
    for line in refused[:20]:
        print(f"  {line}", file=sys.stderr)
    sys.exit(1)
PYEOF
printf 'run_schemathesis: PASS schemathesis in %ss\n' "$elapsed"
