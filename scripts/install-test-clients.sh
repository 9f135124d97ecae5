#!/usr/bin/env bash
# Installs the SOAP client toolchains used by the client interoperability tests:
#   .venv (zeep, requests, pydifact, pyx12, standardwebhooks), tests/clients/node/node_modules (soap, node-x12),
#   Debian jaxws (wsimport), Debian php-cli with php-soap and php-xml.
# Idempotent: each step is skipped when what it would install is already in place.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '[install-test-clients] %s\n' "$*"; }
die() { printf '[install-test-clients] ERROR: %s\n' "$*" >&2; exit 1; }

# --- Python: zeep, requests, schemathesis, pydifact, pyx12 and standardwebhooks in .venv ----------------------
PY_REQS=("zeep>=4.3,<4.4" "requests>=2.31,<3" "schemathesis>=4.32,<4.33" "pydifact==0.2.3"
         "pyx12==4.0.0" "standardwebhooks==1.1.0")
PY_STAMP=".venv/.edigrid-reqs"
if [[ -x .venv/bin/python && -f "$PY_STAMP" && "$(cat "$PY_STAMP")" == "${PY_REQS[*]}" ]] \
   && .venv/bin/python -c 'import zeep, requests, pydifact, pyx12, standardwebhooks' 2>/dev/null; then
    step "python: .venv already has zeep $(.venv/bin/python -c 'import zeep; print(zeep.__version__)')"
else
    command -v python3 >/dev/null || die "python3 not found"
    step "python: creating .venv and installing ${PY_REQS[*]}"
    python3 -m venv --clear .venv || die "python3 -m venv failed"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${PY_REQS[@]}" \
        || die "pip install failed"
    printf '%s' "${PY_REQS[*]}" > "$PY_STAMP"
    step "python: installed zeep $(.venv/bin/python -c 'import zeep; print(zeep.__version__)')"
fi

# --- Node: soap and node-x12 into tests/clients/node -----------------------------------
NODE_DIR="tests/clients/node"
command -v npm >/dev/null || die "npm not found"
# A stamp of the lock file's hash lets re-runs skip `npm ci`, which always wipes node_modules.
lock_hash() { sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1; }
NODE_STAMP="$NODE_DIR/node_modules/.edigrid-lock-sha256"
if [[ -f "$NODE_DIR/package-lock.json" && -f "$NODE_STAMP" && "$(cat "$NODE_STAMP")" == "$(lock_hash)" \
      && -f "$NODE_DIR/node_modules/soap/package.json" && -f "$NODE_DIR/node_modules/node-x12/package.json" ]]; then
    step "node: soap and node-x12 already installed"
else
    if [[ -f "$NODE_DIR/package-lock.json" ]]; then
        step "node: npm ci in $NODE_DIR"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed"
    else
        step "node: npm install in $NODE_DIR (no lock file yet; creating one)"
        (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || die "npm install failed"
    fi
    lock_hash > "$NODE_STAMP"
    step "node: installed soap $(node -p "require('./$NODE_DIR/node_modules/soap/package.json').version")," \
        "node-x12 $(node -p "require('./$NODE_DIR/node_modules/node-x12/package.json').version")"
fi

# --- Java: Debian jaxws (wsimport + JAX-WS runtime jars) --------------------------------
if command -v wsimport >/dev/null && dpkg-query -W -f='${Status}' jaxws 2>/dev/null | grep -q 'install ok installed'; then
    step "java: jaxws already installed"
else
    export DEBIAN_FRONTEND=noninteractive
    step "java: apt-get update"
    apt-get update -qq || die "apt-get update failed"
    step "java: apt-get install jaxws"
    # apt is chatty on stderr even when it succeeds; show its log only when it fails.
    APT_LOG="$(mktemp)"
    apt-get install -y -qq --no-install-recommends jaxws >"$APT_LOG" 2>&1 \
        || { cat "$APT_LOG" >&2; rm -f "$APT_LOG"; die "apt-get install jaxws failed"; }
    rm -f "$APT_LOG"
    command -v wsimport >/dev/null || die "wsimport not on PATH after installing jaxws"
    step "java: installed jaxws $(dpkg-query -W -f='${Version}' jaxws)"
fi
command -v javac >/dev/null || die "javac not found (a JDK is required)"

# --- PHP: Debian php-cli with SoapClient and SimpleXML (reads the deployed DataSet results) --
PHP_PKGS=(php-cli php-soap php-xml)
if command -v php >/dev/null && php -r 'exit(class_exists("SoapClient") && function_exists("simplexml_load_string") ? 0 : 1);'; then
    step "php: SoapClient and SimpleXML already installed"
else
    export DEBIAN_FRONTEND=noninteractive
    step "php: apt-get install ${PHP_PKGS[*]}"
    APT_LOG="$(mktemp)"
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${PHP_PKGS[@]}"; } >"$APT_LOG" 2>&1 \
        || { cat "$APT_LOG" >&2; rm -f "$APT_LOG"; die "apt-get install ${PHP_PKGS[*]} failed"; }
    rm -f "$APT_LOG"
    step "php: installed $(php -r 'echo PHP_VERSION;')"
fi

step "done"
