"""Session flow against an ECGridOS SOAP endpoint, driven by zeep the way an integrator would."""
import argparse
import datetime as dt
import re
import sys

from zeep import Client
from zeep.exceptions import Fault

UUID4_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def fail(msg):
    print(f"FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, step, msg):
    if not cond:
        fail(f"{step}: {msg}")


def expect_eq(step, what, got, want):
    check(got == want, step, f"{what}: got {got!r}, want {want!r}")


def aware(t, step, what):
    check(isinstance(t, dt.datetime) and t.tzinfo is not None, step, f"{what} is not a zoned dateTime: {t!r}")
    return t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wsdl", required=True)
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--network", type=int, required=True)
    p.add_argument("--mailbox", type=int, required=True)
    p.add_argument("--auth-level", required=True)
    p.add_argument("--soap", choices=["1.1", "1.2"], default="1.1")
    a = p.parse_args()

    client = Client(a.wsdl)
    svc = client.service if a.soap == "1.1" else client.bind("ECGridOS", "ECGridOSPort12")

    expect_eq("Version", "result", svc.Version(), "4.1")
    print("OK Version")

    sid = svc.Login(
        UserName=a.login,
        Password=a.password,
        SenderSolution="edigrid client test (zeep)",
        SenderVersion="1.0",
        SenderCompanyName="edigrid",
        SenderContact="CI",
        SenderContactEmail="ci@example.com",
    )
    check(isinstance(sid, str) and UUID4_UPPER.match(sid), "Login", f"not an upper-case UUID v4: {sid!r}")
    print("OK Login")

    info = svc.SessionInfo(SessionID=sid)
    now = dt.datetime.now(dt.timezone.utc)
    check(info is not None, "SessionInfo", "empty result")
    expect_eq("SessionInfo", "SessionID", info.SessionID, sid)
    expect_eq("SessionInfo", "NetworkID", info.NetworkID, a.network)
    expect_eq("SessionInfo", "MailboxID", info.MailboxID, a.mailbox)
    check(info.UserID > 0, "SessionInfo", f"UserID not positive: {info.UserID!r}")
    created = aware(info.Created, "SessionInfo", "Created")
    expires = aware(info.Expires, "SessionInfo", "Expires")
    check(abs(now - created) <= dt.timedelta(minutes=5), "SessionInfo", f"Created {created} is not within 5 minutes of now {now}")
    check(created <= expires, "SessionInfo", f"Created {created} is after Expires {expires}")
    check(expires > now, "SessionInfo", f"Expires {expires} is not in the future (now {now})")
    check(expires - created <= dt.timedelta(hours=8), "SessionInfo", f"lifetime {expires - created} exceeds 8 hours")
    print("OK SessionInfo")

    me = svc.WhoAmI(SessionID=sid)
    check(me is not None, "WhoAmI", "empty result")
    expect_eq("WhoAmI", "UserID", me.UserID, info.UserID)
    check((me.Login or "").lower() == a.login.lower(), "WhoAmI", f"Login: got {me.Login!r}, want {a.login!r} (any case)")
    expect_eq("WhoAmI", "NetworkID", me.NetworkID, a.network)
    expect_eq("WhoAmI", "MailboxID", me.MailboxID, a.mailbox)
    expect_eq("WhoAmI", "AuthLevel", me.AuthLevel, a.auth_level)
    print("OK WhoAmI")

    log = svc.SessionLog(SessionID=sid, UserID=0, MaxRecords=10)
    # zeep unwraps an ArrayOf... type whose only child repeats into a plain list (None when empty).
    records = log or []
    check(isinstance(records, list), "SessionLog", f"expected a list of records, got {type(records).__name__}")
    mine = [r for r in records if r is not None and r.SessionID == sid]
    check(mine, "SessionLog", f"no record with the current SessionID among {len(records)} record(s)")
    expect_eq("SessionLog", "UserID of the current session's record", mine[0].UserID, info.UserID)
    print("OK SessionLog")

    expect_eq("Logout", "first result", svc.Logout(SessionID=sid), True)
    expect_eq("Logout", "second result", svc.Logout(SessionID=sid), False)
    print("OK Logout")

    try:
        svc.SessionInfo(SessionID=sid)
    except Fault as f:
        check("SessionID" in (f.message or ""), "SessionInfo after Logout", f"fault message lacks 'SessionID': {f.message!r}")
    else:
        fail("SessionInfo after Logout: expected a SOAP fault, got a result")
    print("OK SessionInfo after Logout")

    print(f"PASS python zeep SOAP {a.soap}")


if __name__ == "__main__":
    try:
        main()
    except Fault as f:
        # The last OK line tells which step raised it.
        fail(f"unexpected SOAP fault: {f.message}")
