"""Parcels and interchanges (SPEC-VAN 15–19) in the deployed v4.1 dialect, driven by zeep from
the hosted service's own WSDL (loaded offline) with only the endpoint changed: what an
integrator's existing client does against edigrid.

    parcels_deployed_flow.py --url SOAP-ENDPOINT --login L --password P [--wsdl PATH]
        [--soap 1.1|1.2]

The caller must be a NetworkAdmin. The flow makes two mailboxes, A and B, each with an ID and
a MailboxUser, then three rounds: an X12 file, an EDIFACT file (ParcelUpload/ParcelDownload)
and an X12 file through ParcelUploadA/ParcelDownloadA. Each file holds three interchanges from
A's ID, two to B's and one to an ID nobody has. B's inbox must list one parcel holding the two,
its record and manifest must say so, the download must be those bytes exactly, and after the
confirmation the parcel must be in B's archive and gone from the inbox; A's error list and
no-route list must show the third with its reason. Shapes are checked on the raw XML against
the WSDL's order. Prints OK per step, a CREATED line (JSON) for the Rust test, PASS at the end;
FAIL with what was expected at the first wrong answer.
"""
import argparse
import base64
import datetime as dt
import os
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from deployed_flow import BINDINGS, TNS, items, load_client  # noqa: E402
from directory_common import (  # noqa: E402
    STEPS, check, created, expect_eq, expect_fault, guard, policy_password, soap_call, unique_tag,
)
from directory_deployed_flow import Wire, default_wsdl  # noqa: E402

OPEN = dt.datetime(1, 1, 1)


# ---- the files ----------------------------------------------------------------------------------


def x12(sender, receiver, control):
    """One X12 interchange (an 850) from ZZ:sender to ZZ:receiver, ISA exactly 106 bytes."""
    isa = ("ISA*00*" + " " * 10 + "*00*" + " " * 10 + f"*ZZ*{sender:<15}*ZZ*{receiver:<15}"
           f"*240101*1200*U*00401*{control:09d}*0*P*>~")
    assert len(isa) == 106, len(isa)
    group = control % 1000000
    return (isa + f"GS*PO*{sender}*{receiver}*20240101*1200*{group}*X*004010~ST*850*0001~"
            f"BEG*00*SA*PO{control}**20240101~SE*3*0001~GE*1*{group}~IEA*1*{control:09d}~")


def edifact(sender, receiver, control):
    """One EDIFACT interchange (an ORDERS) from sender:ZZ to receiver:ZZ."""
    ref = f"R{control}"
    return (f"UNA:+.? 'UNB+UNOA:2+{sender}:ZZ+{receiver}:ZZ+240101:1200+{ref}'"
            f"UNH+1+ORDERS:D:96A:UN'BGM+220+PO{control}+9'UNT+3+1'UNZ+1+{ref}'")


def control_of(standard, control):
    return f"{control:09d}" if standard == "X12" else f"R{control}"


# ---- the flow -----------------------------------------------------------------------------------


def setup(svc, sid, net, tag):
    """Two mailboxes, each with an ID and a MailboxUser logged in: [(mailbox, ecgrid, id, sid)]."""
    boxes = []
    for side in ["A", "B"]:
        STEPS.begin(f"mailbox {side}")
        mbx = soap_call("MailboxAdd", lambda: svc.MailboxAdd(
            SessionID=sid, Name=f"Parcels {side} {tag}", UserID=0))
        pair = f"P{side}{tag}"
        ecgrid = soap_call("TPAddEx", lambda: svc.TPAddEx(
            SessionID=sid, NetworkID=net, MailboxID=mbx, Qualifier="ZZ", ID=pair,
            Description=f"Parcels {side}", RoutingGroup="ProductionA"))
        login, password = f"parcels.{side.lower()}.{tag.lower()}", policy_password()
        soap_call("UserAddEx", lambda: svc.UserAddEx(
            SessionID=sid, NetworkID=net, MailboxID=mbx, LoginName=login, Password=password,
            FirstName="Pat", LastName=f"Parcel{side}", Company="Parcel Co",
            EMail=f"{login}@example.com", Phone="", CellPhone="", CellCarrier="Undefined",
            RecoveryQuestion="", RecoveryAnswer="", AuthLevel="MailboxUser"))
        user_sid = soap_call(f"Login as {login}", lambda: svc.Login(LoginName=login, Password=password))
        boxes.append((mbx, ecgrid, pair, user_sid))
        STEPS.ok()
    return boxes


def one_round(svc, wire, a, b, standard, a_forms, nobody):
    """Uploads three interchanges as A, follows them to B's archive and A's error lists.
    Returns (outbound ParcelID, inbound ParcelID)."""
    (mbx_a, _, pair_a, sid_a), (mbx_b, ecgrid_b, pair_b, sid_b) = a, b
    how = f"{standard} {'A forms' if a_forms else 'base64Binary'}"
    make = x12 if standard == "X12" else edifact
    base = secrets.randbelow(10 ** 8) * 10
    controls = [base + 1, base + 2, base + 3]
    ics = [make(pair_a, pair_b, controls[0]), make(pair_a, pair_b, controls[1]),
           make(pair_a, nobody, controls[2])]
    content = ("\n".join(ics) + "\n").encode()
    delivered = (ics[0] + ics[1]).encode()
    name = f"three-{standard.lower()}.edi"

    STEPS.begin(f"{how}: upload")
    if a_forms:
        out = soap_call("ParcelUploadA", lambda: svc.ParcelUploadA(
            SessionID=sid_a, FileName=name, ContentBase64=base64.b64encode(content).decode()))
    else:
        out = soap_call("ParcelUpload", lambda: svc.ParcelUpload(
            SessionID=sid_a, FileName=name, Bytes=len(content), Content=content))
    check(isinstance(out, int) and out > 0, f"the upload should return the new ParcelID, got {out!r}")
    STEPS.ok()

    STEPS.begin(f"{how}: B's ParcelInBox")
    col = soap_call("ParcelInBox", lambda: svc.ParcelInBox(SessionID=sid_b))
    wire.check_tree("ParcelInBoxResult", wire.result("ParcelInBox"), wire.zeep_type("ParcelIDInfoCollection"))
    listed = items(col.ParcelIDInfoList, "ParcelIDInfo")
    expect_eq("B's inbox: (Count, TotalRecords, records)", (col.Count, col.TotalRecords, len(listed)), (1, 1, 1))
    p = listed[0]
    pid = p.ParcelID
    check(pid != out, f"the inbound parcel has its own ParcelID, not the upload's {out}")
    expect_eq("inbox record (MailboxIDFrom, MailboxIDTo, Direction, StatusCode, FileName)",
              (p.MailboxIDFrom, p.MailboxIDTo, p.Direction, p.StatusCode, p.FileName),
              (mbx_a, mbx_b, "InBox", "InBoxReady", name))
    STEPS.ok()

    STEPS.begin(f"{how}: ParcelInfo and ParcelManifest")
    info = soap_call("ParcelInfo", lambda: svc.ParcelInfo(SessionID=sid_b, ParcelID=pid))
    fields = wire.check_tree("ParcelInfoResult", wire.result("ParcelInfo"), wire.zeep_type("ParcelIDInfo"))
    expect_eq("ParcelInfo: the last element", fields[-1], "ParcelID")
    expect_eq("ParcelInfo (ParcelID, StatusCode, Valid, Direction, ActualBytes)",
              (info.ParcelID, info.StatusCode, info.Valid, info.Direction, info.ActualBytes),
              (pid, "InBoxReady", "Valid", "InBox", len(delivered)))
    check(info.StatusMessage, "ParcelInfo StatusMessage should say the state in a sentence")
    held = items(info.Interchanges, "InterchangeIDInfo")
    expect_eq("ParcelInfo interchanges (control numbers)", [i.InterchangeControlID for i in held],
              [control_of(standard, c) for c in controls[:2]])
    for i in held:
        expect_eq("interchange Standard", i.Standard, standard)
        expect_eq("interchange TPTo.ECGridID", i.TPTo.ECGridID if i.TPTo else None, ecgrid_b)
    check(items(info.Log, "ManifestInfo"), "ParcelInfo Log (the manifest) is empty")
    manifest = items(soap_call("ParcelManifest", lambda: svc.ParcelManifest(SessionID=sid_b, ParcelID=pid)),
                     "ManifestInfo")
    check(manifest, "ParcelManifest is empty")
    check(all(m.ParcelID == pid for m in manifest), f"ParcelManifest lines of another parcel: {manifest}")
    STEPS.ok()

    STEPS.begin(f"{how}: download")
    if a_forms:
        f = soap_call("ParcelDownloadA", lambda: svc.ParcelDownloadA(SessionID=sid_b, ParcelID=pid))
        got = base64.b64decode(f.ContentBase64String or "")
        check(f.Content is None, "ParcelDownloadA should fill ContentBase64String only")
    else:
        f = soap_call("ParcelDownload", lambda: svc.ParcelDownload(SessionID=sid_b, ParcelID=pid))
        got = f.Content
    wire.check_tree("FileInfo", wire.result("ParcelDownloadA" if a_forms else "ParcelDownload"),
                    wire.zeep_type("FileInfo"))
    expect_eq("downloaded bytes (the two interchanges for B, exactly)", got, delivered)
    expect_eq("FileInfo (ParcelID, FileName, Bytes, Standard)", (f.ParcelID, f.FileName, f.Bytes, f.Standard),
              (pid, name, len(delivered), standard))
    expect_eq("StatusCode after the download", svc.ParcelInfo(SessionID=sid_b, ParcelID=pid).StatusCode,
              "InBoxTransferred")
    STEPS.ok()

    STEPS.begin(f"{how}: confirm")
    expect_eq("ParcelDownloadConfirm", soap_call("ParcelDownloadConfirm",
                                                 lambda: svc.ParcelDownloadConfirm(SessionID=sid_b, ParcelID=pid)), True)
    col = svc.ParcelInBox(SessionID=sid_b)
    expect_eq("B's inbox after the confirmation", items(col.ParcelIDInfoList, "ParcelIDInfo"), [])
    arch = soap_call("ParcelInBoxArchive", lambda: svc.ParcelInBoxArchive(
        SessionID=sid_b, BeginDate=OPEN, EndDate=OPEN, ECGridIDFrom=0, ECGridIDTo=0, MailbagControlID="",
        PageNo=1, RecordsPerPage=100))
    wire.check_tree("ParcelInBoxArchiveResult", wire.result("ParcelInBoxArchive"),
                    wire.zeep_type("ParcelIDInfoCollection"))
    archived = items(arch.ParcelIDInfoList, "ParcelIDInfo")
    expect_eq("the newest archived parcel (archives are newest first)", archived[0].ParcelID if archived else None, pid)
    expect_eq("its StatusCode", archived[0].StatusCode, "InBoxArchived")
    STEPS.ok()

    STEPS.begin(f"{how}: A's error lists")
    errors = items(soap_call("ParcelOutBoxError", lambda: svc.ParcelOutBoxError(
        SessionID=sid_a, BeginDate=OPEN, EndDate=OPEN)).ParcelIDInfoList, "ParcelIDInfo")
    mine = [e for e in errors if e.ParcelID == out]
    check(mine, f"ParcelOutBoxError does not list the upload {out}: {[e.ParcelID for e in errors]}")
    expect_eq("the upload (Direction, StatusCode)", (mine[0].Direction, mine[0].StatusCode),
              ("OutBox", "outboxDeliveryError"))
    no_route = items(soap_call("InterchangeOutBoxNoRoute", lambda: svc.InterchangeOutBoxNoRoute(
        SessionID=sid_a, BeginDate=OPEN, EndDate=OPEN, ECGridIDFrom=0, ECGridIDTo=0)), "InterchangeIDInfo")
    third = [i for i in no_route if i.InterchangeControlID == control_of(standard, controls[2])]
    check(len(third) == 1, f"InterchangeOutBoxNoRoute should list the third interchange once: "
          f"{[i.InterchangeControlID for i in no_route]}")
    expect_eq("its StatusCode", third[0].StatusCode, "NoRoute")
    check(third[0].StatusMessage, "InterchangeOutBoxNoRoute: the third interchange has no reason")
    STEPS.ok()
    return out, pid


def run(a):
    tag = unique_tag()
    client, _, history = load_client(a.wsdl, a.url)
    svc = client.create_service(BINDINGS[a.soap], a.url)
    wire = Wire(client, history)

    STEPS.begin("Login and WhoAmI")
    sid = soap_call("Login", lambda: svc.Login(LoginName=a.login, Password=a.password))
    me = soap_call("WhoAmI", lambda: svc.WhoAmI(SessionID=sid))
    expect_eq("WhoAmI AuthLevel (this flow runs as a NetworkAdmin)", me.AuthLevel, "NetworkAdmin")
    STEPS.ok()
    box_a, box_b = setup(svc, sid, me.NetworkID, tag)

    nobody = f"NOBODY{tag}"
    rounds = []
    for standard, a_forms in [("X12", False), ("EDIFACT", False), ("X12", True)]:
        rounds.append(one_round(svc, wire, box_a, box_b, standard, a_forms, nobody))

    STEPS.begin("refusals")
    expect_fault("B's ParcelInfo of A's upload", lambda: svc.ParcelInfo(SessionID=box_b[3], ParcelID=rounds[0][0]))
    expect_fault("ParcelUpload with a wrong Bytes", lambda: svc.ParcelUpload(
        SessionID=box_a[3], FileName="x", Bytes=99, Content=b"ISA"), category="InvalidParameter")
    STEPS.ok()

    for s in [box_a[3], box_b[3], sid]:
        svc.Logout(SessionID=s)
    created(mailboxes=[box_a[0], box_b[0]], ecgrid_ids=[box_a[1], box_b[1]],
            outbound=[r[0] for r in rounds], inbound=[r[1] for r in rounds])
    print(f"PASS parcels deployed flow SOAP {a.soap}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="edigrid's SOAP endpoint (/v4.1/prod/ECGridOS.asmx)")
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--wsdl", help="the deployed WSDL (default: the repository's copy)")
    p.add_argument("--soap", choices=sorted(BINDINGS), default="1.1")
    a = p.parse_args()
    a.wsdl = a.wsdl or default_wsdl()
    run(a)


if __name__ == "__main__":
    guard(main)
