"""Helpers shared by the directory client flows (directory_deployed_flow.py,
directory_documented_flow.py, directory_rest_flow.py): failing with a message that says what
was expected, reading SOAP faults, checking the order of elements on the wire, and handing
what a flow created back to the Rust test that ran it."""
import datetime as dt
import json
import secrets
import string
import sys

import requests
from lxml import etree
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault

DETAIL_FIELDS = ["ECGridOSSOAPErrorCode", "ErrorCode", "ErrorString", "ErrorItem", "ErrorMessage"]


class Steps:
    """Prints `OK <step>` as a flow goes, so a failure's last OK line says how far it got."""

    def __init__(self):
        self.current = "start"

    def begin(self, name):
        self.current = name

    def ok(self, name=None):
        print(f"OK {name or self.current}", flush=True)


STEPS = Steps()


def fail(msg):
    print(f"FAIL [{STEPS.current}] {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def expect_eq(what, got, want):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


def unique_tag():
    """Eight upper-case hex digits, so that names and IDs of one run collide with nothing."""
    return secrets.token_hex(4).upper()


def policy_password():
    """A password that meets SPEC section 7: lower, upper, digit, other, at least 8."""
    pw = f"Dir#{secrets.token_hex(4)}Q7"
    assert any(c in string.ascii_lowercase for c in pw) and any(c in string.ascii_uppercase for c in pw)
    return pw


def created(**ids):
    """One line the Rust test reads to check the store after the flow."""
    print("CREATED " + json.dumps(ids, sort_keys=True), flush=True)


# ---- SOAP faults ------------------------------------------------------------------------------


def detail_text(fault, name):
    if fault.detail is None:
        return None
    for node in fault.detail.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == name:
            return node.text or ""
    return None


def fault_summary(f):
    return {"text": f.message or "", **{n: detail_text(f, n) for n in DETAIL_FIELDS}}


def expect_fault(what, call, *, error_code=None, category=None, item=None, text_has=()):
    """Runs `call`, which must raise a SOAP fault with both detail forms (SPEC section 3);
    checks the parts the contract fixes. Returns the fault's parts as a dict."""
    try:
        result = call()
    except Fault as f:
        parts = fault_summary(f)
        for name in DETAIL_FIELDS:
            check(parts[name] is not None, f"{what}: the fault's detail lacks <{name}>: {parts}")
        if error_code is not None:
            check(parts["ErrorCode"] == str(error_code),
                  f"{what}: want ErrorCode {error_code}, got {parts['ErrorCode']!r} ({parts})")
        if category is not None:
            check(parts["ECGridOSSOAPErrorCode"] == category,
                  f"{what}: want ECGridOSSOAPErrorCode {category}, got {parts['ECGridOSSOAPErrorCode']!r} ({parts})")
        if item is not None:
            check(parts["ErrorItem"] == item, f"{what}: want ErrorItem {item!r}, got {parts['ErrorItem']!r} ({parts})")
        for needle in text_has:
            check(needle.lower() in parts["text"].lower(),
                  f"{what}: the fault text should name {needle!r}: {parts['text']!r}")
        return parts
    fail(f"{what}: expected a SOAP fault, got a result: {result!r}")


def access_denied(what, call):
    """SPEC section 3 and 14: Authorization, ErrorCode 2 AccessDenied."""
    parts = expect_fault(what, call, error_code=2, category="Authorization")
    expect_eq(f"{what}: ErrorString", parts["ErrorString"], "AccessDenied")
    return parts


def same_fault(what, far, far_id, missing, missing_id):
    """SPEC-VAN 14: an object out of scope and a missing one get the same fault. Echoing the
    number asked for reveals nothing, so it is masked; any other difference is an oracle."""
    for part in far:
        a = (far[part] or "").replace(str(far_id), "N")
        b = (missing[part] or "").replace(str(missing_id), "N")
        check(a == b, f"{what}: the same fault for {far_id} (exists, out of scope) and {missing_id} (missing) "
              f"(no existence oracle); {part}: {far[part]!r} vs {missing[part]!r}")


def soap_call(what, call):
    """Runs a call that must succeed; a fault (such as 'not supported by this server') fails
    the flow with the fault's own words and the step it stopped at."""
    try:
        return call()
    except Fault as f:
        fail(f"{what}: unexpected SOAP fault {fault_summary(f)}")
    except ZeepError as e:
        fail(f"{what}: the response does not match the WSDL: {e}")
    except AttributeError as e:
        fail(f"{what}: the client has no such operation or field ({e})")


def guard(main):
    """Runs a flow; whatever escapes it becomes one FAIL line naming the step it stopped at."""
    try:
        main()
    except Fault as f:
        fail(f"unexpected SOAP fault: {fault_summary(f)}")
    except ZeepError as e:
        fail(f"the response does not match the WSDL: {e}")
    except requests.RequestException as e:
        fail(f"HTTP request failed: {e}")


# ---- the wire, as received --------------------------------------------------------------------


def result_element(history, ns, result_name):
    """The `{Op}Result` element of the last response, from zeep's HistoryPlugin."""
    envelope = history.last_received["envelope"]
    found = envelope.find(f".//{{{ns}}}{result_name}")
    check(found is not None, f"no <{result_name}> in namespace {ns} in the response: "
          f"{etree.tostring(envelope)[:800]!r}")
    return found


def children(node):
    return [c for c in node if isinstance(c.tag, str)]


def child(node, name):
    for c in children(node):
        if etree.QName(c).localname == name:
            return c
    return None


def check_order(what, node, ns, declared, required=()):
    """The children of `node` are all in `ns`, each a field `declared` lists, in that order,
    none twice, and every name in `required` is there."""
    names = []
    for c in children(node):
        q = etree.QName(c)
        check(q.namespace == ns, f"{what}: <{q.localname}> is in namespace {q.namespace!r}, want {ns!r}")
        names.append(q.localname)
    unknown = [n for n in names if n not in declared]
    check(not unknown, f"{what}: elements the type does not declare: {unknown} (declared: {declared})")
    positions = [declared.index(n) for n in names]
    check(positions == sorted(positions) and len(set(positions)) == len(positions),
          f"{what}: elements out of the declared order or repeated: got {names}, declared order {declared}")
    missing = [n for n in required if n not in names]
    check(not missing, f"{what}: required elements missing: {missing} (got {names})")
    return names


def subsequence(want, have):
    """True when every name of `want` is in `have`, in the same order."""
    it = iter(have)
    return all(name in it for name in want)


# ---- times ------------------------------------------------------------------------------------


def utc(t, what):
    check(isinstance(t, dt.datetime) and t.tzinfo is not None and t.utcoffset() == dt.timedelta(0),
          f"{what} is not a UTC dateTime: {t!r}")
    return t


def near_now(t, what, minutes=10):
    wall = dt.datetime.now(dt.timezone.utc)
    check(abs(wall - t) <= dt.timedelta(minutes=minutes), f"{what} {t} is not within {minutes} minutes of now ({wall})")
    return t


def parse_json_time(value, what):
    check(isinstance(value, str), f"{what} is not a string: {value!r}")
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{what} is not an ISO 8601 date-time: {value!r}")
    return utc(t, what)
