#!/usr/bin/env bash
# Generates a JAX-WS client from the server's WSDL with wsimport, compiles it with SoapFlow.java
# and runs the session flow. Arguments are passed to SoapFlow:
#   --wsdl URL --login L --password P --network N --mailbox M --auth-level LEVEL [--soap 1.1|1.2]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "FAIL $*" >&2; exit 1; }

WSDL=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [[ "${args[$i]}" == "--wsdl" ]] && WSDL="${args[$((i + 1))]:-}"
done
[[ -n "$WSDL" ]] || die "missing --wsdl URL"
command -v wsimport >/dev/null || die "wsimport not found; run scripts/install-test-clients.sh"

# Java 17 has no JAX-WS of its own. Debian's jaxws-rt.jar lists the rest of the runtime
# (JAXB, SAAJ, StAX, ...) in its manifest Class-Path, so it is the only entry needed.
JAXWS_CP=/usr/share/java/jaxws-rt.jar
[[ -f "$JAXWS_CP" ]] || die "$JAXWS_CP not found; run scripts/install-test-clients.sh"

# A fresh directory per run, so concurrent runs (SOAP 1.1 and 1.2) cannot trip over each other.
mkdir -p "$HERE/build"
BUILD="$(mktemp -d "$HERE/build/run.XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT
mkdir -p "$BUILD/src" "$BUILD/classes"

if ! wsimport -keep -Xnocompile -p net.ecgridos.client -d "$BUILD/src" -s "$BUILD/src" "$WSDL" \
        >"$BUILD/wsimport.log" 2>&1; then
    cat "$BUILD/wsimport.log" >&2
    die "wsimport failed"
fi
# The SOAP 1.2 port is the one warning allowed (wsimport skips any SOAP 1.2 port without
# -extension); anything else means the WSDL is not clean for JAX-WS integrators.
unexpected="$(grep -E '^\[(WARNING|ERROR)\]' "$BUILD/wsimport.log" \
    | grep -vF '[WARNING] Ignoring SOAP port "ECGridOSPort12": it uses non-standard SOAP 1.2 binding.' || true)"
if [[ -n "$unexpected" ]]; then
    cat "$BUILD/wsimport.log" >&2
    die "wsimport printed unexpected warnings or errors: $unexpected"
fi
echo "OK wsimport"

find "$BUILD/src" -name '*.java' >"$BUILD/sources.txt"
# -Xlint:-path: the Debian manifests name a few optional jars that are not installed.
javac -nowarn -Xlint:-path -encoding UTF-8 -cp "$JAXWS_CP" -d "$BUILD/classes" \
    @"$BUILD/sources.txt" "$HERE/SoapFlow.java" || die "javac failed"
echo "OK javac"

# Naming the SAAJ factory skips the deprecated service lookup, which logs a warning per call.
java -Djavax.xml.soap.SAAJMetaFactory=com.sun.xml.messaging.saaj.soap.SAAJMetaFactoryImpl \
    -cp "$BUILD/classes:$JAXWS_CP" SoapFlow "$@"
