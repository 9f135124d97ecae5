"""The directory (SPEC-VAN 13, 14, 19) in the deployed v4.1 dialect, driven by zeep from the
hosted service's own WSDL (loaded offline), the way an integrator whose client was generated
from it would use edigrid: same WSDL, only the endpoint address changed.

    directory_deployed_flow.py --url SOAP-ENDPOINT --login L --password P
        [--wsdl PATH] [--soap 1.1|1.2] [--far-network 300] [--far-mailbox 400]
        [--missing-mailbox 987654]

The caller must be a NetworkAdmin. The flow creates a mailbox, two IDs in it and one in the
caller's own mailbox, a user (raised to MailboxAdmin, then suspended), and terminates the
mailbox. Shapes are checked on the raw XML against the WSDL's declared order. Prints one OK
line per step, a CREATED line (JSON) for the Rust test, and PASS at the end; at the first wrong
answer prints FAIL with what was expected and exits 1.
"""
import argparse
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from deployed_flow import BINDINGS, TNS, items, load_client  # noqa: E402
from directory_common import (  # noqa: E402
    STEPS, access_denied, check, child, children, created, expect_eq, expect_fault, fail, guard,
    near_now, policy_password, result_element, same_fault, soap_call, unique_tag, utc,
)
from lxml import etree  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
WSDL_CANDIDATES = [
    os.path.join(REPO, "crates", "soap", "data", "ECGridOS-v4.1-deployed.wsdl"),
    os.path.join(REPO, "..", "shared", "upstream", "ECGridOS-v4.1-deployed.wsdl"),
]


def default_wsdl():
    for path in WSDL_CANDIDATES:
        if os.path.isfile(path):
            return path
    fail(f"the deployed WSDL is at none of {WSDL_CANDIDATES}")


class Wire:
    """The last response's raw XML, checked against the WSDL's declared types."""

    def __init__(self, client, history):
        self.client = client
        self.history = history

    def zeep_type(self, name):
        return self.client.get_type("{%s}%s" % (TNS, name))

    def result(self, op):
        return result_element(self.history, TNS, f"{op}Result")

    def check_tree(self, what, node, ztype):
        """Every child is declared by `ztype`, in its order, each minOccurs=1 element present,
        all in the deployed namespace; nested complex elements are checked the same way."""
        declared = list(ztype.elements)
        names = [n for n, _ in declared]
        seen = []
        for c in children(node):
            q = etree.QName(c)
            check(q.namespace == TNS, f"{what}: <{q.localname}> in namespace {q.namespace!r}, want {TNS!r}")
            check(q.localname in names, f"{what}: <{q.localname}> is not a field of {ztype.name} {names}")
            seen.append(q.localname)
        positions = [names.index(n) for n in seen]
        check(positions == sorted(positions), f"{what}: fields out of WSDL order: got {seen}, WSDL order {names}")
        for name, elem in declared:
            count = seen.count(name)
            if elem.min_occurs >= 1:
                check(count >= 1, f"{what}: required <{name}> (minOccurs=1) is missing; got {seen}")
            if elem.max_occurs == 1:
                check(count <= 1, f"{what}: <{name}> appears {count} times")
        for c in children(node):
            elem = dict(declared)[etree.QName(c).localname]
            if getattr(elem.type, "elements", None):
                self.check_tree(f"{what}/{etree.QName(c).localname}", c, elem.type)
        return seen


def run(a):
    tag = unique_tag()
    client, _, history = load_client(a.wsdl, a.url)
    svc = client.create_service(BINDINGS[a.soap], a.url)
    wire = Wire(client, history)

    STEPS.begin("Login and WhoAmI")
    sid = soap_call("Login", lambda: svc.Login(LoginName=a.login, Password=a.password))
    me = soap_call("WhoAmI", lambda: svc.WhoAmI(SessionID=sid))
    expect_eq("WhoAmI AuthLevel (this flow runs as a NetworkAdmin)", me.AuthLevel, "NetworkAdmin")
    net = me.NetworkID
    STEPS.ok()

    # -- MailboxAdd, then MailboxInfo: every field of MailboxIDInfo, in WSDL order --
    STEPS.begin("MailboxAdd")
    name = f"Directory Flow {tag}"
    before = utc(soap_call("NowUTC", svc.NowUTC), "NowUTC")
    mbx = soap_call("MailboxAdd", lambda: svc.MailboxAdd(SessionID=sid, Name=name, UserID=me.UserID))
    after = utc(svc.NowUTC(), "NowUTC")
    check(isinstance(mbx, int) and mbx > 0, f"MailboxAdd should return the new MailboxID (> 0), got {mbx!r}")
    check(mbx != me.MailboxID, f"MailboxAdd returned the caller's own mailbox {mbx}")
    STEPS.ok()

    STEPS.begin("MailboxInfo of the new mailbox")
    info = soap_call("MailboxInfo", lambda: svc.MailboxInfo(SessionID=sid, MailboxID=mbx))
    raw = wire.result("MailboxInfo")
    fields = wire.check_tree("MailboxInfoResult", raw, wire.zeep_type("MailboxIDInfo"))
    for name_ in ["Name", "Config"]:
        check(name_ in fields, f"MailboxInfoResult lacks <{name_}> although the mailbox has one; got {fields}")
    expect_eq("MailboxID", info.MailboxID, mbx)
    expect_eq("NetworkID", info.NetworkID, net)
    expect_eq("Name", info.Name, name)
    expect_eq("Status", info.Status, "Active")
    created_at = near_now(utc(info.Created, "Created"), "Created")
    check(before - dt.timedelta(seconds=1) <= created_at <= after + dt.timedelta(seconds=1),
          f"Created {created_at} is not between the NowUTC before ({before}) and after ({after}) MailboxAdd")
    check(info.Modified >= info.Created, f"Modified {info.Modified} is before Created {info.Created}")
    for t in ["Created", "Modified"]:
        text = child(raw, t).text or ""
        check(text.endswith("Z") and "." not in text, f"{t} should be UTC with Z and whole seconds: {text!r}")
    check(info.Description in (None, ""), f"Description of a new mailbox should be empty, got {info.Description!r}")
    expect_eq("Managed", info.Managed, False)
    check(info.UseType in ["Undefined", "Test", "Production", "TestAndProduction"], f"UseType {info.UseType!r}")
    check(isinstance(info.ECGridAccount, bool), f"ECGridAccount not a boolean: {info.ECGridAccount!r}")
    owner = info.OwnerUserID
    check(owner is None or owner.UserID in (0, me.UserID),
          f"OwnerUserID should be the user MailboxAdd named ({me.UserID}), got {owner.UserID if owner else None}")
    cfg = info.Config
    check(isinstance(cfg.InBoxTimeout, int) and cfg.InBoxTimeout >= 0, f"Config.InBoxTimeout {cfg.InBoxTimeout!r}")
    expect_eq("Config delimiters of a new mailbox (0 = the network's)",
              (cfg.SegTerm, cfg.ElmSep, cfg.SubElmSep), (0, 0, 0))
    STEPS.ok()

    STEPS.begin("MailboxX12Delimiters")
    ok = soap_call("MailboxX12Delimiters", lambda: svc.MailboxX12Delimiters(
        SessionID=sid, MailboxID=mbx, SegTerm=126, ElmSep=42, SubElmSep=62))
    expect_eq("MailboxX12Delimiters result", ok, True)
    cfg = svc.MailboxInfo(SessionID=sid, MailboxID=mbx).Config
    check(cfg is not None, "MailboxInfo after MailboxX12Delimiters has no Config")
    expect_eq("Config (SegTerm, ElmSep, SubElmSep) after MailboxX12Delimiters(126 '~', 42 '*', 62 '>')",
              (cfg.SegTerm, cfg.ElmSep, cfg.SubElmSep), (126, 42, 62))
    STEPS.ok()

    # -- trading-partner IDs --
    STEPS.begin("TPAddEx and TPAdd")
    pairs = [("ZZ", f"DIRZZ{tag}", "Flow partner ZZ"), ("01", f"0{tag}1", "Flow partner 01")]
    ecgrid = []
    for q, i, d in pairs:
        e = soap_call(f"TPAddEx {q}:{i}", lambda: svc.TPAddEx(
            SessionID=sid, NetworkID=net, MailboxID=mbx, Qualifier=q, ID=i, Description=d,
            RoutingGroup="ProductionA"))
        check(isinstance(e, int) and e > 0, f"TPAddEx {q}:{i} should return the new ECGridID, got {e!r}")
        ecgrid.append(e)
    check(ecgrid[1] > ecgrid[0], f"ECGridIDs come from a sequence: {ecgrid}")
    own_id = f"DIROWN{tag}"
    own = soap_call("TPAdd", lambda: svc.TPAdd(SessionID=sid, Qualifier="ZZ", ID=own_id, Description="Own"))
    check(isinstance(own, int) and own > ecgrid[1], f"TPAdd should return a new, later ECGridID, got {own!r}")
    STEPS.ok()

    STEPS.begin("TPSearch")
    for (q, i, _), e in [*zip(pairs, ecgrid), (("ZZ", own_id, ""), own)]:
        for variant in [i, i.lower(), i + "   ", i.lower() + " "]:
            hits = items(soap_call("TPSearch", lambda: svc.TPSearch(
                SessionID=sid, Qualifier=q, ID=variant, ShowInactive=False)), "ECGridIDInfo")
            expect_eq(f"TPSearch({q!r}, {variant!r}) ECGridIDs", [h.ECGridID for h in hits], [e])
            expect_eq(f"TPSearch({q!r}, {variant!r}) ID (returned as registered)", hits[0].ID, i)
    STEPS.ok()

    STEPS.begin("TPInfo")
    for (q, i, d), e, default in zip(pairs, ecgrid, [True, False]):
        tp = soap_call("TPInfo", lambda: svc.TPInfo(SessionID=sid, ECGridID=e))
        wire.check_tree("TPInfoResult", wire.result("TPInfo"), wire.zeep_type("ECGridIDInfo"))
        got = (tp.ECGridID, tp.NetworkID, tp.MailboxID, tp.Qualifier, tp.ID, tp.Description, tp.Status)
        expect_eq(f"TPInfo({e}) (ECGridID, NetworkID, MailboxID, Qualifier, ID, Description, Status)",
                  got, (e, net, mbx, q, i, d, "Active"))
        expect_eq(f"TPInfo({e}) MailboxDefault (the mailbox's first ID is its default)", tp.MailboxDefault, default)
        check(tp.MailboxName in (None, name), f"TPInfo MailboxName {tp.MailboxName!r}, want {name!r} or none")
        if tp.OwnerInfo is not None:
            expect_eq(f"TPInfo({e}) OwnerInfo.RoutingGroup", tp.OwnerInfo.RoutingGroup, "ProductionA")
    tp = svc.TPInfo(SessionID=sid, ECGridID=own)
    expect_eq("TPInfo of the TPAdd ID: (NetworkID, MailboxID)", (tp.NetworkID, tp.MailboxID), (net, me.MailboxID))
    STEPS.ok()

    STEPS.begin("duplicate TPAdd")
    q, i, _ = pairs[0]
    expect_fault(f"TPAdd of the taken pair {q}:{i}",
                 lambda: svc.TPAdd(SessionID=sid, Qualifier=q, ID=i, Description="again"), text_has=(i,))
    expect_fault("TPAddEx of the taken pair in other case with trailing spaces",
                 lambda: svc.TPAddEx(SessionID=sid, NetworkID=net, MailboxID=mbx, Qualifier=q.lower(),
                                     ID=i.lower() + "  ", Description="again", RoutingGroup="ProductionA"),
                 text_has=(i,))
    STEPS.ok()

    # -- a user of the new mailbox --
    STEPS.begin("UserAddEx")
    login = f"dir.flow.{tag.lower()}"
    password = policy_password()
    person = dict(FirstName="Dora", LastName=f"Flow{tag}", Company="Flow Co",
                  EMail=f"{login}@example.com", Phone="+1 555 0199", CellPhone="")
    uid = soap_call("UserAddEx", lambda: svc.UserAddEx(
        SessionID=sid, NetworkID=net, MailboxID=mbx, LoginName=login, Password=password,
        RecoveryQuestion="", RecoveryAnswer="", CellCarrier="Undefined", AuthLevel="MailboxUser", **person))
    check(isinstance(uid, int) and uid > 0, f"UserAddEx should return the new UserID, got {uid!r}")
    STEPS.ok()

    STEPS.begin("UserInfobyLogin")
    for spelled in [login, login.upper()]:
        u = soap_call("UserInfobyLogin", lambda: svc.UserInfobyLogin(SessionID=sid, LoginName=spelled))
        wire.check_tree("UserInfobyLoginResult", wire.result("UserInfobyLogin"), wire.zeep_type("UserIDInfo"))
        got = (u.UserID, u.LoginName, u.NetworkID, u.MailboxID, u.AuthLevel, u.Status, u.LockedOut, u.CellCarrier)
        expect_eq(f"UserInfobyLogin({spelled!r}) (UserID, LoginName, NetworkID, MailboxID, AuthLevel, Status, "
                  "LockedOut, CellCarrier)", got, (uid, login, net, mbx, "MailboxUser", "Active", False, "Undefined"))
        for k in ["FirstName", "LastName", "Company", "EMail", "Phone"]:
            expect_eq(f"UserInfobyLogin {k}", getattr(u, k), person[k])
    STEPS.ok()

    STEPS.begin("UserSetAuthLevel")
    access_denied("UserSetAuthLevel to NetOps, above the NetworkAdmin caller",
                  lambda: svc.UserSetAuthLevel(SessionID=sid, UserID=uid, AuthLevel="NetOps"))
    expect_eq("AuthLevel after the refused raise", svc.UserInfobyLogin(SessionID=sid, LoginName=login).AuthLevel,
              "MailboxUser")
    expect_eq("UserSetAuthLevel to MailboxAdmin (below the caller)",
              soap_call("UserSetAuthLevel", lambda: svc.UserSetAuthLevel(SessionID=sid, UserID=uid,
                                                                          AuthLevel="MailboxAdmin")), True)
    expect_eq("AuthLevel after the raise", svc.UserInfobyLogin(SessionID=sid, LoginName=login).AuthLevel,
              "MailboxAdmin")
    STEPS.ok()

    STEPS.begin("UserSuspend")
    user_sid = soap_call("Login as the new user", lambda: svc.Login(LoginName=login, Password=password))
    expect_eq("WhoAmI of the new user", svc.WhoAmI(SessionID=user_sid).UserID, uid)
    expect_eq("UserSuspend", soap_call("UserSuspend", lambda: svc.UserSuspend(SessionID=sid, UserID=uid)), True)
    expect_fault("the suspended user's open session", lambda: svc.WhoAmI(SessionID=user_sid),
                 error_code=1, text_has=("SessionID",))
    expect_fault("Login of the suspended user", lambda: svc.Login(LoginName=login, Password=password),
                 error_code=2, category="Authentication")
    expect_eq("Status after UserSuspend", svc.UserInfobyLogin(SessionID=sid, LoginName=login).Status, "Suspended")
    STEPS.ok()

    # -- lists --
    STEPS.begin("MailboxList and MailboxListEx")
    for label, call in [
        ("MailboxList(Name)", lambda n: svc.MailboxList(SessionID=sid, Name=n)),
        ("MailboxListEx(NetworkID, Name)", lambda n: svc.MailboxListEx(SessionID=sid, NetworkID=net, Name=n)),
    ]:
        for n in [name, name.lower()]:
            found = items(soap_call(label, lambda: call(n)), "MailboxIDInfo")
            expect_eq(f"{label} with Name {n!r}: MailboxIDs", [m.MailboxID for m in found], [mbx])
            expect_eq(f"{label}: Name", found[0].Name, name)
        expect_eq(f"{label} with a name nobody has", items(call(f"nobody {tag}"), "MailboxIDInfo"), [])
    everyone = items(svc.MailboxListEx(SessionID=sid, NetworkID=net, Name=""), "MailboxIDInfo")
    ids = [m.MailboxID for m in everyone]
    check(mbx in ids and me.MailboxID in ids, f"MailboxListEx with an empty Name lists all of network {net}: {ids}")
    check(all(m.NetworkID == net for m in everyone), "MailboxListEx listed a mailbox of another network")
    access_denied(f"MailboxListEx of network {a.far_network}",
                  lambda: svc.MailboxListEx(SessionID=sid, NetworkID=a.far_network, Name=""))
    STEPS.ok()

    STEPS.begin("TPListExPaged")
    pages = []
    for number in [1, 2, 3]:
        col = soap_call("TPListExPaged", lambda: svc.TPListExPaged(
            SessionID=sid, NetworkID=net, MailboxID=mbx, ShowInactive=False, PageSize=1, PageNumber=number))
        wire.check_tree("TPListExPagedResult", wire.result("TPListExPaged"), wire.zeep_type("ECGridIDInfoCollection"))
        listed = items(col.ECGridIDInfoList, "ECGridIDInfo")
        want_count = 1 if number <= 2 else 0
        got = (col.PageSize, col.PageNumber, col.Count, col.TotalRecords, col.TotalPages, len(listed))
        expect_eq(f"page {number} (PageSize, PageNumber, Count, TotalRecords, TotalPages, records)",
                  got, (1, number, want_count, 2, 2, want_count))
        pages += [t.ECGridID for t in listed]
    expect_eq("ECGridIDs over pages 1 and 2", sorted(pages), sorted(ecgrid))
    expect_fault("TPListExPaged with PageSize 501 (at most 500)", lambda: svc.TPListExPaged(
        SessionID=sid, NetworkID=net, MailboxID=mbx, ShowInactive=False, PageSize=501, PageNumber=1),
        category="InvalidParameter", item="PageSize")
    STEPS.ok()

    # -- out of scope: the same fault for another network's mailbox and a missing one --
    STEPS.begin("MailboxInfo out of scope")
    far = access_denied(f"MailboxInfo of mailbox {a.far_mailbox} (network {a.far_network})",
                        lambda: svc.MailboxInfo(SessionID=sid, MailboxID=a.far_mailbox))
    missing = access_denied(f"MailboxInfo of the nonexistent mailbox {a.missing_mailbox}",
                            lambda: svc.MailboxInfo(SessionID=sid, MailboxID=a.missing_mailbox))
    same_fault("MailboxInfo", far, a.far_mailbox, missing, a.missing_mailbox)
    STEPS.ok()

    STEPS.begin("MailboxTerminate")
    expect_eq("MailboxTerminate", soap_call("MailboxTerminate",
                                            lambda: svc.MailboxTerminate(SessionID=sid, MailboxID=mbx)), True)
    expect_eq("MailboxInfo Status after MailboxTerminate", svc.MailboxInfo(SessionID=sid, MailboxID=mbx).Status,
              "Terminated")
    for e in ecgrid:
        expect_eq(f"TPInfo({e}) Status after its mailbox was terminated",
                  svc.TPInfo(SessionID=sid, ECGridID=e).Status, "Terminated")
    q, i, _ = pairs[0]
    expect_eq("TPSearch of a terminated ID with ShowInactive false",
              items(svc.TPSearch(SessionID=sid, Qualifier=q, ID=i, ShowInactive=False), "ECGridIDInfo"), [])
    shown = items(svc.TPSearch(SessionID=sid, Qualifier=q, ID=i, ShowInactive=True), "ECGridIDInfo")
    expect_eq("TPSearch with ShowInactive true: (ECGridID, Status)",
              [(t.ECGridID, t.Status) for t in shown], [(ecgrid[0], "Terminated")])
    expect_eq("TPInfo of the caller's own ID after another mailbox's termination",
              svc.TPInfo(SessionID=sid, ECGridID=own).Status, "Active")
    STEPS.ok()

    STEPS.begin("Logout")
    check(isinstance(svc.Logout(SessionID=sid), int), "Logout result is not an int")
    STEPS.ok()

    created(mailbox=mbx, name=name, ecgrid_ids=ecgrid, pairs=[[q, i] for q, i, _ in pairs],
            own_ecgrid_id=own, own_id=own_id, user=uid, login=login)
    print(f"PASS directory deployed flow SOAP {a.soap}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="edigrid's SOAP endpoint (/v4.1/prod/ECGridOS.asmx)")
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--wsdl", help="the deployed WSDL (default: the repository's copy)")
    p.add_argument("--soap", choices=sorted(BINDINGS), default="1.1")
    p.add_argument("--far-network", type=int, default=300)
    p.add_argument("--far-mailbox", type=int, default=400)
    p.add_argument("--missing-mailbox", type=int, default=987654)
    a = p.parse_args()
    a.wsdl = a.wsdl or default_wsdl()
    run(a)


if __name__ == "__main__":
    guard(main)
