"""Parcels and interchanges (SPEC-VAN 15 to 17 and 19) in the documented SOAP dialect
(`http://www.ecgridos.net/`, ecgrid-docs soap-api/{parcels,interchanges}), driven by zeep from
edigrid's own WSDL (`?WSDL`), the way an integrator who generated a client from it would.

    parcels_documented_flow.py --wsdl URL --login L --password P [--soap 1.1|1.2]

The caller must be a NetworkAdmin. First checks that the WSDL has every documented operation the
flow uses, with the documented parameters in order and the documented result type; then makes two
mailboxes A and B with one ID each (MailboxAdd, TPAdd, as directory_documented_flow.py does), and
A uploads an X12 file of three interchanges: two to B's ID and one to an ID nobody registered.
B's inbox must list one parcel holding the two interchanges for B; its record is checked, its
download is those bytes exactly, and once confirmed it is gone from the inbox and in the archive.
A's outbox shows the upload in error, and the interchange lists say which interchange went where
and why one did not. Prints one OK line per step, a CREATED line (JSON) for the Rust test, and PASS
at the end; at the first wrong answer prints FAIL and exits 1.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from directory_common import (  # noqa: E402
    STEPS, access_denied, check, check_order, children, created, expect_eq, expect_fault, guard, near_now,
    result_element, same_fault, soap_call, subsequence, unique_tag, utc,
)
from zeep import Client  # noqa: E402
from zeep.exceptions import LookupError as ZeepLookupError  # noqa: E402
from zeep.plugins import HistoryPlugin  # noqa: E402

NS = "http://www.ecgridos.net/"
PORTS = {"1.1": "ECGridOSPort", "1.2": "ECGridOSPort12"}
BOX = ["SessionID", "NetworkID", "MailboxID", "ECGridIDFrom", "ECGridIDTo", "Status", "BeginDate", "EndDate",
       "PageNo", "RecordsPerPage"]
INTERCHANGE_BOX = ["SessionID", "NetworkID", "MailboxID", "ECGridIDFrom", "ECGridIDTo", "BeginDate", "EndDate",
                   "PageNo", "RecordsPerPage"]

# Operation: (parameters in the documented order, documented result type).
DOC_OPS = {
    "ParcelUpload": (["SessionID", "FileName", "Bytes", "Content"], "long"),
    "ParcelUploadEx": (["SessionID", "NetworkID", "MailboxID", "FileName", "Bytes", "Content"], "long"),
    "ParcelUploadMft": (["SessionID", "FileName", "Bytes", "Content", "ECGridIDFrom", "ECGridIDTo"], "long"),
    "ParcelInBox": (BOX, "ArrayOfParcelIDInfo"),
    "ParcelInBoxEx": (BOX[:5] + ["MailbagControlID"] + BOX[5:], "ArrayOfParcelIDInfo"),
    "ParcelInBoxArchive": (BOX, "ArrayOfParcelIDInfo"),
    "ParcelOutBox": (BOX, "ArrayOfParcelIDInfo"),
    "ParcelInfo": (["SessionID", "ParcelID"], "ParcelIDInfo"),
    "ParcelDownload": (["SessionID", "ParcelID"], "base64Binary"),
    "ParcelDownloadConfirm": (["SessionID", "ParcelID"], "boolean"),
    "ParcelNote": (["SessionID", "ParcelID", "Note"], "boolean"),
    "ParcelResend": (["SessionID", "ParcelID"], "boolean"),
    "InterchangeInBox": (INTERCHANGE_BOX, "ArrayOfInterchangeIDInfo"),
    "InterchangeOutBox": (INTERCHANGE_BOX, "ArrayOfInterchangeIDInfo"),
    "InterchangeInfo": (["SessionID", "InterchangeID"], "InterchangeIDInfo"),
    "InterchangeHeaderInfo": (["SessionID", "InterchangeHeader"], "InterchangeIDInfo"),
    "InterchangeDate": (["InterchangeHeader"], "dateTime"),
    "InterchangeManifest": (["SessionID", "InterchangeID"], "ArrayOfManifestInfo"),
    "InterchangeCancel": (["SessionID", "InterchangeID"], "boolean"),
    "InterchangeResend": (["SessionID", "InterchangeID"], "boolean"),
}

DOC_TYPES = {
    "ParcelIDInfo": ["ParcelID", "NetworkID", "MailboxID", "FileName", "Bytes", "Status", "ECGridIDFrom",
                     "ECGridIDTo", "Created"],
    "InterchangeIDInfo": ["InterchangeID", "ParcelID", "Sender", "Receiver", "Standard", "DocumentType", "Status",
                          "Created"],
    "ManifestInfo": ["GroupID", "TransactionSetID", "TransactionCount", "SenderID", "ReceiverID", "GroupDate"],
}


def type_name(t):
    return getattr(t, "name", None) or getattr(getattr(t, "qname", None), "localname", None)


def check_wsdl(client):
    """Every documented operation of the two pages' folders, with its parameters and result."""
    binding = client.service._binding
    problems = []
    for op, (params, result) in DOC_OPS.items():
        if op not in binding._operations:
            problems.append(f"{op}: missing")
            continue
        o = binding._operations[op]
        got = [n for n, _ in o.input.body.type.elements]
        if got != params:
            problems.append(f"{op}: parameters {got}, documented {params}")
        outs = o.output.body.type.elements
        rname = type_name(outs[0][1].type) if outs else None
        if rname != result:
            problems.append(f"{op}: result type {rname}, documented {result}")
    for tname, fields in DOC_TYPES.items():
        try:
            declared = [n for n, _ in client.get_type("{%s}%s" % (NS, tname)).elements]
        except ZeepLookupError:
            problems.append(f"type {tname}: missing")
            continue
        if not subsequence(fields, declared) or declared[:len(fields)] != fields:
            problems.append(f"type {tname}: fields {declared} do not lead with {fields}")
    check(not problems, "edigrid's WSDL differs from the documented signatures:\n  " + "\n  ".join(problems))


def interchange(sender, receiver, control):
    """One X12 interchange of one 850 (ISA exactly 106 bytes), segments ending `~`."""
    isa = (f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260507*0800*U*00401*"
           f"{control:09d}*0*P*>~")
    check(len(isa) == 106, f"the flow's own ISA is {len(isa)} bytes")
    return (isa + f"GS*PO*{sender}*{receiver}*20260507*0930*{control}*X*004010~ST*850*0001~"
            f"BEG*00*SA*PO{control}**20260507~SE*3*0001~GE*1*{control}~IEA*1*{control:09d}~").encode()


class Shapes:
    def __init__(self, client, history):
        self.client, self.history = client, history

    def declared(self, tname):
        return [n for n, _ in self.client.get_type("{%s}%s" % (NS, tname)).elements]

    def record(self, op, tname):
        node = result_element(self.history, NS, f"{op}Result")
        check_order(f"{op}Result", node, NS, self.declared(tname), DOC_TYPES[tname])

    def records(self, op, tname):
        node = result_element(self.history, NS, f"{op}Result")
        for item in children(node):
            check_order(f"{op}Result/{tname}", item, NS, self.declared(tname), DOC_TYPES[tname])


def doc_fields(obj, tname):
    return {n: getattr(obj, n) for n in DOC_TYPES[tname]}


def run(a):
    tag = unique_tag()
    history = HistoryPlugin()
    client = Client(a.wsdl, plugins=[history])
    STEPS.begin("WSDL has the documented parcel and interchange operations")
    check_wsdl(client)
    svc = client.bind("ECGridOS", PORTS[a.soap])
    shapes = Shapes(client, history)
    STEPS.ok()

    STEPS.begin("Login, two mailboxes, an ID in each")
    sid = soap_call("Login", lambda: svc.Login(UserName=a.login, Password=a.password,
                                               SenderSolution="parcels_documented_flow"))
    me = soap_call("WhoAmI", lambda: svc.WhoAmI(SessionID=sid))
    expect_eq("WhoAmI AuthLevel (this flow runs as a NetworkAdmin)", me.AuthLevel, "NetworkAdmin")
    net = me.NetworkID
    address = dict(Address1="1 Dock Rd", Address2="", City="Newark", State="NJ", Zip="07101", Phone="555-0100",
                   AdminEmail=f"parcels.{tag.lower()}@example.com")
    boxes = {}
    for letter in "AB":
        m = soap_call("MailboxAdd", lambda: svc.MailboxAdd(
            SessionID=sid, NetworkID=net, UniqueID=f"P{letter}{tag}", CompanyName=f"Parcels {letter} {tag}",
            **address))
        pair = f"P{letter}{tag}"
        tp = soap_call("TPAdd", lambda: svc.TPAdd(
            SessionID=sid, NetworkID=net, MailboxID=m.MailboxID, Qualifier="ZZ", ID=pair,
            Description=f"parcels flow {letter}", RoutingGroup="ProductionA", EDIStandard="X12"))
        boxes[letter] = (m.MailboxID, tp.ECGridID, pair)
    (ma, ea, pa), (mb, eb, pb) = boxes["A"], boxes["B"]
    STEPS.ok()

    STEPS.begin("A uploads three interchanges: two to B, one to nobody")
    nobody = f"NOBODY{tag}"
    one, lost, two = interchange(pa, pb, 1), interchange(pa, nobody, 2), interchange(pa, pb, 3)
    upload = one + lost + two
    out = soap_call("ParcelUploadEx", lambda: svc.ParcelUploadEx(
        SessionID=sid, NetworkID=net, MailboxID=ma, FileName=f"three-{tag}.x12", Bytes=len(upload), Content=upload))
    check(isinstance(out, int) and out > 0, f"ParcelUploadEx answered {out!r}, not a ParcelID")
    expect_fault("ParcelUploadEx with Bytes that is not the content's length", lambda: svc.ParcelUploadEx(
        SessionID=sid, NetworkID=net, MailboxID=ma, FileName="x", Bytes=len(upload) + 1, Content=upload),
        category="InvalidParameter", item="Bytes")
    STEPS.ok()

    STEPS.begin("B's inbox lists one parcel with the two interchanges for B")

    def inbox(**filters):
        args = dict(SessionID=sid, NetworkID=net, MailboxID=mb, ECGridIDFrom=0, ECGridIDTo=0, PageNo=1,
                    RecordsPerPage=100)
        args.update(filters)
        return soap_call("ParcelInBox", lambda: svc.ParcelInBox(**args)) or []

    listed = inbox()
    shapes.records("ParcelInBox", "ParcelIDInfo")
    expect_eq("ParcelInBox of B: number of parcels", len(listed), 1)
    p = listed[0]
    delivered = one + two
    expect_eq("the inbound parcel (NetworkID, MailboxID, FileName, Bytes, Status, ECGridIDFrom, ECGridIDTo)",
              (p.NetworkID, p.MailboxID, p.FileName, p.Bytes, p.Status, p.ECGridIDFrom, p.ECGridIDTo),
              (net, mb, f"three-{tag}.x12", len(delivered), "InBoxReady", ea, eb))
    near_now(utc(p.Created, "Created"), "Created")
    check(p.ParcelID != out, f"the inbound parcel has the upload's ParcelID {out}")
    expect_eq("ParcelInBox filtered by A's ECGridID", [x.ParcelID for x in inbox(ECGridIDFrom=ea)], [p.ParcelID])
    expect_eq("ParcelInBox filtered by another sender", inbox(ECGridIDFrom=eb), [])
    expect_eq("ParcelInBox of A (nothing came to A)", [x.ParcelID for x in soap_call("ParcelInBox", lambda: svc.ParcelInBox(
        SessionID=sid, NetworkID=net, MailboxID=ma)) or []], [])
    expect_fault("ParcelInBox with RecordsPerPage 501 (at most 500)", lambda: svc.ParcelInBox(
        SessionID=sid, NetworkID=net, MailboxID=mb, PageNo=1, RecordsPerPage=501),
        category="InvalidParameter", item="RecordsPerPage")
    expect_fault("ParcelInBox with an outbox Status", lambda: svc.ParcelInBox(
        SessionID=sid, NetworkID=net, MailboxID=mb, Status="outboxSent"), category="InvalidParameter", item="Status")
    STEPS.ok()

    STEPS.begin("ParcelInfo")
    info = soap_call("ParcelInfo", lambda: svc.ParcelInfo(SessionID=sid, ParcelID=p.ParcelID))
    shapes.record("ParcelInfo", "ParcelIDInfo")
    expect_eq("ParcelInfo vs the inbox's record", doc_fields(info, "ParcelIDInfo"), doc_fields(p, "ParcelIDInfo"))
    missing = out + p.ParcelID + 1000000
    access_denied(f"ParcelInfo of the nonexistent parcel {missing}",
                  lambda: svc.ParcelInfo(SessionID=sid, ParcelID=missing))
    STEPS.ok()

    STEPS.begin("ParcelDownload returns the two interchanges byte for byte")
    content = soap_call("ParcelDownload", lambda: svc.ParcelDownload(SessionID=sid, ParcelID=p.ParcelID))
    check(isinstance(content, bytes), f"ParcelDownload should decode to bytes, got {type(content).__name__}")
    expect_eq("downloaded bytes", content, delivered)
    STEPS.ok()

    STEPS.begin("ParcelDownloadConfirm: gone from the inbox, in the archive")
    expect_eq("ParcelDownloadConfirm", soap_call("ParcelDownloadConfirm", lambda: svc.ParcelDownloadConfirm(
        SessionID=sid, ParcelID=p.ParcelID)), True)
    expect_eq("ParcelInBox of B after the confirm", inbox(), [])
    expect_eq("ParcelInBox of B, any status but archived", inbox(Status="InBoxTransferred"), [])
    archive = soap_call("ParcelInBoxArchive", lambda: svc.ParcelInBoxArchive(
        SessionID=sid, NetworkID=net, MailboxID=mb, PageNo=1, RecordsPerPage=100)) or []
    shapes.records("ParcelInBoxArchive", "ParcelIDInfo")
    expect_eq("ParcelInBoxArchive of B: (ParcelID, Status)", [(x.ParcelID, x.Status) for x in archive],
              [(p.ParcelID, "InBoxArchived")])
    expect_eq("ParcelNote on the archived parcel", soap_call("ParcelNote", lambda: svc.ParcelNote(
        SessionID=sid, ParcelID=p.ParcelID, Note=f"stored by the flow {tag}")), True)
    STEPS.ok()

    STEPS.begin("A's outbox shows the upload in error, with the reason")
    outbox = soap_call("ParcelOutBox", lambda: svc.ParcelOutBox(
        SessionID=sid, NetworkID=net, MailboxID=ma, PageNo=1, RecordsPerPage=100)) or []
    shapes.records("ParcelOutBox", "ParcelIDInfo")
    expect_eq("ParcelOutBox of A: (ParcelID, Bytes, Status)", [(x.ParcelID, x.Bytes, x.Status) for x in outbox],
              [(out, len(upload), "outboxDeliveryError")])
    sent = soap_call("InterchangeOutBox", lambda: svc.InterchangeOutBox(
        SessionID=sid, NetworkID=net, MailboxID=ma, PageNo=1, RecordsPerPage=100)) or []
    shapes.records("InterchangeOutBox", "InterchangeIDInfo")
    expect_eq("InterchangeOutBox of A: (Receiver, Status)", [(x.Receiver, x.Status) for x in sent],
              [(f"ZZ:{pb}", "Delivered"), (f"ZZ:{nobody}", "NoRoute"), (f"ZZ:{pb}", "Delivered")])
    check(nobody in (sent[1].Reason or ""), f"the undelivered interchange's Reason should name {nobody}: "
          f"{sent[1].Reason!r}")
    check(all(x.ParcelID == out for x in sent), f"every interchange of A's outbox is in the upload {out}: {sent}")
    received = soap_call("InterchangeInBox", lambda: svc.InterchangeInBox(
        SessionID=sid, NetworkID=net, MailboxID=mb, PageNo=1, RecordsPerPage=100)) or []
    expect_eq("InterchangeInBox of B: (ParcelID, InterchangeControlID)",
              [(x.ParcelID, x.InterchangeControlID) for x in received], [(p.ParcelID, "000000001"),
                                                                         (p.ParcelID, "000000003")])
    ix = received[0].InterchangeID
    got = soap_call("InterchangeInfo", lambda: svc.InterchangeInfo(SessionID=sid, InterchangeID=ix))
    shapes.record("InterchangeInfo", "InterchangeIDInfo")
    expect_eq("InterchangeInfo (Sender, Receiver, Standard, DocumentType, Status)",
              (got.Sender, got.Receiver, got.Standard, got.DocumentType, got.Status),
              (f"ZZ:{pa}", f"ZZ:{pb}", "X12", "850", "Delivered"))
    manifest = soap_call("InterchangeManifest", lambda: svc.InterchangeManifest(SessionID=sid, InterchangeID=ix)) or []
    expect_eq("InterchangeManifest (GroupID, TransactionSetID, TransactionCount, SenderID, ReceiverID)",
              [(g.GroupID, g.TransactionSetID, g.TransactionCount, g.SenderID, g.ReceiverID) for g in manifest],
              [("PO", "850", 1, pa, pb)])
    header = soap_call("InterchangeHeaderInfo", lambda: svc.InterchangeHeaderInfo(
        SessionID=sid, InterchangeHeader=one[:106].decode()))
    expect_eq("InterchangeHeaderInfo (Sender, Receiver, Standard)", (header.Sender, header.Receiver, header.Standard),
              (f"ZZ:{pa}", f"ZZ:{pb}", "X12"))
    expect_eq("InterchangeDate", utc(svc.InterchangeDate(InterchangeHeader=one[:106].decode()), "InterchangeDate")
              .isoformat(), "2026-05-07T08:00:00+00:00")
    STEPS.ok()

    STEPS.begin("Refusals out of scope")
    access_denied(f"ParcelOutBox of network {a.far_network}", lambda: svc.ParcelOutBox(
        SessionID=sid, NetworkID=a.far_network, MailboxID=a.far_mailbox))
    same_fault("ParcelInfo", expect_fault("ParcelInfo of a parcel of another network", lambda: svc.ParcelInfo(
        SessionID=sid, ParcelID=a.far_parcel)), a.far_parcel,
        expect_fault("ParcelInfo of a parcel that does not exist", lambda: svc.ParcelInfo(
            SessionID=sid, ParcelID=missing)), missing)
    STEPS.ok()

    STEPS.begin("Logout")
    expect_eq("Logout", svc.Logout(SessionID=sid), True)
    STEPS.ok()

    created(mailboxes=[ma, mb], ecgrid_ids=[ea, eb], outbound=out, inbound=p.ParcelID, upload=upload.decode(),
            delivered=delivered.decode(), nobody=nobody)
    print(f"PASS parcels documented flow SOAP {a.soap}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wsdl", required=True, help="edigrid's WSDL URL (…/ECGridOS.asmx?WSDL)")
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--soap", choices=sorted(PORTS), default="1.1")
    p.add_argument("--far-network", type=int, default=300)
    p.add_argument("--far-mailbox", type=int, default=400)
    p.add_argument("--far-parcel", type=int, required=True, help="a parcel of a mailbox out of the caller's scope")
    run(p.parse_args())


if __name__ == "__main__":
    guard(main)
