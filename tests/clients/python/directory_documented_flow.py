"""The directory (SPEC-VAN 13, 14, 19) in the documented SOAP dialect (`http://www.ecgridos.net/`,
the signatures of ecgrid-docs soap-api/{networks,mailboxes,ids,users}), driven by zeep from
edigrid's own WSDL (`?WSDL`), the way an integrator who generated a client from it would.

    directory_documented_flow.py --wsdl URL --login L --password P [--soap 1.1|1.2]
        [--network-name TEXT] [--far-network 300] [--missing-network 987654]

The caller must be a NetworkAdmin. First checks that the WSDL has every documented operation
the flow uses, with the documented parameters in order and the documented result type (and
lists all that differ at once); then creates two mailboxes, two IDs, a user (raised to
MailboxAdmin, then suspended), and pages through lists. The documented dialect has no mailbox
termination operation, so none is attempted. Prints one OK line per step, a CREATED line (JSON)
for the Rust test, and PASS at the end; at the first wrong answer prints FAIL and exits 1.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from directory_common import (  # noqa: E402
    STEPS, access_denied, check, check_order, children, created, expect_eq, expect_fault, guard, near_now,
    policy_password, result_element, same_fault, soap_call, subsequence, unique_tag, utc,
)
from zeep import Client  # noqa: E402
from zeep.exceptions import LookupError as ZeepLookupError  # noqa: E402
from zeep.plugins import HistoryPlugin  # noqa: E402

NS = "http://www.ecgridos.net/"
PORTS = {"1.1": "ECGridOSPort", "1.2": "ECGridOSPort12"}

# Operation: (parameters in the documented order, documented result type).
DOC_OPS = {
    "NetworkInfo": (["SessionID", "NetworkID"], "NetworkIDInfo"),
    "NetworkList": (["SessionID", "NetworkID", "Status", "PageNo", "RecordsPerPage"], "ArrayOfNetworkIDInfo"),
    "NetworkAdd": (["SessionID", "UniqueID", "CompanyName", "Address1", "Address2", "City", "State", "Zip",
                    "Phone", "AdminEmail"], "NetworkIDInfo"),
    "MailboxAdd": (["SessionID", "NetworkID", "UniqueID", "CompanyName", "Address1", "Address2", "City", "State",
                    "Zip", "Phone", "AdminEmail"], "MailboxIDInfo"),
    "MailboxInfo": (["SessionID", "MailboxID"], "MailboxIDInfo"),
    "MailboxX12Delimiters": (["SessionID", "MailboxID", "ElementDelimiter", "SubElementDelimiter",
                              "SegmentTerminator"], "MailboxIDInfo"),
    "MailboxConfig": (["SessionID", "MailboxID", "DeleteOnDownload", "InBoxTimeout", "Managed", "NotifyEmail",
                       "NotifyOnInBox"], "MailboxIDInfo"),
    "MailboxList": (["SessionID", "NetworkID", "Status", "PageNo", "RecordsPerPage"], "ArrayOfMailboxIDInfo"),
    "TPAdd": (["SessionID", "NetworkID", "MailboxID", "Qualifier", "ID", "Description", "RoutingGroup",
               "EDIStandard"], "ECGridIDInfo"),
    "TPSearch": (["SessionID", "Qualifier", "ID"], "ArrayOfECGridIDInfo"),
    "TPInfo": (["SessionID", "ECGridID"], "ECGridIDInfo"),
    "ECGridIDInfo": (["SessionID", "ECGridID"], "ECGridIDInfo"),
    "TPList": (["SessionID", "NetworkID", "MailboxID", "Status", "PageNo", "RecordsPerPage"], "ArrayOfECGridIDInfo"),
    "UserAdd": (["SessionID", "NetworkID", "MailboxID", "Login", "Password", "FirstName", "LastName", "Email",
                 "AuthLevel"], "UserIDInfo"),
    "UserInfo": (["SessionID", "UserID"], "UserIDInfo"),
    "UserSetAuthLevel": (["SessionID", "UserID", "NetworkID", "MailboxID", "AuthLevel"], "UserIDInfo"),
    "UserSuspend": (["SessionID", "UserID"], "boolean"),
}

# The fields each documented record has, in the documented order (edigrid may add more).
DOC_TYPES = {
    "NetworkIDInfo": ["NetworkID", "UniqueID", "CompanyName", "Status", "Created", "Modified"],
    "MailboxIDInfo": ["MailboxID", "NetworkID", "UniqueID", "CompanyName", "Status", "Created", "Modified"],
    "ECGridIDInfo": ["ECGridID", "MailboxID", "NetworkID", "Qualifier", "ID", "Description", "Status",
                     "RoutingGroup", "EDIStandard"],
    # SPEC section 4 fixes the head of UserIDInfo (WhoAmI); the user pages add names and e-mail.
    "UserIDInfo": ["UserID", "Login", "NetworkID", "MailboxID", "AuthLevel"],
}


def check_wsdl(client):
    """Every documented operation the flow uses, with its parameters and result type."""
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
        rtype = outs[0][1].type if outs else None
        rname = getattr(rtype, "name", None) or getattr(getattr(rtype, "qname", None), "localname", None)
        if rname != result:
            problems.append(f"{op}: result type {rname}, documented {result}")
    for tname, fields in DOC_TYPES.items():
        try:
            declared = [n for n, _ in client.get_type("{%s}%s" % (NS, tname)).elements]
        except ZeepLookupError:
            problems.append(f"type {tname}: missing")
            continue
        if not subsequence(fields, declared):
            problems.append(f"type {tname}: fields {declared} lack {fields} in this order")
    check(not problems, "edigrid's WSDL differs from the documented signatures:\n  " + "\n  ".join(problems))


class Shapes:
    def __init__(self, client, history):
        self.client, self.history = client, history

    def declared(self, tname):
        return [n for n, _ in self.client.get_type("{%s}%s" % (NS, tname)).elements]

    def record(self, op, tname, required):
        """The last response's `{op}Result` has the type's fields in its declared order."""
        node = result_element(self.history, NS, f"{op}Result")
        return check_order(f"{op}Result", node, NS, self.declared(tname), required)

    def records(self, op, tname, required):
        node = result_element(self.history, NS, f"{op}Result")
        for item in children(node):
            check_order(f"{op}Result/{tname}", item, NS, self.declared(tname), required)


def email_of(user):
    """SPEC section 4 names the field EMail; the user pages say Email. Either is read."""
    return getattr(user, "EMail", None) if hasattr(user, "EMail") else getattr(user, "Email", None)


def fields(obj, names):
    return {n: getattr(obj, n) for n in names}


def run(a):
    tag = unique_tag()
    history = HistoryPlugin()
    client = Client(a.wsdl, plugins=[history])
    STEPS.begin("WSDL has the documented operations")
    check_wsdl(client)
    svc = client.bind("ECGridOS", PORTS[a.soap])
    shapes = Shapes(client, history)
    STEPS.ok()

    STEPS.begin("Login and WhoAmI")
    sid = soap_call("Login", lambda: svc.Login(UserName=a.login, Password=a.password,
                                               SenderSolution="directory_documented_flow"))
    me = soap_call("WhoAmI", lambda: svc.WhoAmI(SessionID=sid))
    expect_eq("WhoAmI AuthLevel (this flow runs as a NetworkAdmin)", me.AuthLevel, "NetworkAdmin")
    net = me.NetworkID
    STEPS.ok()

    STEPS.begin("NetworkInfo and NetworkList")
    n = soap_call("NetworkInfo", lambda: svc.NetworkInfo(SessionID=sid, NetworkID=net))
    shapes.record("NetworkInfo", "NetworkIDInfo", ["NetworkID", "CompanyName", "Status", "Created", "Modified"])
    expect_eq("NetworkInfo (NetworkID, Status)", (n.NetworkID, n.Status), (net, "Active"))
    if a.network_name:
        expect_eq("NetworkInfo CompanyName (the network's name)", n.CompanyName, a.network_name)
    utc(n.Created, "NetworkInfo Created")
    far = access_denied(f"NetworkInfo of network {a.far_network}",
                        lambda: svc.NetworkInfo(SessionID=sid, NetworkID=a.far_network))
    missing = access_denied(f"NetworkInfo of the nonexistent network {a.missing_network}",
                            lambda: svc.NetworkInfo(SessionID=sid, NetworkID=a.missing_network))
    same_fault("NetworkInfo", far, a.far_network, missing, a.missing_network)
    listed = soap_call("NetworkList", lambda: svc.NetworkList(
        SessionID=sid, NetworkID=0, Status="Active", PageNo=1, RecordsPerPage=10)) or []
    expect_eq("NetworkList(0 = all accessible) for a NetworkAdmin", [x.NetworkID for x in listed], [net])
    access_denied("NetworkAdd by a NetworkAdmin (Root and TechOps only)", lambda: svc.NetworkAdd(
        SessionID=sid, UniqueID=f"N{tag}", CompanyName="Not Allowed", Address1="1 Road", Address2="",
        City="Town", State="ST", Zip="00000", Phone="555", AdminEmail="no@example.com"))
    STEPS.ok()

    STEPS.begin("MailboxAdd")
    address = dict(Address1="789 Commerce Dr", Address2="Suite 400", City="Chicago", State="IL", Zip="60601",
                   Phone="312-555-9000", AdminEmail=f"admin.{tag.lower()}@example.com")
    boxes = []
    for k, unique in enumerate([f"DOC{tag}", f"DOC2{tag}"]):
        company = f"Documented Flow {k + 1} {tag}"
        m = soap_call("MailboxAdd", lambda: svc.MailboxAdd(
            SessionID=sid, NetworkID=net, UniqueID=unique, CompanyName=company, **address))
        shapes.record("MailboxAdd", "MailboxIDInfo", DOC_TYPES["MailboxIDInfo"])
        check(isinstance(m.MailboxID, int) and m.MailboxID > 0, f"MailboxAdd MailboxID {m.MailboxID!r}")
        expect_eq("MailboxAdd (NetworkID, UniqueID, CompanyName, Status)",
                  (m.NetworkID, m.UniqueID, m.CompanyName, m.Status), (net, unique, company, "Active"))
        near_now(utc(m.Created, "Created"), "Created")
        check(m.Modified >= m.Created, f"Modified {m.Modified} before Created {m.Created}")
        boxes.append(m)
    m1, m2 = boxes
    check(m2.MailboxID != m1.MailboxID, "two MailboxAdd calls returned the same MailboxID")
    expect_fault("MailboxAdd with a UniqueID taken in the network (other case)", lambda: svc.MailboxAdd(
        SessionID=sid, NetworkID=net, UniqueID=m1.UniqueID.lower(), CompanyName="Duplicate", **address))
    access_denied(f"MailboxAdd in network {a.far_network}", lambda: svc.MailboxAdd(
        SessionID=sid, NetworkID=a.far_network, UniqueID=f"FAR{tag}", CompanyName="Far", **address))
    STEPS.ok()

    STEPS.begin("MailboxInfo")
    info = soap_call("MailboxInfo", lambda: svc.MailboxInfo(SessionID=sid, MailboxID=m1.MailboxID))
    shapes.record("MailboxInfo", "MailboxIDInfo", DOC_TYPES["MailboxIDInfo"])
    expect_eq("MailboxInfo vs MailboxAdd's record", fields(info, DOC_TYPES["MailboxIDInfo"]),
              fields(m1, DOC_TYPES["MailboxIDInfo"]))
    STEPS.ok()

    STEPS.begin("MailboxX12Delimiters and MailboxConfig")
    x = soap_call("MailboxX12Delimiters", lambda: svc.MailboxX12Delimiters(
        SessionID=sid, MailboxID=m1.MailboxID, ElementDelimiter="*", SubElementDelimiter=">", SegmentTerminator="~"))
    shapes.record("MailboxX12Delimiters", "MailboxIDInfo", DOC_TYPES["MailboxIDInfo"])
    expect_eq("MailboxX12Delimiters (MailboxID, UniqueID, Status)", (x.MailboxID, x.UniqueID, x.Status),
              (m1.MailboxID, m1.UniqueID, "Active"))
    check(x.Modified >= m1.Modified, f"Modified went back: {x.Modified} < {m1.Modified}")
    expect_fault("MailboxX12Delimiters with a two-character ElementDelimiter", lambda: svc.MailboxX12Delimiters(
        SessionID=sid, MailboxID=m1.MailboxID, ElementDelimiter="**", SubElementDelimiter=">", SegmentTerminator="~"),
        category="InvalidParameter", item="ElementDelimiter")
    notify = f"notify.{tag.lower()}@example.com"
    c = soap_call("MailboxConfig", lambda: svc.MailboxConfig(
        SessionID=sid, MailboxID=m1.MailboxID, DeleteOnDownload=False, InBoxTimeout=30, Managed=False,
        NotifyEmail=notify, NotifyOnInBox=True))
    expect_eq("MailboxConfig MailboxID", c.MailboxID, m1.MailboxID)
    STEPS.ok()

    STEPS.begin("TPAdd")
    doc_id = DOC_TYPES["ECGridIDInfo"]
    pairs = [("ZZ", f"DOCZZ{tag}", "Documented ZZ"), ("01", f"1{tag}0", "Documented 01")]
    tps = []
    for q, i, d in pairs:
        tp = soap_call(f"TPAdd {q}:{i}", lambda: svc.TPAdd(
            SessionID=sid, NetworkID=net, MailboxID=m1.MailboxID, Qualifier=q, ID=i, Description=d,
            RoutingGroup="ProductionA", EDIStandard="X12"))
        shapes.record("TPAdd", "ECGridIDInfo", doc_id)
        check(isinstance(tp.ECGridID, int) and tp.ECGridID > 0, f"TPAdd ECGridID {tp.ECGridID!r}")
        expect_eq(f"TPAdd {q}:{i} (MailboxID, NetworkID, Qualifier, ID, Description, Status, RoutingGroup, "
                  "EDIStandard)", tuple(getattr(tp, f) for f in doc_id[1:]),
                  (m1.MailboxID, net, q, i, d, "Active", "ProductionA", "X12"))
        tps.append(tp)
    e1, e2 = (t.ECGridID for t in tps)
    check(e2 > e1, f"ECGridIDs come from a sequence: {e1}, {e2}")
    q, i, _ = pairs[0]
    expect_fault(f"TPAdd of the taken pair {q}:{i}", lambda: svc.TPAdd(
        SessionID=sid, NetworkID=net, MailboxID=m2.MailboxID, Qualifier=q.lower(), ID=i.lower() + " ",
        Description="again", RoutingGroup="ProductionA", EDIStandard="X12"), text_has=(i,))
    STEPS.ok()

    STEPS.begin("TPSearch, TPInfo and ECGridIDInfo")
    for (q, i, _), tp in zip(pairs, tps):
        want = fields(tp, doc_id)
        for variant in [i, i.lower() + "  "]:
            hits = soap_call("TPSearch", lambda: svc.TPSearch(SessionID=sid, Qualifier=q, ID=variant)) or []
            expect_eq(f"TPSearch({q!r}, {variant!r})", [fields(h, doc_id) for h in hits], [want])
        for op in ["TPInfo", "ECGridIDInfo"]:
            got = soap_call(op, lambda: getattr(svc, op)(SessionID=sid, ECGridID=tp.ECGridID))
            shapes.record(op, "ECGridIDInfo", doc_id)
            expect_eq(f"{op}({tp.ECGridID}) vs TPAdd's record", fields(got, doc_id), want)
    STEPS.ok()

    STEPS.begin("UserAdd and UserInfo")
    login = f"doc.flow.{tag.lower()}"
    password = policy_password()
    email = f"{login}@example.com"
    u = soap_call("UserAdd", lambda: svc.UserAdd(
        SessionID=sid, NetworkID=net, MailboxID=m1.MailboxID, Login=login, Password=password, FirstName="Jane",
        LastName=f"Doe{tag}", Email=email, AuthLevel="MailboxUser"))
    shapes.record("UserAdd", "UserIDInfo", DOC_TYPES["UserIDInfo"])
    check(isinstance(u.UserID, int) and u.UserID > 0, f"UserAdd UserID {u.UserID!r}")
    want_user = (u.UserID, login, net, m1.MailboxID, "MailboxUser", "Active", "Jane", f"Doe{tag}", email)

    def user_tuple(x):
        return (x.UserID, x.Login, x.NetworkID, x.MailboxID, x.AuthLevel, x.Status, x.FirstName, x.LastName,
                email_of(x))

    expect_eq("UserAdd (UserID, Login, NetworkID, MailboxID, AuthLevel, Status, FirstName, LastName, Email)",
              user_tuple(u), want_user)
    got = soap_call("UserInfo", lambda: svc.UserInfo(SessionID=sid, UserID=u.UserID))
    shapes.record("UserInfo", "UserIDInfo", DOC_TYPES["UserIDInfo"])
    expect_eq("UserInfo", user_tuple(got), want_user)
    STEPS.ok()

    STEPS.begin("UserSetAuthLevel")
    access_denied("UserSetAuthLevel to NetOps, above the NetworkAdmin caller", lambda: svc.UserSetAuthLevel(
        SessionID=sid, UserID=u.UserID, NetworkID=net, MailboxID=m1.MailboxID, AuthLevel="NetOps"))
    expect_eq("AuthLevel after the refused raise", svc.UserInfo(SessionID=sid, UserID=u.UserID).AuthLevel,
              "MailboxUser")
    raised = soap_call("UserSetAuthLevel", lambda: svc.UserSetAuthLevel(
        SessionID=sid, UserID=u.UserID, NetworkID=net, MailboxID=m1.MailboxID, AuthLevel="MailboxAdmin"))
    expect_eq("UserSetAuthLevel to MailboxAdmin: (UserID, AuthLevel)", (raised.UserID, raised.AuthLevel),
              (u.UserID, "MailboxAdmin"))
    STEPS.ok()

    STEPS.begin("UserSuspend")
    user_sid = soap_call("Login as the new user", lambda: svc.Login(UserName=login, Password=password))
    expect_eq("UserSuspend", soap_call("UserSuspend", lambda: svc.UserSuspend(SessionID=sid, UserID=u.UserID)), True)
    expect_fault("the suspended user's open session", lambda: svc.WhoAmI(SessionID=user_sid),
                 error_code=1, text_has=("SessionID",))
    expect_fault("Login of the suspended user", lambda: svc.Login(UserName=login, Password=password),
                 error_code=2, category="Authentication")
    expect_eq("UserInfo Status after UserSuspend", svc.UserInfo(SessionID=sid, UserID=u.UserID).Status, "Suspended")
    STEPS.ok()

    STEPS.begin("MailboxList paging")
    seen = []
    for page in range(1, 30):
        got = soap_call("MailboxList", lambda: svc.MailboxList(
            SessionID=sid, NetworkID=net, Status="Active", PageNo=page, RecordsPerPage=1)) or []
        shapes.records("MailboxList", "MailboxIDInfo", DOC_TYPES["MailboxIDInfo"])
        check(len(got) <= 1, f"MailboxList page {page} with RecordsPerPage 1 has {len(got)} records")
        if not got:
            break
        check(got[0].NetworkID == net and got[0].Status == "Active", f"MailboxList page {page}: {got[0]}")
        seen.append(got[0].MailboxID)
    check(len(seen) >= 3, f"MailboxList pages 1.. should list at least the caller's and both new mailboxes: {seen}")
    check(seen[0] != seen[1], f"pages 1 and 2 list the same mailbox {seen[0]}")
    check(len(set(seen)) == len(seen), f"a mailbox listed on two pages: {seen}")
    for want in [me.MailboxID, m1.MailboxID, m2.MailboxID]:
        check(want in seen, f"mailbox {want} is on no page of MailboxList: {seen}")
    expect_fault("MailboxList with RecordsPerPage 501 (at most 500)", lambda: svc.MailboxList(
        SessionID=sid, NetworkID=net, Status="Active", PageNo=1, RecordsPerPage=501),
        category="InvalidParameter", item="RecordsPerPage", text_has=("RecordsPerPage",))
    access_denied(f"MailboxList of network {a.far_network}", lambda: svc.MailboxList(
        SessionID=sid, NetworkID=a.far_network, Status="Active", PageNo=1, RecordsPerPage=10))
    STEPS.ok()

    STEPS.begin("TPList paging")
    pages = []
    for page in [1, 2, 3]:
        got = soap_call("TPList", lambda: svc.TPList(
            SessionID=sid, NetworkID=net, MailboxID=m1.MailboxID, Status="Active", PageNo=page,
            RecordsPerPage=1)) or []
        expect_eq(f"TPList page {page} record count", len(got), 1 if page <= 2 else 0)
        pages += [t.ECGridID for t in got]
    expect_eq("TPList pages 1 and 2 (different IDs, together the mailbox's two)", sorted(pages), sorted([e1, e2]))
    expect_fault("TPList with RecordsPerPage 501 (at most 500)", lambda: svc.TPList(
        SessionID=sid, NetworkID=net, MailboxID=m1.MailboxID, Status="Active", PageNo=1, RecordsPerPage=501),
        category="InvalidParameter", item="RecordsPerPage", text_has=("RecordsPerPage",))
    STEPS.ok()

    print("NOTE the documented dialect has no mailbox termination operation (no MailboxTerminate page); "
          "termination is exercised by the deployed and REST flows")

    STEPS.begin("Logout")
    expect_eq("Logout", svc.Logout(SessionID=sid), True)
    STEPS.ok()

    created(mailboxes=[m1.MailboxID, m2.MailboxID], unique_ids=[m1.UniqueID, m2.UniqueID],
            company=m1.CompanyName, ecgrid_ids=[e1, e2], pairs=[[q, i] for q, i, _ in pairs], user=u.UserID,
            login=login, notify_email=notify)
    print(f"PASS directory documented flow SOAP {a.soap}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wsdl", required=True, help="edigrid's WSDL URL (…/ECGridOS.asmx?WSDL)")
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--soap", choices=sorted(PORTS), default="1.1")
    p.add_argument("--network-name", help="the caller's network's name, shown as CompanyName")
    p.add_argument("--far-network", type=int, default=300)
    p.add_argument("--missing-network", type=int, default=987654)
    run(p.parse_args())


if __name__ == "__main__":
    guard(main)
