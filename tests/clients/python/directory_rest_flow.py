#!/usr/bin/env python3
"""The directory (SPEC-VAN 13, 14, 19) over REST v2 (ecgrid-docs rest-api/{mailboxes,ids,users,
networks}), with `requests`, authenticated by `X-API-Key` and, for part of the way, by a Bearer
token from /v2/auth/login.

    directory_rest_flow.py --base URL --login L --password P --api-key KEY
        [--far-mailbox 400] [--missing-mailbox 987654]

The caller must be a NetworkAdmin. Creates a mailbox (and a second one through the migration
table's alias), two IDs, a user (raised to MailboxAdmin, then terminated: REST has no suspend),
pages through lists, compares migration-table aliases with the endpoint pages' paths, and
terminates the mailbox. Every response must be the `{success, data, errorCode, message}`
envelope (SPEC section 8) with camelCase JSON. Prints one OK line per step, a CREATED line
(JSON) for the Rust test, and PASS at the end; at the first wrong answer prints FAIL and exits 1.
"""
import argparse
import os
import re
import sys

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from directory_common import (  # noqa: E402
    STEPS, check, created, expect_eq, fail, guard, near_now, parse_json_time, policy_password, unique_tag,
)

ENVELOPE = {"success", "data", "errorCode", "message"}
CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
MAILBOX = ["mailboxId", "networkId", "uniqueId", "companyName", "status", "created", "modified"]
ECGRID_ID = ["ecGridId", "mailboxId", "networkId", "qualifier", "id", "description", "status", "routingGroup",
             "ediStandard"]
USER = ["userId", "login", "email", "firstName", "lastName", "networkId", "mailboxId", "authLevel", "status",
        "created"]
TIMEOUT = 30


def camel_keys(value, where):
    if isinstance(value, dict):
        for k, v in value.items():
            check(CAMEL.match(k), f"{where}: key {k!r} is not camelCase")
            camel_keys(v, f"{where}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            camel_keys(v, f"{where}[{n}]")


class Api:
    def __init__(self, base, headers):
        self.base = base.rstrip("/")
        self.http = requests.Session()
        self.headers = headers

    def call(self, method, path, body=None, *, status=200, error=None, headers=None):
        """One request. Checks the HTTP status, the JSON envelope and camelCase keys; for an
        error, its errorCode. Returns the envelope."""
        what = f"{method} {path}"
        r = self.http.request(method, self.base + path, json=body, timeout=TIMEOUT,
                              headers=self.headers if headers is None else headers)
        shown = f"\n  request body: {body!r}\n  response: {r.status_code} {r.text[:700]}"
        check(r.status_code == status, f"{what}: want HTTP {status}, got {r.status_code}{shown}")
        check(r.headers.get("Content-Type", "").split(";")[0].strip() == "application/json",
              f"{what}: Content-Type {r.headers.get('Content-Type')!r}, want application/json{shown}")
        try:
            env = r.json()
        except ValueError:
            fail(f"{what}: the body is not JSON{shown}")
        check(isinstance(env, dict) and set(env) == ENVELOPE,
              f"{what}: want the envelope {sorted(ENVELOPE)}, got {sorted(env) if isinstance(env, dict) else env!r}")
        check(isinstance(env["errorCode"], str) and isinstance(env["message"], str),
              f"{what}: errorCode and message must be strings{shown}")
        if status < 300:
            check(env["success"] is True and env["errorCode"] == "", f"{what}: want success, empty errorCode{shown}")
        else:
            check(env["success"] is False and env["data"] is None, f"{what}: an error has success false, data null"
                  f"{shown}")
            if error:
                expect_eq(f"{what}: errorCode", env["errorCode"], error)
        camel_keys(env["data"], f"{what} data")
        return env

    def data(self, method, path, body=None, **kw):
        return self.call(method, path, body, **kw)["data"]


def has_fields(obj, names, what):
    check(isinstance(obj, dict), f"{what}: want an object, got {obj!r}")
    missing = [n for n in names if n not in obj]
    check(not missing, f"{what}: lacks {missing} (has {sorted(obj)})")
    return obj


def padded(x12_id):
    """REST shows X12 IDs padded to 15 characters, as upstream does (SPEC-VAN 13)."""
    return x12_id.ljust(15)


def run(a):
    tag = unique_tag()
    api = Api(a.base, {"X-API-Key": a.api_key})

    STEPS.begin("users/me by X-API-Key")
    me = has_fields(api.data("GET", "/v2/users/me"), ["userId", "networkId", "mailboxId", "authLevel"], "me")
    expect_eq("authLevel (this flow runs as a NetworkAdmin)", me["authLevel"], "NetworkAdmin")
    net = me["networkId"]
    STEPS.ok()

    STEPS.begin("POST /v2/mailboxes/create")
    company = f"Rest Flow {tag}"
    mb = has_fields(api.data("POST", "/v2/mailboxes/create",
                             {"networkId": net, "uniqueId": f"R{tag}", "companyName": company}), MAILBOX, "mailbox")
    check(isinstance(mb["mailboxId"], int) and mb["mailboxId"] > 0, f"mailboxId {mb['mailboxId']!r}")
    expect_eq("mailbox (networkId, uniqueId, companyName, status)",
              (mb["networkId"], mb["uniqueId"], mb["companyName"], mb["status"]), (net, f"R{tag}", company, "Active"))
    near_now(parse_json_time(mb["created"], "created"), "created")
    parse_json_time(mb["modified"], "modified")
    mbx = mb["mailboxId"]
    api.call("POST", "/v2/mailboxes/create", {"networkId": net, "uniqueId": f"r{tag}", "companyName": "Dup"},
             status=400, error="InvalidParameter")
    STEPS.ok()

    STEPS.begin("GET /v2/mailboxes/{id}")
    expect_eq(f"GET /v2/mailboxes/{mbx} vs the created mailbox", api.data("GET", f"/v2/mailboxes/{mbx}"), mb)
    far = api.call("GET", f"/v2/mailboxes/{a.far_mailbox}", status=403, error="AccessDenied")
    missing = api.call("GET", f"/v2/mailboxes/{a.missing_mailbox}", status=403, error="AccessDenied")
    expect_eq("another network's mailbox and a missing one get the same answer (no existence oracle)", far, missing)
    STEPS.ok()

    STEPS.begin("POST /v2/mailboxes/x12-delimiters")
    delimiters = {"mailboxId": mbx, "elementDelimiter": "*", "subElementDelimiter": ">", "segmentTerminator": "~"}
    env = api.call("POST", "/v2/mailboxes/x12-delimiters", delimiters)
    expect_eq("x12-delimiters data", env["data"], None)
    bad = api.call("POST", "/v2/mailboxes/x12-delimiters", {**delimiters, "elementDelimiter": "**"},
                   status=400, error="InvalidParameter")
    check("elementDelimiter" in bad["message"], f"the refusal should name elementDelimiter: {bad['message']!r}")
    STEPS.ok()

    STEPS.begin("POST /v2/ids")
    pairs = [("ZZ", f"RZZ{tag}", "Rest ZZ"), ("01", f"01{tag}", "Rest 01")]
    ids = []
    for q, i, d in pairs:
        tp = has_fields(api.data("POST", "/v2/ids", {"mailboxId": mbx, "qualifier": q, "id": i, "description": d}),
                        ECGRID_ID, f"ID {q}:{i}")
        expect_eq(f"ID {q}:{i} (mailboxId, networkId, qualifier, id, description, status, routingGroup, ediStandard)",
                  tuple(tp[k] for k in ECGRID_ID[1:]),
                  (mbx, net, q, padded(i), d, "Active", "ProductionA", "X12"))
        ids.append(tp)
    e1, e2 = ids[0]["ecGridId"], ids[1]["ecGridId"]
    check(e2 > e1, f"ecGridIds come from a sequence: {e1}, {e2}")
    q, i, _ = pairs[0]
    dup = api.call("POST", "/v2/ids", {"mailboxId": mbx, "qualifier": q.lower(), "id": i.lower() + " "},
                   status=400, error="InvalidParameter")
    check(i.lower() in dup["message"].lower(), f"the refusal of a taken pair should name {q}:{i}: {dup['message']!r}")
    STEPS.ok()

    STEPS.begin("POST /v2/ids/find and GET /v2/ids/{id}")
    for (q, i, _), tp in zip(pairs, ids):
        for variant in [i, i.lower(), i + "  "]:
            expect_eq(f"find {q}:{variant!r}", api.data("POST", "/v2/ids/find", {"qualifier": q, "id": variant}), [tp])
        expect_eq(f"GET /v2/ids/{tp['ecGridId']}", api.data("GET", f"/v2/ids/{tp['ecGridId']}"), tp)
    STEPS.ok()

    STEPS.begin("POST /v2/users and by-name")
    login = f"rest.flow.{tag.lower()}"
    password = policy_password()
    body = {"login": login, "password": password, "email": f"{login}@example.com", "firstName": "Rita",
            "lastName": f"Rest{tag}", "networkId": net, "mailboxId": mbx, "authLevel": "MailboxUser"}
    user = has_fields(api.data("POST", "/v2/users", body), USER, "user")
    uid = user["userId"]
    expect_eq("user (login, email, firstName, lastName, networkId, mailboxId, authLevel, status)",
              tuple(user[k] for k in USER[1:9]),
              (login, body["email"], "Rita", f"Rest{tag}", net, mbx, "MailboxUser", "Active"))
    expect_eq("by-name", api.data("POST", "/v2/users/by-name", {"login": login}), [user])
    expect_eq(f"GET /v2/users/{uid}", api.data("GET", f"/v2/users/{uid}"), user)
    STEPS.ok()

    STEPS.begin("POST /v2/users/role")
    api.call("POST", "/v2/users/role", {"userId": uid, "authLevel": "NetOps"}, status=403, error="AccessDenied")
    api.call("POST", f"/v2/users/{uid}/set-role", {"authLevel": "NetOps"}, status=403, error="AccessDenied")
    expect_eq("authLevel after the refused raises", api.data("GET", f"/v2/users/{uid}")["authLevel"], "MailboxUser")
    raised = api.data("POST", "/v2/users/role", {"userId": uid, "authLevel": "MailboxAdmin"})
    expect_eq("role MailboxAdmin: the user's fields", {k: raised.get(k) for k in USER},
              {**{k: user[k] for k in USER}, "authLevel": "MailboxAdmin"})
    STEPS.ok()

    STEPS.begin("terminate the user (DELETE /v2/users/{id})")
    # REST has no suspend endpoint (user-suspend.md points at PUT /v2/users, whose body has no
    # status): terminate instead.
    their = api.data("POST", "/v2/auth/login", {"login": login, "password": password}, headers={})
    user_api = Api(a.base, {"Authorization": f"Bearer {their['token']}"})
    expect_eq("the new user's /v2/users/me userId", user_api.data("GET", "/v2/users/me")["userId"], uid)
    expect_eq(f"DELETE /v2/users/{uid}", api.data("DELETE", f"/v2/users/{uid}"), True)
    user_api.call("GET", "/v2/users/me", status=401, error="InvalidSession")
    api.call("POST", "/v2/auth/login", {"login": login, "password": password}, headers={}, status=401)
    expect_eq("status after termination", api.data("GET", f"/v2/users/{uid}")["status"], "Terminated")
    STEPS.ok()

    STEPS.begin("Bearer token")
    token = api.data("POST", "/v2/auth/login", {"login": a.login, "password": a.password}, headers={})["token"]
    bearer = Api(a.base, {"Authorization": f"Bearer {token}"})
    expect_eq(f"GET /v2/mailboxes/{mbx} by Bearer vs by X-API-Key", bearer.data("GET", f"/v2/mailboxes/{mbx}"),
              api.data("GET", f"/v2/mailboxes/{mbx}"))
    STEPS.ok()

    STEPS.begin("aliases of the migration table")
    alias = has_fields(bearer.data("POST", "/v2/mailboxes", {"networkId": net, "uniqueId": f"A{tag}",
                                                             "companyName": f"Alias {tag}"}), MAILBOX, "alias mailbox")
    expect_eq("POST /v2/mailboxes (alias of /create): fields", sorted(alias), sorted(mb))
    expect_eq("the alias-made mailbox read back", api.data("GET", f"/v2/mailboxes/{alias['mailboxId']}"), alias)
    for main, path in [(("POST", "/v2/mailboxes/list", {}), "/v2/mailboxes"),
                       (("POST", "/v2/ids/list", {}), "/v2/ids"),
                       (("POST", "/v2/users/list", {}), "/v2/users"),
                       (("POST", "/v2/networks/list", {}), "/v2/networks"),
                       (("POST", "/v2/ids/find", {"qualifier": "ZZ", "id": pairs[0][1]}),
                        f"/v2/ids/find?qualifier=ZZ&id={pairs[0][1]}"),
                       (("GET", f"/v2/users/key/{me['userId']}", None), f"/v2/users/{me['userId']}/api-key")]:
        expect_eq(f"GET {path} vs {main[0]} {main[1]} {main[2] or ''}", api.data("GET", path), api.data(*main))
    STEPS.ok()

    STEPS.begin("POST /v2/mailboxes/list paging")
    seen, total = [], None
    for page in range(1, 30):
        d = has_fields(bearer.data("POST", "/v2/mailboxes/list", {"networkId": net, "status": "Active",
                                                                   "pageNo": page, "recordsPerPage": 1}),
                       ["totalRecords", "pageNo", "recordsPerPage", "mailboxes"], f"mailboxes page {page}")
        expect_eq(f"page {page} (pageNo, recordsPerPage)", (d["pageNo"], d["recordsPerPage"]), (page, 1))
        total = d["totalRecords"] if total is None else total
        expect_eq(f"page {page} totalRecords", d["totalRecords"], total)
        check(len(d["mailboxes"]) <= 1, f"page {page} with recordsPerPage 1 has {len(d['mailboxes'])} mailboxes")
        if not d["mailboxes"]:
            break
        seen.append(has_fields(d["mailboxes"][0], MAILBOX, "listed mailbox")["mailboxId"])
    expect_eq("mailboxes over all pages: count vs totalRecords", len(seen), total)
    check(len(seen) >= 3 and seen[0] != seen[1] and len(set(seen)) == len(seen), f"pages repeat or are few: {seen}")
    for want in [me["mailboxId"], mbx, alias["mailboxId"]]:
        check(want in seen, f"mailbox {want} is on no page: {seen}")
    bad = bearer.call("POST", "/v2/mailboxes/list", {"networkId": net, "pageNo": 1, "recordsPerPage": 501},
                      status=400, error="InvalidParameter")
    check("recordsPerPage" in bad["message"], f"the refusal should name recordsPerPage: {bad['message']!r}")
    STEPS.ok()

    STEPS.begin("POST /v2/ids/list paging")
    pages = []
    for page in [1, 2, 3]:
        listed = bearer.data("POST", "/v2/ids/list", {"mailboxId": mbx, "pageNo": page, "recordsPerPage": 1})
        check(isinstance(listed, list), f"ids/list data should be an array (list-ids.md), got {listed!r}")
        expect_eq(f"ids/list page {page} length", len(listed), 1 if page <= 2 else 0)
        pages += [has_fields(t, ECGRID_ID, "listed ID")["ecGridId"] for t in listed]
    expect_eq("ids over pages 1 and 2", sorted(pages), sorted([e1, e2]))
    STEPS.ok()

    STEPS.begin("DELETE /v2/mailboxes/{id}")
    env = api.call("DELETE", f"/v2/mailboxes/{mbx}")
    expect_eq("DELETE mailbox (data, message)", (env["data"], env["message"]), (None, "Mailbox terminated."))
    expect_eq("status after DELETE", api.data("GET", f"/v2/mailboxes/{mbx}")["status"], "Terminated")
    for e in [e1, e2]:
        expect_eq(f"ID {e} status after its mailbox was terminated", api.data("GET", f"/v2/ids/{e}")["status"],
                  "Terminated")
    STEPS.ok()

    STEPS.begin("logout")
    bearer.call("POST", "/v2/auth/logout")
    bearer.call("GET", "/v2/users/me", status=401, error="InvalidSession")
    STEPS.ok()

    created(mailbox=mbx, alias_mailbox=alias["mailboxId"], company=company, ecgrid_ids=[e1, e2],
            pairs=[[q, i] for q, i, _ in pairs], user=uid, login=login)
    print("PASS directory rest flow")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True, help="edigrid's base URL (REST is under /v2)")
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--far-mailbox", type=int, default=400)
    p.add_argument("--missing-mailbox", type=int, default=987654)
    run(p.parse_args())


if __name__ == "__main__":
    guard(main)
