"""The deployed ECGridOS v4.1 dialect (SPEC section 11), driven by zeep from the hosted service's
own WSDL, the way an integrator whose client was generated from it would use edigrid: they keep
their WSDL and change only the endpoint address.

    deployed_flow.py --check-wsdl WSDL
        Loads the WSDL offline, builds both SOAP services and prints the signatures this test
        relies on; checks the WSDL's shapes are the ones the flow assumes. No server needed.

    deployed_flow.py --wsdl WSDL --url SOAP-ENDPOINT --soap 1.1|1.2 --fixture JSON
        Runs the whole flow against edigrid. JSON (made by the Rust test) describes the two users
        it created: {"admin": {...}, "target": {...}, "lockout_threshold": N}.

Prints one OK line per step, PASS at the end; on the first failed check prints FAIL and exits 1.
"""
import argparse
import datetime as dt
import json
import os
import re
import string
import sys
from urllib.parse import urlparse

from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

TNS = "https://os.ecgrid.io/"
BINDINGS = {
    "1.1": "{%s}ECGridOS_x0020_API_x0020_v4Soap" % TNS,
    "1.2": "{%s}ECGridOS_x0020_API_x0020_v4Soap12" % TNS,
}
SOAP_ENCODING_NS = "http://schemas.xmlsoap.org/soap/encoding/"
LOCAL_ENCODING_XSD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "soap-encoding.xsd")

# SessionInfo (WhoAmI's result) in the WSDL's order; SPEC section 11 lists the same 18.
SESSION_INFO_FIELDS = [
    "ECGridOSVersion", "SessionID", "SessionEventID", "UserID", "LoginName", "FirstName",
    "LastName", "Company", "EMail", "Phone", "TimeZoneOffset", "AuthLevel", "LastLogin",
    "OpenSessions", "TimeOut", "NetworkID", "MailboxID", "ip",
]
SESSION_LOG_INFO_FIELDS = [
    "SessionID", "StartTime", "EndTime", "Expires", "NetworkID", "MailboxID", "UserID",
    "Status", "Version", "Events",
]
SESSION_EVENT_FIELDS = ["APICall", "Date", "Milliseconds", "ip", "ReturnCode", "Comment"]

UUID4_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
ASPNET_UNSET_DATE = dt.datetime(1, 1, 1)


def fail(msg):
    print(f"FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, step, msg):
    if not cond:
        fail(f"{step}: {msg}")


def expect_eq(step, what, got, want):
    check(got == want, step, f"{what}: got {got!r}, want {want!r}")


# ---- offline loading ------------------------------------------------------------------------


class OfflineTransport(Transport):
    """Serves the SOAP encoding schema from the local file and refuses every other download.
    Posts (the SOAP calls themselves) may only go to the one endpoint under test."""

    def __init__(self, endpoint=None):
        super().__init__(cache=None)
        self.endpoint = endpoint
        self.served = []

    def load(self, url):
        if url.rstrip("/") == SOAP_ENCODING_NS.rstrip("/"):
            self.served.append(url)
            with open(LOCAL_ENCODING_XSD, "rb") as fh:
                return fh.read()
        scheme = urlparse(url).scheme.lower()
        if scheme and len(scheme) > 1:  # a one-letter "scheme" is a Windows drive letter
            raise RuntimeError(f"offline test: refusing to fetch {url}")
        return super().load(url)

    def post(self, address, message, headers):
        if self.endpoint is None or address != self.endpoint:
            raise RuntimeError(f"offline test: refusing to post to {address}")
        return super().post(address, message, headers)


def load_client(wsdl_path, endpoint=None):
    transport = OfflineTransport(endpoint)
    history = HistoryPlugin()
    client = Client(
        os.path.abspath(wsdl_path),
        transport=transport,
        plugins=[history],
        settings=Settings(strict=True),
    )
    check(transport.served, "WSDL", "zeep never asked for the SOAP encoding schema; the local file was not used")
    return client, transport, history


def type_fields(client, name):
    return [elem_name for elem_name, _ in client.get_type("{%s}%s" % (TNS, name)).elements]


def enum_values(wsdl_path, name):
    """The enumeration of a simple type, read from the WSDL itself (zeep ignores facets)."""
    xs = "http://www.w3.org/2001/XMLSchema"
    tree = etree.parse(wsdl_path)
    found = tree.xpath(
        "//xs:schema[@targetNamespace=$tns]/xs:simpleType[@name=$name]//xs:enumeration/@value",
        namespaces={"xs": xs}, tns=TNS, name=name,
    )
    return [str(v) for v in found]


def check_wsdl(wsdl_path):
    client, transport, _ = load_client(wsdl_path)
    print(f"encoding schema served locally for: {', '.join(transport.served)}")
    for soap, binding_name in BINDINGS.items():
        binding = client.wsdl.bindings[binding_name]
        svc = client.create_service(binding_name, "http://127.0.0.1:1/v4.1/prod/ECGridOS.asmx")
        check(len(binding._operations) == 221, "WSDL", f"{binding_name}: {len(binding._operations)} operations, want 221")
        print(f"SOAP {soap} binding {binding_name}: {len(binding._operations)} operations")
        for op in ["Login", "WhoAmI", "Logout", "SessionLogCurrent", "SessionLogEx", "ChangePassword",
                   "GenerateAPIKey", "UserSetMaxSessions", "UserReset", "UserListLockedOut"]:
            getattr(svc, op)  # raises if the service lacks it
            print(f"  {binding._operations[op]}  [SOAPAction {binding._operations[op].soapaction}]")
    expect_eq("WSDL", "SessionInfo fields", type_fields(client, "SessionInfo"), SESSION_INFO_FIELDS)
    expect_eq("WSDL", "SessionLogInfo fields", type_fields(client, "SessionLogInfo"), SESSION_LOG_INFO_FIELDS)
    expect_eq("WSDL", "SessionEvents fields", type_fields(client, "SessionEvents"), SESSION_EVENT_FIELDS)
    for enum in ["AuthLevel", "Status", "SessionStatus", "RetCode"]:
        print(f"  enum {enum}: {' '.join(enum_values(wsdl_path, enum))}")
    check("Open" in enum_values(wsdl_path, "SessionStatus"), "WSDL", "SessionStatus lacks Open")
    check("Success" in enum_values(wsdl_path, "RetCode"), "WSDL", "RetCode lacks Success")
    api_calls = enum_values(wsdl_path, "APICall")
    for wanted in ["Login", "WhoAmI", "SessionLogCurrent", "ChangePassword", "GenerateAPIKey", "UserReset"]:
        check(wanted in api_calls, "WSDL", f"APICall lacks {wanted}")
    print("PASS WSDL loads offline")


# ---- helpers for results ----------------------------------------------------------------------


def items(value, child):
    """The records of an ArrayOf... result, whether zeep hands back a list or a wrapper."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    inner = getattr(value, child, None)
    return list(inner or [])


def aware(t, step, what):
    check(isinstance(t, dt.datetime) and t.tzinfo is not None, step, f"{what} is not a zoned dateTime: {t!r}")
    return t


def is_unset(t):
    return isinstance(t, dt.datetime) and t.replace(tzinfo=None) == ASPNET_UNSET_DATE


def millis(delta):
    return int(delta.total_seconds() * 1000)


def detail_text(fault, name):
    if fault.detail is None:
        return None
    for node in fault.detail.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == name:
            return node.text or ""
    return None


def expect_fault(step, call, *, session=False, error_code=None):
    """Runs `call`, which must raise a SOAP fault; checks what the contract says about it."""
    try:
        result = call()
    except Fault as f:
        message = f.message or ""
        if session:
            check("SessionID" in message, step, f"session fault text lacks 'SessionID': {message!r}")
        for name in ["ECGridOSSOAPErrorCode", "ErrorCode", "ErrorString", "ErrorItem", "ErrorMessage"]:
            check(detail_text(f, name) is not None, step, f"fault detail lacks <{name}>")
        if error_code is not None:
            expect_eq(step, "fault ErrorCode", detail_text(f, "ErrorCode"), str(error_code))
        return f
    fail(f"{step}: expected a SOAP fault, got {result!r}")


def meets_password_policy(pw):
    return (
        len(pw) >= 8
        and any(c in string.ascii_lowercase for c in pw)
        and any(c in string.ascii_uppercase for c in pw)
        and any(c in string.digits for c in pw)
        and any(not c.isalnum() for c in pw)
    )


def received_result_children(history, result_name):
    """Local names and namespaces of the children of {Op}Result in the last response."""
    envelope = history.last_received["envelope"]
    found = envelope.find(f".//{{{TNS}}}{result_name}")
    check(found is not None, result_name, "no such element in the response (wrong namespace?)")
    return [(etree.QName(c).namespace, etree.QName(c).localname) for c in found if isinstance(c.tag, str)]


# ---- the flow ---------------------------------------------------------------------------------


def run_flow(a):
    fx = json.loads(a.fixture)
    admin, target = fx["admin"], fx["target"]
    threshold = int(fx["lockout_threshold"])

    client, _, history = load_client(a.wsdl, a.url)
    svc = client.create_service(BINDINGS[a.soap], a.url)

    # -- Login (the two-argument deployed shape) --
    sid = svc.Login(LoginName=admin["login"], Password=admin["password"])
    check(isinstance(sid, str) and UUID4_UPPER.match(sid), "Login", f"not an upper-case UUID v4: {sid!r}")
    print("OK Login")

    # -- WhoAmI: the 18 SessionInfo fields --
    me = svc.WhoAmI(SessionID=sid)
    step = "WhoAmI"
    check(me is not None, step, "empty result")
    expect_eq(step, "fields in the response, in order",
              received_result_children(history, "WhoAmIResult"),
              [(TNS, n) for n in SESSION_INFO_FIELDS])
    expect_eq(step, "ECGridOSVersion", me.ECGridOSVersion, "4.1")
    expect_eq(step, "SessionID", me.SessionID, sid)
    check(isinstance(me.SessionEventID, int) and me.SessionEventID >= 1, step,
          f"SessionEventID not a positive int: {me.SessionEventID!r}")
    expect_eq(step, "UserID", me.UserID, admin["user_id"])
    expect_eq(step, "LoginName", me.LoginName, admin["login"])
    expect_eq(step, "FirstName", me.FirstName, admin["first_name"])
    expect_eq(step, "LastName", me.LastName, admin["last_name"])
    expect_eq(step, "Company", me.Company, admin["company"])
    expect_eq(step, "EMail", me.EMail, admin["email"])
    expect_eq(step, "Phone", me.Phone, admin["phone"])
    check(me.TimeZoneOffset is not None and -24 < float(me.TimeZoneOffset) < 24, step,
          f"TimeZoneOffset not an hour offset: {me.TimeZoneOffset!r}")
    expect_eq(step, "AuthLevel", me.AuthLevel, admin["auth_level"])
    check(isinstance(me.LastLogin, dt.datetime), step, f"LastLogin not a dateTime: {me.LastLogin!r}")
    expect_eq(step, "OpenSessions", me.OpenSessions, 1)
    check(0 < me.TimeOut <= 32767, step, f"TimeOut out of range: {me.TimeOut!r}")
    expect_eq(step, "TimeOut", me.TimeOut, admin["timeout"])
    expect_eq(step, "NetworkID", me.NetworkID, admin["network"])
    expect_eq(step, "MailboxID", me.MailboxID, admin["mailbox"])
    expect_eq(step, "ip", me.ip, "127.0.0.1")
    first_event_id = me.SessionEventID
    print("OK WhoAmI")

    # -- NowUTC --
    now = aware(svc.NowUTC(), "NowUTC", "result")
    wall = dt.datetime.now(dt.timezone.utc)
    check(abs(wall - now) <= dt.timedelta(minutes=10), "NowUTC", f"{now} is far from the wall clock {wall}")
    check(now.microsecond == 0, "NowUTC", f"not whole seconds: {now}")
    print("OK NowUTC")

    me2 = svc.WhoAmI(SessionID=sid)
    check(me2.SessionEventID > first_event_id, "WhoAmI again",
          f"SessionEventID did not grow: {first_event_id} then {me2.SessionEventID}")
    print("OK WhoAmI again")

    # -- SessionLogCurrent: this session and its calls so far --
    step = "SessionLogCurrent"
    cur = svc.SessionLogCurrent(SessionID=sid)
    check(cur is not None, step, "empty result")
    expect_eq(step, "SessionID", cur.SessionID, sid)
    expect_eq(step, "Status", cur.Status, "Open")
    expect_eq(step, "UserID", cur.UserID, admin["user_id"])
    expect_eq(step, "NetworkID", cur.NetworkID, admin["network"])
    expect_eq(step, "MailboxID", cur.MailboxID, admin["mailbox"])
    start = aware(cur.StartTime, step, "StartTime")
    check(start <= now, step, f"StartTime {start} is after NowUTC {now}")
    check(is_unset(cur.EndTime), step, f"EndTime of an open session is not 0001-01-01T00:00:00: {cur.EndTime!r}")
    expires = aware(cur.Expires, step, "Expires")
    check(expires > now, step, f"Expires {expires} is not after now {now}")
    check(expires - start <= dt.timedelta(hours=8), step, f"Expires {expires} more than 8 h after start {start}")
    check(is_unset(me.LastLogin) or abs(me.LastLogin - start) <= dt.timedelta(seconds=1), "WhoAmI",
          f"LastLogin {me.LastLogin!r} is neither unset nor this login ({start})")
    events = items(cur.Events, "SessionEvents")
    calls = [e.APICall for e in events]
    # Whether the Login that opened the session and this very call are listed is not fixed by
    # the contract; the two WhoAmI calls in between must be, in order.
    core = calls[1:] if calls[:1] == ["Login"] else calls
    core = core[:-1] if core[-1:] == ["SessionLogCurrent"] else core
    expect_eq(step, "Events (APICall, oldest first)", core, ["WhoAmI", "WhoAmI"])
    previous = None
    for e in events:
        what = f"event {e.APICall}"
        expect_eq(step, f"{what} ReturnCode", e.ReturnCode, "Success")
        expect_eq(step, f"{what} ip", e.ip, "127.0.0.1")
        check(isinstance(e.Milliseconds, int) and e.Milliseconds >= 0, step, f"{what} Milliseconds {e.Milliseconds!r}")
        when = aware(e.Date, step, f"{what} Date")
        check(start <= when <= now + dt.timedelta(seconds=1), step, f"{what} Date {when} outside [{start}, {now}]")
        check(previous is None or previous <= when, step, f"{what} Date {when} before the previous event's {previous}")
        previous = when
    print("OK SessionLogCurrent")

    # -- SessionLog(10): the caller's own sessions; others redacted --
    sid2 = svc.Login(LoginName=admin["login"], Password=admin["password"])
    redacted2 = sid2[:8] + "-****-****-****-************"
    step = "SessionLog"
    log = items(svc.SessionLog(SessionID=sid, MaxRecords=10), "SessionLogInfo")
    check(1 <= len(log) <= 10, step, f"{len(log)} records")
    ids = [r.SessionID for r in log]
    check(sid in ids, step, f"the current session is not listed in full: {ids}")
    check(redacted2 in ids, step, f"the other open session is not listed redacted as {redacted2}: {ids}")
    check(sid2 not in ids, step, "another session's SessionID is listed in full")
    for r in log:
        expect_eq(step, f"UserID of {r.SessionID}", r.UserID, admin["user_id"])
        expect_eq(step, f"Status of {r.SessionID}", r.Status, "Open")
    print("OK SessionLog")

    # -- SessionLogEx for the caller, with a time window --
    step = "SessionLogEx"
    ex = items(svc.SessionLogEx(SessionID=sid, UserID=admin["user_id"], StartTime=now - dt.timedelta(hours=1),
                                EndTime=now + dt.timedelta(hours=1), MaxRecords=10), "SessionLogInfo")
    ex_ids = [r.SessionID for r in ex]
    check(sid in ex_ids and redacted2 in ex_ids, step, f"want {sid} and {redacted2} among {ex_ids}")
    check(all(r.UserID == admin["user_id"] for r in ex), step, "a record of another user")
    before = items(svc.SessionLogEx(SessionID=sid, UserID=admin["user_id"], StartTime=now - dt.timedelta(hours=3),
                                    EndTime=now - dt.timedelta(hours=2), MaxRecords=10), "SessionLogInfo")
    expect_eq(step, "records in a window before any session", [r.SessionID for r in before], [])
    print("OK SessionLogEx")

    # -- GeneratePassword, then ChangePassword to it --
    new_password = svc.GeneratePassword(SessionID=sid, Length=16)
    check(isinstance(new_password, str) and len(new_password) == 16, "GeneratePassword", f"{new_password!r}")
    check(meets_password_policy(new_password), "GeneratePassword", f"does not meet the policy: {new_password!r}")
    print("OK GeneratePassword")

    step = "ChangePassword"
    expect_fault(f"{step} with a wrong old password",
                 lambda: svc.ChangePassword(SessionID=sid, OldPassword=admin["password"] + "x", NewPassword=new_password))
    expect_eq(step, "other session after the refused change", svc.WhoAmI(SessionID=sid2).SessionID, sid2)
    expect_eq(step, "result", svc.ChangePassword(SessionID=sid, OldPassword=admin["password"],
                                                 NewPassword=new_password), True)
    expect_eq(step, "the changing session after the change", svc.WhoAmI(SessionID=sid).SessionID, sid)
    expect_fault(f"{step}: the other session", lambda: svc.WhoAmI(SessionID=sid2), session=True, error_code=1)
    expect_fault(f"{step}: login with the old password",
                 lambda: svc.Login(LoginName=admin["login"], Password=admin["password"]))
    sid3 = svc.Login(LoginName=admin["login"], Password=new_password)
    check(UUID4_UPPER.match(sid3 or ""), step, f"login with the new password: {sid3!r}")
    check(isinstance(svc.Logout(SessionID=sid3), int), step, "Logout result is not an int")
    print("OK ChangePassword")

    # -- GenerateAPIKey, and the key in the SessionID slot --
    step = "GenerateAPIKey"
    key = svc.GenerateAPIKey(SessionID=sid, UserID=admin["user_id"])
    check(isinstance(key, str) and len(key) >= 22, step, f"too short for 128 random bits: {key!r}")
    by_key = svc.WhoAmI(SessionID=key)
    expect_eq(step, "WhoAmI by API key: UserID", by_key.UserID, admin["user_id"])
    expect_eq(step, "WhoAmI by API key: LoginName", by_key.LoginName, admin["login"])
    shown = svc.UserGetAPIKey(SessionID=sid, UserID=admin["user_id"])
    check(isinstance(shown, str) and shown and key.startswith(shown), "UserGetAPIKey",
          f"{shown!r} is neither the key nor its beginning")
    key2 = svc.GenerateAPIKey(SessionID=sid, UserID=admin["user_id"])
    check(key2 and key2 != key, step, "a second key equals the first")
    expect_fault(f"{step}: the replaced key", lambda: svc.WhoAmI(SessionID=key), session=True, error_code=1)
    expect_eq(step, "WhoAmI by the new key", svc.WhoAmI(SessionID=key2).UserID, admin["user_id"])
    print("OK GenerateAPIKey")

    # -- UserSetMaxSessions and the cap --
    step = "UserSetMaxSessions"
    expect_eq(step, "result", svc.UserSetMaxSessions(SessionID=sid, UserID=target["user_id"], MaxSessions=1), True)
    t1 = svc.Login(LoginName=target["login"], Password=target["password"])
    t2 = svc.Login(LoginName=target["login"], Password=target["password"])
    expect_fault(f"{step}: the session over the cap", lambda: svc.WhoAmI(SessionID=t1), session=True, error_code=1)
    t_me = svc.WhoAmI(SessionID=t2)
    expect_eq(step, "newest session: UserID", t_me.UserID, target["user_id"])
    expect_eq(step, "newest session: OpenSessions", t_me.OpenSessions, 1)
    print("OK UserSetMaxSessions")

    # -- UserReset ends that user's sessions --
    step = "UserReset"
    expect_eq(step, "result", svc.UserReset(SessionID=sid, UserID=target["user_id"]), True)
    expect_fault(f"{step}: the target's session", lambda: svc.WhoAmI(SessionID=t2), session=True, error_code=1)
    expect_eq(step, "caller's own session", svc.WhoAmI(SessionID=sid).SessionID, sid)
    print("OK UserReset")

    # -- lockout, UserListLockedOut(Ex), and UserReset clearing it --
    step = "UserListLockedOut"
    for i in range(threshold):
        expect_fault(f"{step}: wrong password #{i + 1}",
                     lambda: svc.Login(LoginName=target["login"], Password=target["password"] + "!"))
    expect_fault(f"{step}: right password while locked out",
                 lambda: svc.Login(LoginName=target["login"], Password=target["password"]))
    locked = items(svc.UserListLockedOut(SessionID=sid), "UserIDInfo")
    hit = [u for u in locked if u.UserID == target["user_id"]]
    check(len(hit) == 1, step, f"target {target['user_id']} not listed once: {[u.UserID for u in locked]}")
    expect_eq(step, "LoginName", hit[0].LoginName, target["login"])
    expect_eq(step, "LockedOut", hit[0].LockedOut, True)
    expect_eq(step, "NetworkID", hit[0].NetworkID, target["network"])
    expect_eq(step, "MailboxID", hit[0].MailboxID, target["mailbox"])
    check(all(u.UserID != admin["user_id"] for u in locked), step, "the caller, not locked out, is listed")
    locked_ex = items(svc.UserListLockedOutEx(SessionID=sid, NetworkID=target["network"],
                                              MailboxID=target["mailbox"]), "UserIDInfo")
    expect_eq("UserListLockedOutEx", "users listed", [u.UserID for u in locked_ex], [target["user_id"]])
    expect_eq(step, "UserReset of the locked-out user", svc.UserReset(SessionID=sid, UserID=target["user_id"]), True)
    expect_eq(step, "list after UserReset", [u.UserID for u in items(svc.UserListLockedOut(SessionID=sid), "UserIDInfo")
                                              if u.UserID == target["user_id"]], [])
    t3 = svc.Login(LoginName=target["login"], Password=target["password"])
    check(UUID4_UPPER.match(t3 or ""), step, f"login after UserReset: {t3!r}")
    svc.Logout(SessionID=t3)
    print("OK UserListLockedOut")

    # -- Logout: the session's length in milliseconds, then 0 --
    step = "Logout"
    before_logout = aware(svc.NowUTC(), step, "NowUTC before")
    length = svc.Logout(SessionID=sid)
    after_logout = aware(svc.NowUTC(), step, "NowUTC after")
    check(isinstance(length, int), step, f"not an int: {length!r}")
    low, high = millis(before_logout - start) - 1000, millis(after_logout - start) + 1000
    check(low <= length <= high, step, f"{length} ms is not the session's length (between {low} and {high})")
    expect_eq(step, "second Logout", svc.Logout(SessionID=sid), 0)
    print("OK Logout")

    expect_fault("WhoAmI after Logout", lambda: svc.WhoAmI(SessionID=sid), session=True, error_code=1)
    print("OK WhoAmI after Logout")

    print(f"PASS python zeep deployed dialect SOAP {a.soap}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--check-wsdl", metavar="WSDL")
    p.add_argument("--wsdl")
    p.add_argument("--url")
    p.add_argument("--soap", choices=sorted(BINDINGS), default="1.1")
    p.add_argument("--fixture", help="JSON describing the users the caller created")
    a = p.parse_args()
    if a.check_wsdl:
        check_wsdl(a.check_wsdl)
        return
    if not (a.wsdl and a.url and a.fixture):
        p.error("--wsdl, --url and --fixture are required (or --check-wsdl)")
    run_flow(a)


if __name__ == "__main__":
    try:
        main()
    except Fault as f:
        # The last OK line tells which step raised it.
        fail(f"unexpected SOAP fault: {f.message}")
