"""Reports (SPEC-VAN 20) read through the clients integrators use: zeep on the deployed WSDL
(whose Report* results are .NET DataSets: zeep reads the inline schema and the diffgram's
rows), zeep on edigrid's documented WSDL, and requests on REST. Every report's counts and
bytes must be the ones the Rust test computed from the parcels it routed.

    reports_flow.py --wsdl DEPLOYED-WSDL --url SOAP-ENDPOINT --documented-wsdl URL
        --base REST-BASE --key API-KEY --now ISO-TIME --expect JSON

`--expect` is {"total": C, "mailboxes": {"<id>": C}} where C holds pi, po, bi, bo (parcels
and their bytes in and out), ii, io, ibi, ibo (interchanges and their bytes in and out): what
the key's owner must see. Prints OK per report, PASS at the end; FAIL with the difference at
the first wrong answer.
"""
import argparse
import datetime as dt
import json
import os
import sys

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.helpers import serialize_object

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from deployed_flow import BINDINGS, load_client  # noqa: E402

KEYS = ["pi", "po", "bi", "bo", "ii", "io", "ibi", "ibo"]
ZERO = {k: 0 for k in KEYS}


def fail(msg):
    print(f"FAIL {msg}")
    sys.exit(1)


def same(what, got, want):
    if got != want:
        fail(f"{what}: got {got}, want {want}")


def rows(result):
    """The rows of a DataSet result as zeep reads it: dicts of column to typed value."""
    if result is None:
        return []
    body = result._value_1
    if body is None:
        return []
    if not hasattr(body, "_value_1"):
        # An empty table is an empty diffgram, which zeep leaves as the element it is.
        if etree.QName(body).localname == "diffgram" and len(body) == 0:
            return []
        fail(f"zeep did not read the DataSet against its schema: {etree.tostring(body)[:2000]!r}")
    return [serialize_object(item["Table"], dict) for item in body._value_1]


def traffic(row, names):
    """Counts named as in C, from a row whose columns are `names` (None: not in the row)."""
    return {k: row[n] for k, n in zip(KEYS, names) if n is not None}


def subset(c, keys):
    return {k: c[k] for k in keys}


PARCEL_COLUMNS = ["ParcelsIn", "ParcelsOut", "BytesIn", "BytesOut",
                  "InterchangesIn", "InterchangesOut", None, None]
PARCEL_KEYS = ["pi", "po", "bi", "bo", "ii", "io"]


def deployed(args, expect, now):
    client, _, _ = load_client(args.wsdl, args.url)
    svc, key, total = client.create_service(BINDINGS["1.1"], args.url), args.key, expect["total"]
    mailboxes = expect["mailboxes"]

    table = rows(svc.ReportTrafficStats(SessionID=key, TargetTime=now, NumPeriods=2, Period="Day"))
    same("deployed ReportTrafficStats rows", len(table), 2)
    same("deployed ReportTrafficStats yesterday", traffic(table[0], PARCEL_COLUMNS), subset(ZERO, PARCEL_KEYS))
    same("deployed ReportTrafficStats today", traffic(table[1], PARCEL_COLUMNS), subset(total, PARCEL_KEYS))
    same("deployed ReportTrafficStats PeriodStart", table[1]["PeriodStart"].date(), now.date())
    print("OK deployed ReportTrafficStats")

    table = rows(svc.ReportInstantStats(SessionID=key, Minutes1=60, Minutes2=1440))
    same("deployed ReportInstantStats rows", len(table), 1)
    for w in ["1", "2"]:
        got = traffic(table[0], [f"ParcelsIn{w}", f"ParcelsOut{w}", None, None,
                                 f"InterchangesIn{w}", f"InterchangesOut{w}", None, None])
        same(f"deployed ReportInstantStats window {w}", got, subset(total, ["pi", "po", "ii", "io"]))
    print("OK deployed ReportInstantStats")

    table = rows(svc.ReportMailboxStats(SessionID=key))
    got = {str(r["MailboxID"]): traffic(r, PARCEL_COLUMNS) for r in table}
    same("deployed ReportMailboxStats", got, {m: subset(c, PARCEL_KEYS) for m, c in mailboxes.items()})
    print("OK deployed ReportMailboxStats")

    table = rows(svc.ReportMailboxInterchangeStats(SessionID=key))
    got = {str(r["MailboxID"]): traffic(r, [None, None, None, None, "InterchangesIn",
                                            "InterchangesOut", "BytesIn", "BytesOut"]) for r in table}
    same("deployed ReportMailboxInterchangeStats", got,
         {m: subset(c, ["ii", "io", "ibi", "ibo"]) for m, c in mailboxes.items()})
    print("OK deployed ReportMailboxInterchangeStats")

    table = rows(svc.ReportInterchangeStats(SessionID=key, StartTime=now, EndTime=now, Direction="NoDir"))
    got = {r["Direction"]: (r["Count"], r["ISAs"], r["Bytes"]) for r in table}
    same("deployed ReportInterchangeStats", got, {
        "InBox": (total["ii"], total["ii"], total["ibi"]),
        "OutBox": (total["io"], total["io"], total["ibo"]),
    })
    table = rows(svc.ReportInterchangeStats(SessionID=key, StartTime=now, EndTime=now, Direction="OutBox"))
    same("deployed ReportInterchangeStats OutBox", [r["Direction"] for r in table], ["OutBox"])
    print("OK deployed ReportInterchangeStats")

    table = rows(svc.ReportMonthly(SessionID=key, Report=1, Month=now))
    got = {str(r["MailboxID"]): traffic(r, PARCEL_COLUMNS) for r in table}
    same("deployed ReportMonthly 1", got, {m: subset(c, PARCEL_KEYS) for m, c in mailboxes.items()})
    table = rows(svc.ReportMonthly(SessionID=key, Report=2, Month=now))
    today = [r for r in table if r["ReportDate"].date() == now.date()]
    same("deployed ReportMonthly 2 today", traffic(today[0], PARCEL_COLUMNS), subset(total, PARCEL_KEYS))
    same("deployed ReportMonthly 2 days", len(table) >= 28, True)
    print("OK deployed ReportMonthly")

    day = dt.timedelta(days=1)
    table = rows(svc.ReportByDateEx(SessionID=key, NetworkID=0, MailboxID=0, Report=1,
                                    StartDate=now - day, EndDate=now + day))
    got = {str(r["MailboxID"]): traffic(r, PARCEL_COLUMNS) for r in table}
    same("deployed ReportByDateEx", got, {m: subset(c, PARCEL_KEYS) for m, c in mailboxes.items()})
    print("OK deployed ReportByDateEx")


def documented(args, expect, now):
    svc = Client(args.documented_wsdl, settings=Settings(strict=True)).service
    key, total, mailboxes = args.key, expect["total"], expect["mailboxes"]

    table = svc.ReportTrafficStats(SessionID=key, TargetTime=now, NumPeriods=1, Period="Day") or []
    same("documented ReportTrafficStats", traffic(table[0], PARCEL_COLUMNS), subset(total, PARCEL_KEYS))
    print("OK documented ReportTrafficStats")

    table = svc.ReportInstantStats(SessionID=key, Minutes1=5, Minutes2=120) or []
    got = traffic(table[0], ["ParcelsIn2", "ParcelsOut2", None, None, "InterchangesIn2", "InterchangesOut2", None, None])
    same("documented ReportInstantStats", got, subset(total, ["pi", "po", "ii", "io"]))
    print("OK documented ReportInstantStats")

    table = svc.ReportMailboxStats(SessionID=key) or []
    got = {str(r["MailboxID"]): traffic(r, PARCEL_COLUMNS) for r in table}
    same("documented ReportMailboxStats", got, {m: subset(c, PARCEL_KEYS) for m, c in mailboxes.items()})
    print("OK documented ReportMailboxStats")

    table = svc.ReportInterchangeStats(SessionID=key, StartTime=now, EndTime=now, Direction="InBox") or []
    same("documented ReportInterchangeStats", [(r["Direction"], r["Count"], r["Bytes"]) for r in table],
         [("InBox", total["ii"], total["ibi"])])
    print("OK documented ReportInterchangeStats")

    table = svc.ReportMonthly(SessionID=key, Report=1, Month=now) or []
    got = {str(r["MailboxID"]): traffic(r, PARCEL_COLUMNS) for r in table}
    same("documented ReportMonthly", got, {m: subset(c, PARCEL_KEYS) for m, c in mailboxes.items()})
    print("OK documented ReportMonthly")


def rest(args, expect, now):
    total, mailboxes = expect["total"], expect["mailboxes"]
    session = requests.Session()
    session.headers["X-API-Key"] = args.key

    def call(method, path, body=None):
        r = session.request(method, args.base + path, json=body, timeout=30)
        if r.status_code != 200:
            fail(f"REST {method} {path}: {r.status_code} {r.text}")
        return r.json()["data"]

    counts = lambda d: {k: d[n] for k, n in zip(KEYS, [  # noqa: E731
        "parcelsIn", "parcelsOut", "bytesIn", "bytesOut", "interchangesIn", "interchangesOut",
        "interchangeBytesIn", "interchangeBytesOut"])}
    iso = now.isoformat().replace("+00:00", "Z")

    data = call("POST", "/v2/reports/traffic-stats", {"targetTime": iso, "numPeriods": 1, "period": "Day"})
    same("REST traffic-stats", counts(data[0]), total)
    same("REST traffic-stats sent/received/bytes",
         (data[0]["sentCount"], data[0]["receivedCount"], data[0]["totalBytes"]),
         (total["po"], total["pi"], total["bi"] + total["bo"]))
    print("OK REST traffic-stats")

    data = call("POST", "/v2/reports/instant-stats", {"minutes1": 1, "minutes2": 60})
    same("REST instant-stats", (data["window2Count"], counts(data["window2"])), (total["pi"] + total["po"], total))
    print("OK REST instant-stats")

    data = call("GET", "/v2/reports/mailbox-stats")
    same("REST mailbox-stats", (data["totalParcels"], data["totalInterchanges"], data["totalBytes"]),
         (total["pi"] + total["po"], total["ii"] + total["io"], total["bi"] + total["bo"]))
    same("REST mailbox-stats mailboxes", {str(m["mailboxId"]): counts(m) for m in data["mailboxes"]}, mailboxes)
    print("OK REST mailbox-stats")

    data = call("GET", "/v2/reports/mailbox-interchange-stats")
    same("REST mailbox-interchange-stats", (data["sent"], data["received"], data["totalBytes"], data["period"]),
         (total["io"], total["ii"], total["ibi"] + total["ibo"], now.strftime("%Y-%m")))
    print("OK REST mailbox-interchange-stats")

    data = call("POST", "/v2/reports/interchange-stats", {"startTime": iso, "endTime": iso, "direction": "NoDir"})
    same("REST interchange-stats", [(d["count"], d["totalBytes"]) for d in data],
         [(total["ii"] + total["io"], total["ibi"] + total["ibo"])])
    print("OK REST interchange-stats")

    data = call("POST", "/v2/reports/monthly", {"report": 1, "month": iso})
    same("REST monthly", {str(d["mailboxId"]): counts(d) for d in data}, mailboxes)
    data = call("POST", "/v2/reports/bydate", {"reportId": 2, "startDate": now.strftime("%Y-%m-%d"),
                                               "endDate": now.strftime("%Y-%m-%d")})
    same("REST bydate", [(d["date"], counts(d)) for d in data], [(now.strftime("%Y-%m-%d"), total)])
    print("OK REST monthly and bydate")

    data = call("GET", "/v2/reports/false")
    same("REST report list", [d["reportId"] for d in data], [1, 2])
    print("OK REST report list")


def main():
    p = argparse.ArgumentParser()
    for name in ["--wsdl", "--url", "--documented-wsdl", "--base", "--key", "--now", "--expect"]:
        p.add_argument(name, required=True)
    args = p.parse_args()
    expect = json.loads(args.expect)
    now = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    deployed(args, expect, now)
    documented(args, expect, now)
    rest(args, expect, now)
    print("PASS reports")


if __name__ == "__main__":
    main()
