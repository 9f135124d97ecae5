#!/usr/bin/env python3
"""Parcels and interchanges (SPEC-VAN 15 to 17 and 19) over REST v2 (ecgrid-docs
rest-api/{parcels,interchanges}), with `requests`, authenticated by `X-API-Key`.

    parcels_rest_flow.py --base URL --api-key KEY

The caller must be a NetworkAdmin. Makes two mailboxes A and B with one ID each, then A sends an
X12 file of three interchanges (two to B's ID, one to an ID nobody registered), once as JSON
(base64 `content`) and once as `multipart/form-data` (a `file` part). Each upload must give B one
inbound parcel holding the two interchanges for it, byte for byte; B reads it, downloads it and
confirms it (the confirm sends `parcelID`, as one of upstream's samples does), after which it is
gone from the inbox and in the archive; A's outbox shows each upload with its delivery error,
and the interchange lists say which interchange went where. Every response must be the `{success,
data, errorCode, message}` envelope with camelCase JSON. Prints one OK line per step, a CREATED
line (JSON) for the Rust test, and PASS at the end; at the first wrong answer prints FAIL and
exits 1.
"""
import argparse
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from directory_common import STEPS, check, created, expect_eq, guard, unique_tag  # noqa: E402
from directory_rest_flow import TIMEOUT, Api, has_fields  # noqa: E402

PARCEL = ["parcelId", "mailboxId", "networkId", "fileName", "bytes", "status", "ecGridIdFrom", "ecGridIdTo",
          "created", "modified"]
INTERCHANGE = ["interchangeId", "parcelId", "sender", "receiver", "standard", "documentType", "status", "created"]


def interchange(sender, receiver, control):
    """One X12 interchange (ISA exactly 106 bytes, one 850), each segment ending `~` and a line
    break, so that it ends where the next begins."""
    isa = (f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260501*1030*U*00401*"
           f"{control:09d}*0*P*>")
    assert len(isa) + 1 == 106, len(isa)
    segments = [isa, f"GS*PO*{sender}*{receiver}*20260501*1030*{control}*X*004010", "ST*850*0001",
                f"BEG*00*SA*PO{control}**20260501", "SE*3*0001", f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return "".join(s + "~\n" for s in segments).encode()


class Flow:
    def __init__(self, api, tag):
        self.api = api
        self.tag = tag

    def mailbox_with_id(self, net, letter):
        mb = self.api.data("POST", "/v2/mailboxes/create", {"networkId": net, "uniqueId": f"P{letter}{self.tag}",
                                                           "companyName": f"Parcels {letter} {self.tag}"})
        pair_id = f"P{letter}{self.tag}"
        tp = self.api.data("POST", "/v2/ids", {"mailboxId": mb["mailboxId"], "qualifier": "ZZ", "id": pair_id,
                                              "description": f"parcels flow {letter}"})
        return mb["mailboxId"], tp["ecGridId"], pair_id

    def pending(self, mailbox):
        listed = self.api.data("POST", "/v2/parcels/pending-inbox-list", {"mailboxId": mailbox})
        check(isinstance(listed, list), f"pending-inbox-list data should be an array, got {listed!r}")
        return [has_fields(p, PARCEL, "pending parcel") for p in listed]

    def inbox(self, mailbox, **filters):
        listed = self.api.data("POST", "/v2/parcels/inbox-list", {"mailboxId": mailbox, **filters})
        check(isinstance(listed, list), f"inbox-list data should be an array, got {listed!r}")
        return [has_fields(p, PARCEL, "inbox parcel") for p in listed]

    def upload_multipart(self, mailbox, name, content):
        """POST /v2/parcels/upload as a form; checked like Api.call checks JSON answers."""
        r = self.api.http.post(self.api.base + "/v2/parcels/upload", headers=self.api.headers, timeout=TIMEOUT,
                               files={"file": (name, content, "application/edi-x12")},
                               data={"mailboxId": str(mailbox), "bytes": str(len(content))})
        shown = f"\n  response: {r.status_code} {r.text[:700]}"
        check(r.status_code == 200, f"multipart upload: want HTTP 200{shown}")
        env = r.json()
        check(env.get("success") is True and isinstance(env.get("data"), int), f"multipart upload{shown}")
        return env["data"]


def run(a):
    tag = unique_tag()
    api = Api(a.base, {"X-API-Key": a.api_key})
    flow = Flow(api, tag)

    STEPS.begin("two mailboxes with an ID each")
    me = api.data("GET", "/v2/users/me")
    expect_eq("authLevel (this flow runs as a NetworkAdmin)", me["authLevel"], "NetworkAdmin")
    net = me["networkId"]
    mbx_a, id_a, pair_a = flow.mailbox_with_id(net, "A")
    mbx_b, id_b, pair_b = flow.mailbox_with_id(net, "B")
    nobody = f"PX{tag}"
    STEPS.ok()

    uploads = []
    for n, how in enumerate(["json", "multipart"]):
        STEPS.begin(f"A uploads three interchanges ({how})")
        first = 10 * n + 1
        to_b = [interchange(pair_a, pair_b, first), interchange(pair_a, pair_b, first + 2)]
        whole = to_b[0] + interchange(pair_a, nobody, first + 1) + to_b[1]
        name = f"po-{tag}-{how}.x12"
        if how == "json":
            out = api.data("POST", "/v2/parcels/upload",
                           {"fileName": name, "content": base64.b64encode(whole).decode(), "bytes": len(whole),
                            "mailboxId": mbx_a})
            check(isinstance(out, int) and out > 0, f"upload data should be the ParcelID, got {out!r}")
        else:
            out = flow.upload_multipart(mbx_a, name, whole)
        STEPS.ok()

        STEPS.begin(f"B's inbox lists one parcel with the two interchanges ({how})")
        pending = flow.pending(mbx_b)
        fresh = [p for p in pending if p["parcelId"] not in [u["inbound"] for u in uploads]]
        expect_eq("new parcels in B's inbox after this upload", len(fresh), 1)
        inbound = fresh[0]
        want = b"".join(to_b)
        expect_eq("the new inbound parcel (mailboxId, networkId, fileName, bytes, status, ecGridIdFrom, ecGridIdTo)",
                  tuple(inbound[k] for k in PARCEL[1:8]), (mbx_b, net, name, len(want), "InBoxReady", id_a, id_b))
        check(inbound["parcelId"] > out, f"inbound {inbound['parcelId']} should come after outbound {out}")
        expect_eq("inbox-list without status (ready ones)", flow.inbox(mbx_b), pending)
        expect_eq(f"GET /v2/parcels/{inbound['parcelId']}", api.data("GET", f"/v2/parcels/{inbound['parcelId']}"),
                  inbound)
        listed = api.data("GET", f"/v2/parcels/manifest/{inbound['parcelId']}")
        expect_eq("the inbound parcel's manifest (sender, receiver, documentType, status, count)",
                  [(m["sender"], m["receiver"], m["documentType"], m["status"], m["count"]) for m in listed],
                  [(f"ZZ:{pair_a}", f"ZZ:{pair_b}", "850", "Delivered", 1)] * 2)
        STEPS.ok()

        STEPS.begin(f"B downloads exactly those bytes and confirms ({how})")
        got = api.data("POST", "/v2/parcels/download", {"parcelId": inbound["parcelId"]})
        has_fields(got, ["parcelId", "fileName", "content", "bytes"], "download")
        expect_eq("download (parcelId, fileName, bytes)", (got["parcelId"], got["fileName"], got["bytes"]),
                  (inbound["parcelId"], name, len(want)))
        expect_eq("downloaded bytes", base64.b64decode(got["content"]), want)
        expect_eq("status after download", api.data("GET", f"/v2/parcels/{inbound['parcelId']}")["status"],
                  "InBoxTransferred")
        expect_eq("confirm", api.data("POST", "/v2/parcels/confirm", {"parcelID": inbound["parcelId"]}), True)
        check(all(p["parcelId"] != inbound["parcelId"] for p in flow.pending(mbx_b)),
              "the confirmed parcel is still pending")
        archived = flow.inbox(mbx_b, status="InBoxArchived", beginDate="0001-01-01T00:00:00Z")
        expect_eq("the archive (parcelId, status)", sorted((p["parcelId"], p["status"]) for p in archived),
                  sorted([(u["inbound"], "InBoxArchived") for u in uploads] + [(inbound["parcelId"], "InBoxArchived")]))
        STEPS.ok()

        STEPS.begin(f"A's outbox shows the delivery error ({how})")
        outbox = api.data("POST", "/v2/parcels/outbox-list", {"mailboxId": mbx_a})
        check(isinstance(outbox, list), f"outbox-list data should be an array: {outbox!r}")
        expect_eq("the outbox's parcels", sorted(p["parcelId"] for p in outbox),
                  sorted([u["outbound"] for u in uploads] + [out]))
        sent = has_fields(next(p for p in outbox if p["parcelId"] == out), PARCEL, "outbox parcel")
        expect_eq("the outbound parcel (mailboxId, networkId, fileName, bytes, status, ecGridIdFrom)",
                  tuple(sent[k] for k in PARCEL[1:7]), (mbx_a, net, name, len(whole), "outboxDeliveryError", id_a))
        errors = api.data("POST", "/v2/parcels/outbox-list", {"mailboxId": mbx_a, "status": "outboxDeliveryError"})
        check(out in [p["parcelId"] for p in errors], f"{out} is not in the outbox's error list: {errors!r}")
        fates = api.data("GET", f"/v2/parcels/manifest/{out}")
        expect_eq("the outbound parcel's manifest (receiver, status)", [(m["receiver"], m["status"]) for m in fates],
                  [(f"ZZ:{pair_b}", "Delivered"), (f"ZZ:{nobody}", "NoRoute"), (f"ZZ:{pair_b}", "Delivered")])
        check(fates[1]["reason"], f"the undelivered interchange says why: {fates[1]!r}")
        STEPS.ok()
        uploads.append({"outbound": out, "inbound": inbound["parcelId"], "bytes": len(want)})

    STEPS.begin("interchange lists and one interchange")
    page = api.data("POST", "/v2/interchanges/outbox-list", {"mailboxId": mbx_a, "recordsPerPage": 500})
    has_fields(page, ["totalRecords", "pageNo", "recordsPerPage", "interchanges"], "interchanges/outbox-list")
    sent = [has_fields(i, INTERCHANGE, "outbox interchange") for i in page["interchanges"]]
    expect_eq("A's interchanges (count, NoRoute ones)",
              (page["totalRecords"], sum(i["status"] == "NoRoute" for i in sent)), (6, 2))
    got = api.data("POST", "/v2/interchanges/inbox-list", {"mailboxId": mbx_b})
    expect_eq("B's interchanges: count, and the parcels they are in",
              (got["totalRecords"], sorted({i["parcelId"] for i in got["interchanges"]})),
              (4, sorted(u["inbound"] for u in uploads)))
    one = got["interchanges"][0]
    expect_eq(f"GET /v2/interchanges/{one['interchangeId']}",
              {k: v for k, v in api.data("GET", f"/v2/interchanges/{one['interchangeId']}").items() if k in INTERCHANGE},
              {k: one[k] for k in INTERCHANGE if k != "parcelId"} | {"parcelId": one["outboundParcelId"]})
    groups = api.data("GET", f"/v2/interchanges/get-manifest/{one['interchangeId']}")
    expect_eq("the interchange's manifest (functionalGroup, transactionSetType, transactionSetCount, receiverId)",
              [(g["functionalGroup"], g["transactionSetType"], g["transactionSetCount"], g["receiverId"])
               for g in groups], [("PO", "850", 1, pair_b)])
    STEPS.ok()

    STEPS.begin("refusals")
    api.call("POST", "/v2/parcels/inbox-list", {"mailboxId": mbx_b, "recordsPerPage": 501}, status=400,
             error="InvalidParameter")
    api.call("POST", "/v2/parcels/upload", {"fileName": "x.edi", "content": "not base64!", "mailboxId": mbx_a},
             status=400, error="InvalidParameter")
    api.call("POST", "/v2/parcels/send-test-file", {"ecGridIdFrom": id_a, "ecGridIdTo": id_b, "documentType": "PDF"},
             status=400, error="InvalidParameter")
    STEPS.ok()

    created(mailbox_a=mbx_a, mailbox_b=mbx_b, ecgrid_a=id_a, ecgrid_b=id_b, uploads=uploads)
    print("PASS parcels rest flow")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True, help="edigrid's base URL (REST is under /v2)")
    p.add_argument("--api-key", required=True)
    run(p.parse_args())


if __name__ == "__main__":
    guard(main)
