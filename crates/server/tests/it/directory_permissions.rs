//! Acceptance test "permission matrix" (SPEC-VAN 14): every directory operation, called by a
//! user of every AuthLevel on an object in its own scope, in another scope and on one that
//! does not exist, gets the answer of the spec, on SQLite and on PostgreSQL.
//!
//! The expected answers come from a small oracle written from the spec's table (and the
//! decisions taken where it is silent), not from the product's rules. Every case runs, every
//! mismatch is collected, and the test fails at the end listing them all.
//!
//! The world: network 100 (own) with mailboxes 200 (the callers' own) and 201 (a sibling);
//! network 300 (other) with mailboxes 400 and 401. Each of 200, 201 and 400 holds one target
//! user of every level and two trading-partner IDs (`a`, the mailbox's default, and `b`, the
//! one that is moved). The callers, one per level, all live in 100/200.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use edigrid_core::{
    Caller, Core, MAX_PAGE_SIZE, MailboxChanges, MailboxCreateRequest, MailboxFilter,
    NetworkChanges, NetworkCreateRequest, NetworkFilter, Page, Paged, PartnerAddRequest,
    PartnerChanges, PartnerFilter, PartnerScope, UserChanges, UserCreateRequest, UserFilter,
};
use edigrid_domain::{
    AuthLevel, ContactType, EcGridId, Error, MailboxId, NetworkId, UserId, UserStatus, WebsiteType,
    X12Delimiters,
};
use edigrid_testkit::{TEST_PASSWORD, TestApp, fresh_postgres_url, spawn_app, spawn_app_with};

const N1: NetworkId = NetworkId(100);
const N2: NetworkId = NetworkId(300);
const M1: MailboxId = MailboxId(200);
const M2: MailboxId = MailboxId(201);
const M3: MailboxId = MailboxId(400);
const M4: MailboxId = MailboxId(401);
const NO_NETWORK: NetworkId = NetworkId(9999);
const NO_MAILBOX: MailboxId = MailboxId(99999);
const NO_USER: UserId = UserId(999_999);
const NO_LOGIN: &str = "no-such-login";
const NO_ECGRID: EcGridId = EcGridId(9_999_999);
const NEW_PASSWORD: &str = "Other#Pass2";

/// The levels, most powerful first (SPEC-VAN 14).
const LEVELS: [AuthLevel; 9] = [
    AuthLevel::Root,
    AuthLevel::TechOps,
    AuthLevel::NetOps,
    AuthLevel::NetworkAdmin,
    AuthLevel::NetworkUser,
    AuthLevel::MailboxAdmin,
    AuthLevel::MailboxUser,
    AuthLevel::TPUser,
    AuthLevel::General,
];

/// Mailboxes holding target users and IDs, with the scope they are in for every caller.
const TARGET_MAILBOXES: [(&str, MailboxId); 3] = [("own", M1), ("sibling", M2), ("other", M3)];

/// The networks and mailboxes an operation names, by scope, and whether they exist.
const NETWORKS: [(&str, NetworkId, bool); 3] = [
    ("own", N1, true),
    ("other", N2, true),
    ("missing", NO_NETWORK, false),
];
const MAILBOXES: [(&str, MailboxId, bool); 4] = [
    ("own", M1, true),
    ("sibling", M2, true),
    ("other", M3, true),
    ("missing", NO_MAILBOX, false),
];

/// The filters of a list, by scope: none, then each network or mailbox.
const NETWORK_FILTERS: [(&str, Option<NetworkId>); 4] = [
    ("unfiltered", None),
    ("own", Some(N1)),
    ("other", Some(N2)),
    ("missing", Some(NO_NETWORK)),
];
const MAILBOX_FILTERS: [(&str, Option<MailboxId>); 5] = [
    ("unfiltered", None),
    ("own", Some(M1)),
    ("sibling", Some(M2)),
    ("other", Some(M3)),
    ("missing", Some(NO_MAILBOX)),
];

/// Where things are moved from the callers' own mailbox M1.
const DESTINATIONS: [(&str, MailboxId, bool); 4] = [
    ("sibling", M2, true),
    ("other network", M3, true),
    ("other network 2", M4, true),
    ("missing", NO_MAILBOX, false),
];

// ---------------------------------------------------------------------------------------
// The oracle: SPEC-VAN 14 and the decisions taken where it is silent. Every caller lives in
// network N1, mailbox M1.

fn rank(level: AuthLevel) -> usize {
    LEVELS
        .iter()
        .position(|l| *l == level)
        .expect("a real level")
}

/// Root, TechOps and NetOps read everything.
fn sees_all(level: AuthLevel) -> bool {
    rank(level) <= rank(AuthLevel::NetOps)
}

fn network_scoped(level: AuthLevel) -> bool {
    matches!(level, AuthLevel::NetworkAdmin | AuthLevel::NetworkUser)
}

fn mailbox_scoped(level: AuthLevel) -> bool {
    matches!(level, AuthLevel::MailboxAdmin | AuthLevel::MailboxUser)
}

/// A network's record: network- and mailbox-scoped callers read their own network's.
fn reads_network(level: AuthLevel, n: NetworkId) -> bool {
    sees_all(level) || ((network_scoped(level) || mailbox_scoped(level)) && n == N1)
}

/// A mailbox and what lives in it (its users and IDs).
fn reads_mailbox(level: AuthLevel, n: NetworkId, m: MailboxId) -> bool {
    sees_all(level) || (network_scoped(level) && n == N1) || (mailbox_scoped(level) && m == M1)
}

fn reads_user(me: &Me, t: &Place) -> bool {
    t.id == me.id || reads_mailbox(me.level, t.net, t.mbx)
}

/// A network's settings (and its mailboxes, their status, users and IDs, through
/// [`writes_mailbox`]): NetOps writes everything but high users, NetworkAdmin its network.
fn writes_network(level: AuthLevel, n: NetworkId) -> bool {
    sees_all(level) || (level == AuthLevel::NetworkAdmin && n == N1)
}

/// A network's status: not NetworkAdmin.
fn writes_network_status(level: AuthLevel) -> bool {
    sees_all(level)
}

fn creates_networks(level: AuthLevel) -> bool {
    matches!(level, AuthLevel::Root | AuthLevel::TechOps)
}

/// A mailbox's settings, its users and its IDs (not its status: that is
/// [`writes_network`]).
fn writes_mailbox(level: AuthLevel, n: NetworkId, m: MailboxId) -> bool {
    writes_network(level, n) || (level == AuthLevel::MailboxAdmin && m == M1)
}

/// Whether a caller may create, raise to, or act on a user at `target`: never above its
/// own level; only Root and TechOps at NetOps or above; administrators only.
fn may_hold(level: AuthLevel, target: AuthLevel) -> bool {
    match level {
        AuthLevel::Root | AuthLevel::TechOps => rank(target) >= rank(level),
        AuthLevel::NetOps => rank(target) > rank(AuthLevel::NetOps),
        AuthLevel::NetworkAdmin | AuthLevel::MailboxAdmin => rank(target) >= rank(level),
        _ => false,
    }
}

/// Acting on another user (status, level, home; and profile, password).
fn manages(me: &Me, t: &Place) -> bool {
    t.id != me.id && may_hold(me.level, t.level) && writes_mailbox(me.level, t.net, t.mbx)
}

/// Own profile and password, or a user one manages.
fn changes_profile(me: &Me, t: &Place) -> bool {
    t.id == me.id || manages(me, t)
}

/// The answer for one object: missing (NotFound for those who see everything, else the
/// out-of-scope answer), out of scope, allowed, or seen but refused.
fn outcome(
    level: AuthLevel,
    exists: bool,
    visible: bool,
    allowed: bool,
    param: &'static str,
) -> Expect {
    if !exists {
        if sees_all(level) {
            Expect::NotFound(param)
        } else {
            Expect::Hidden
        }
    } else if !visible {
        Expect::Hidden
    } else if allowed {
        Expect::Ok
    } else {
        Expect::Denied
    }
}

/// The answer for a list: the fixtures the caller reads that pass the filter; when there
/// are none and the filter names a parent the caller cannot see (or one that does not
/// exist), the out-of-scope answer (NotFound on `param` for those who see everything).
fn list_outcome(
    level: AuthLevel,
    must: BTreeSet<i32>,
    parent: Option<(bool, bool)>,
    param: &'static str,
) -> Expect {
    match parent {
        Some((false, _)) if sees_all(level) => Expect::NotFound(param),
        Some((exists, visible)) if must.is_empty() && (!exists || !visible) => Expect::Hidden,
        _ => Expect::List(must),
    }
}

/// [`list_outcome`] for a list filtered on network `filter`.
fn network_list_outcome(
    level: AuthLevel,
    must: BTreeSet<i32>,
    filter: Option<NetworkId>,
) -> Expect {
    let parent = filter.map(|f| (f != NO_NETWORK, reads_network(level, f)));
    list_outcome(level, must, parent, "NetworkID")
}

/// [`list_outcome`] for a list filtered on mailbox `filter`.
fn mailbox_list_outcome(
    level: AuthLevel,
    must: BTreeSet<i32>,
    filter: Option<MailboxId>,
) -> Expect {
    let parent = filter.map(|f| (f != NO_MAILBOX, reads_mailbox(level, network_of(f), f)));
    list_outcome(level, must, parent, "MailboxID")
}

/// What a list was filtered on, as a matrix row names it.
fn filter_subject(filter: Option<impl ToString>) -> String {
    filter.map_or("-".to_string(), |f| f.to_string())
}

// ---------------------------------------------------------------------------------------
// Recording answers.

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Ok,
    /// In scope, not allowed: `AccessDenied`.
    Denied,
    /// Out of scope: `AccessDenied` with the same text as for an object that does not exist
    /// (for a list, also an empty list).
    Hidden,
    /// `NotFound` naming this parameter.
    NotFound(&'static str),
    /// A list holding at least these ids and nothing the caller may not read; when empty,
    /// `AccessDenied` is also right for callers who do not see everything.
    List(BTreeSet<i32>),
}

enum Got {
    Ok,
    List {
        ids: BTreeSet<i32>,
        strays: Vec<i32>,
    },
    Denied(String),
    NotFound(String),
    Other(String),
}

impl Got {
    fn kind(&self) -> &'static str {
        match self {
            Got::Ok => "Ok",
            Got::List { .. } => "list",
            Got::Denied(_) => "AccessDenied",
            Got::NotFound(_) => "NotFound",
            Got::Other(_) => "other error",
        }
    }

    fn describe(&self) -> String {
        match self {
            Got::Ok => "Ok".to_string(),
            Got::List { ids, strays } if strays.is_empty() => format!("list {ids:?}"),
            Got::List { ids, strays } => {
                format!("list {ids:?}, of which not to be shown {strays:?}")
            }
            Got::Denied(text) => format!("AccessDenied({text:?})"),
            Got::NotFound(item) => format!("NotFound({item:?})"),
            Got::Other(error) => format!("other error {error}"),
        }
    }
}

fn got<T>(result: Result<T, Error>) -> Got {
    match result {
        Ok(_) => Got::Ok,
        Err(e) => got_error(e),
    }
}

fn got_error(e: Error) -> Got {
    match e {
        Error::AccessDenied(text) => Got::Denied(text),
        Error::NotFound { item } => Got::NotFound(item),
        other => Got::Other(format!("{other:?}")),
    }
}

/// A list's ids; `strays` are those the caller should not have been shown (or that fail
/// the filter).
fn got_list<T>(
    result: Result<Paged<T>, Error>,
    id: impl Fn(&T) -> i32,
    may_show: impl Fn(&T) -> bool,
) -> Got {
    match result {
        Ok(page) => Got::List {
            ids: page.items.iter().map(&id).collect(),
            strays: page
                .items
                .iter()
                .filter(|item| !may_show(item))
                .map(&id)
                .collect(),
        },
        Err(e) => got_error(e),
    }
}

/// An out-of-scope answer with the object's id (or login) replaced, to compare answers
/// for objects that exist and objects that do not.
fn signature(got: &Got, subject: &str) -> String {
    match got {
        Got::Denied(text) => {
            let words: Vec<&str> = text
                .split(' ')
                .map(|w| {
                    if w.trim_end_matches(|c: char| c.is_ascii_punctuation()) == subject {
                        "#"
                    } else {
                        w
                    }
                })
                .collect();
            format!("AccessDenied({:?})", words.join(" "))
        }
        Got::List { ids, .. } if ids.is_empty() => "an empty list".to_string(),
        other => other.describe(),
    }
}

#[derive(Default)]
struct Matrix {
    cases: usize,
    /// How many answers of each kind came back (to see that the matrix exercises them all).
    kinds: BTreeMap<&'static str, usize>,
    mismatches: Vec<String>,
    /// Out-of-scope answers by operation and level: (scope, signature).
    hidden: BTreeMap<(String, usize), Vec<(String, String)>>,
}

impl Matrix {
    fn check(
        &mut self,
        op: &str,
        level: AuthLevel,
        scope: &str,
        subject: &str,
        expected: Expect,
        got: Got,
    ) {
        self.cases += 1;
        *self.kinds.entry(got.kind()).or_default() += 1;
        let ok = match (&expected, &got) {
            (Expect::Ok, Got::Ok) => true,
            (Expect::Denied | Expect::Hidden, Got::Denied(_)) => true,
            (Expect::Hidden, Got::List { ids, .. }) => ids.is_empty(),
            (Expect::NotFound(want), Got::NotFound(item)) => want == item,
            (Expect::List(must), Got::List { ids, strays }) => {
                strays.is_empty() && must.is_subset(ids)
            }
            (Expect::List(must), Got::Denied(_)) => must.is_empty() && !sees_all(level),
            _ => false,
        };
        if ok && expected == Expect::Hidden {
            self.hidden
                .entry((op.to_string(), rank(level)))
                .or_default()
                .push((scope.to_string(), signature(&got, subject)));
        }
        if !ok {
            self.mismatches.push(format!(
                "{op} | {level} | {scope} ({subject}) | expected {expected:?} | got {}",
                got.describe()
            ));
        }
    }

    /// Out of scope, an object that exists and one that does not get the same answer.
    fn check_hidden_alike(&mut self) {
        for ((op, level), answers) in &self.hidden {
            let distinct: BTreeSet<&String> = answers.iter().map(|(_, s)| s).collect();
            if distinct.len() > 1 {
                let all: Vec<String> = answers.iter().map(|(sc, s)| format!("{sc}: {s}")).collect();
                self.mismatches.push(format!(
                    "{op} | {} | out-of-scope answers differ | {}",
                    LEVELS[*level],
                    all.join("; ")
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The world.

/// A caller: one user per level, homed in N1/M1.
struct Me {
    level: AuthLevel,
    id: UserId,
    caller: Caller,
}

/// A user the callers act on.
#[derive(Debug, Clone)]
struct Place {
    id: UserId,
    login: String,
    level: AuthLevel,
    net: NetworkId,
    mbx: MailboxId,
}

/// A trading-partner ID of the fixtures.
#[derive(Debug, Clone)]
struct Tp {
    id: EcGridId,
    net: NetworkId,
    mbx: MailboxId,
    pair: String,
    description: String,
}

struct World {
    callers: Vec<Me>,
    /// Target users by mailbox and level.
    targets: BTreeMap<(MailboxId, usize), Place>,
    /// Callers and targets.
    users: Vec<Place>,
    /// By mailbox: the default (`a`) and the one moved (`b`).
    partners: BTreeMap<MailboxId, (Tp, Tp)>,
}

impl World {
    fn target(&self, mbx: MailboxId, level: AuthLevel) -> &Place {
        &self.targets[&(mbx, rank(level))]
    }

    /// The target users at `level` in every target mailbox, by scope, then one that does
    /// not exist.
    fn targets_at(&self, level: AuthLevel) -> Vec<(&'static str, Option<&Place>)> {
        let mut all: Vec<_> = TARGET_MAILBOXES
            .iter()
            .map(|(scope, mbx)| (*scope, Some(self.target(*mbx, level))))
            .collect();
        all.push(("missing", None));
        all
    }

    fn partner_list(&self) -> Vec<&Tp> {
        self.partners.values().flat_map(|(a, b)| [a, b]).collect()
    }
}

fn network_of(m: MailboxId) -> NetworkId {
    match m {
        M1 | M2 => N1,
        M3 | M4 => N2,
        _ => NO_NETWORK,
    }
}

/// Another mailbox of the same network.
fn sibling(m: MailboxId) -> MailboxId {
    match m {
        M1 => M2,
        M2 => M1,
        M3 => M4,
        _ => M3,
    }
}

fn operator() -> Caller {
    Caller::operator()
}

async fn build_world(app: &TestApp) -> World {
    let core = &app.core;
    for m in [M1, M2, M3, M4] {
        app.add_mailbox(network_of(m).0, m.0).await;
    }
    let mut users = Vec::new();
    let mut targets = BTreeMap::new();
    for (_, m) in TARGET_MAILBOXES {
        for level in LEVELS {
            let login = format!("t{m}_{level}");
            let id = app.add_user(&login, level, network_of(m).0, m.0).await;
            let place = Place {
                id,
                login,
                level,
                net: network_of(m),
                mbx: m,
            };
            users.push(place.clone());
            targets.insert((m, rank(level)), place);
        }
    }
    let local = "127.0.0.1".parse().unwrap();
    let mut callers = Vec::new();
    for level in LEVELS {
        let login = format!("c_{level}");
        let id = app.add_user(&login, level, N1.0, M1.0).await;
        let sid = app.login(&login).await;
        let caller = core.authenticate(&sid, local).await.unwrap();
        assert_eq!(caller.user_id, id);
        users.push(Place {
            id,
            login,
            level,
            net: N1,
            mbx: M1,
        });
        callers.push(Me { level, id, caller });
    }
    let mut partners = BTreeMap::new();
    for (_, m) in TARGET_MAILBOXES {
        let a = add_fixture_partner(app, m, "A").await;
        let b = add_fixture_partner(app, m, "B").await;
        partners.insert(m, (a, b));
    }
    let world = World {
        callers,
        targets,
        users,
        partners,
    };
    // Contacts to read back: the General target of each mailbox owns it (and its network).
    for (_, m) in TARGET_MAILBOXES {
        let owner = world.target(m, AuthLevel::General).id;
        core.mailbox_set_contact(&operator(), m, ContactType::Owner, owner)
            .await
            .unwrap();
    }
    for (n, m) in [(N1, M1), (N2, M3)] {
        let owner = world.target(m, AuthLevel::General).id;
        core.network_set_contact(&operator(), n, ContactType::Owner, owner)
            .await
            .unwrap();
    }
    world
}

async fn add_fixture_partner(app: &TestApp, m: MailboxId, tag: &str) -> Tp {
    let pair = format!("FX{m}{tag}");
    let description = format!("fixture {m} {tag}");
    let net = network_of(m);
    let id = app.add_partner(net.0, m.0, "ZZ", &pair, &description).await;
    Tp {
        id,
        net,
        mbx: m,
        pair,
        description,
    }
}

/// Puts a target user back as the fixtures made it after a change that went through.
async fn restore_user(core: &Core, t: &Place) {
    core.user_set_auth_level(&operator(), t.id, t.level)
        .await
        .unwrap();
    core.user_set_network_mailbox(&operator(), t.id, t.net, t.mbx)
        .await
        .unwrap();
    core.user_set_status(&operator(), t.id, UserStatus::Active)
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// The rows.

async fn network_rows(core: &Core, m: &mut Matrix, me: &Me, seq: &mut u32) {
    let (level, c) = (me.level, &me.caller);
    for (scope, n, exists) in NETWORKS {
        let visible = reads_network(level, n);
        let exp = |allowed: bool| outcome(level, exists, visible, allowed, "NetworkID");
        let subject = n.to_string();
        let s = subject.as_str();
        let owner = match core.network_info(&operator(), n).await {
            Ok(found) => found.contacts.owner,
            Err(_) => UserId(0),
        };

        let r = core.network_info(c, n).await;
        m.check("network_info", level, scope, s, exp(true), got(r));

        let changes = NetworkChanges {
            phone: Some("555-0100".into()),
            ..NetworkChanges::default()
        };
        let r = core.network_update(c, n, changes).await;
        let allowed = writes_network(level, n);
        m.check("network_update", level, scope, s, exp(allowed), got(r));

        let r = core.network_set_status(c, n, UserStatus::Active).await;
        let allowed = writes_network_status(level);
        m.check("network_set_status", level, scope, s, exp(allowed), got(r));

        let r = core
            .network_set_contact(c, n, ContactType::Owner, owner)
            .await;
        let allowed = writes_network(level, n);
        m.check("network_set_contact", level, scope, s, exp(allowed), got(r));

        let r = core.network_get_contact(c, n, ContactType::Owner).await;
        m.check("network_get_contact", level, scope, s, exp(true), got(r));

        let r = core
            .network_set_website(c, n, WebsiteType::Support, "https://support.example.com")
            .await;
        let allowed = writes_network(level, n);
        m.check("network_set_website", level, scope, s, exp(allowed), got(r));

        let r = core
            .network_set_x12_delimiters(c, n, X12Delimiters::default())
            .await;
        m.check(
            "network_set_x12_delimiters",
            level,
            scope,
            s,
            exp(allowed),
            got(r),
        );

        let r = core.network_set_delete_on_download(c, n, false).await;
        m.check(
            "network_set_delete_on_download",
            level,
            scope,
            s,
            exp(allowed),
            got(r),
        );
    }

    *seq += 1;
    let request = NetworkCreateRequest {
        id: NetworkId(0),
        name: format!("Created by {level} #{seq}"),
        ..NetworkCreateRequest::default()
    };
    let r = core.network_create(c, request).await;
    let exp = if creates_networks(level) {
        Expect::Ok
    } else {
        Expect::Denied
    };
    m.check("network_create", level, "-", "-", exp, got(r));

    // Lists: everything the caller reads, by filter.
    for (scope, filter) in NETWORK_FILTERS {
        let shows = |id: NetworkId| reads_network(level, id) && filter.is_none_or(|f| f == id);
        let must = [N1, N2].into_iter().filter(|n| shows(*n));
        let must = must.map(|n| n.0).collect();
        let exp = network_list_outcome(level, must, filter);
        let network_filter = NetworkFilter {
            network: filter,
            ..NetworkFilter::default()
        };
        let r = core
            .network_list(c, network_filter, Page::first(MAX_PAGE_SIZE))
            .await;
        let g = got_list(r, |n| n.id.0, |n| shows(n.id));
        m.check(
            "network_list",
            level,
            scope,
            &filter_subject(filter),
            exp,
            g,
        );
    }
}

async fn mailbox_rows(core: &Core, w: &World, m: &mut Matrix, me: &Me, seq: &mut u32) {
    let (level, c) = (me.level, &me.caller);
    for (scope, mbx, exists) in MAILBOXES {
        let n = network_of(mbx);
        let visible = reads_mailbox(level, n, mbx);
        let exp = |allowed: bool| outcome(level, exists, visible, allowed, "MailboxID");
        let subject = mbx.to_string();
        let s = subject.as_str();
        let owner = if exists {
            w.target(mbx, AuthLevel::General).id
        } else {
            UserId(0)
        };

        let r = core.mailbox_info(c, mbx).await;
        m.check("mailbox_info", level, scope, s, exp(true), got(r));

        let changes = MailboxChanges {
            description: Some("matrix".into()),
            ..MailboxChanges::default()
        };
        let r = core.mailbox_update(c, mbx, changes).await;
        let allowed = writes_mailbox(level, n, mbx);
        m.check("mailbox_update", level, scope, s, exp(allowed), got(r));

        let r = core
            .mailbox_set_contact(c, mbx, ContactType::Owner, owner)
            .await;
        m.check("mailbox_set_contact", level, scope, s, exp(allowed), got(r));

        let r = core.mailbox_get_contact(c, mbx, ContactType::Owner).await;
        m.check("mailbox_get_contact", level, scope, s, exp(true), got(r));

        let r = core.mailbox_set_status(c, mbx, UserStatus::Active).await;
        let allowed = writes_network(level, n);
        m.check("mailbox_set_status", level, scope, s, exp(allowed), got(r));

        let r = core.partner_get_mailbox_default(c, mbx).await;
        let g = match r {
            Ok(p) if Some(p.ecgrid_id) == w.partners.get(&mbx).map(|(a, _)| a.id) => Got::Ok,
            Ok(p) => Got::Other(format!("the wrong default: ECGridID {}", p.ecgrid_id)),
            Err(e) => got_error(e),
        };
        m.check("partner_get_mailbox_default", level, scope, s, exp(true), g);
    }

    for (scope, n, exists) in NETWORKS {
        *seq += 1;
        let request = MailboxCreateRequest {
            network: n,
            id: MailboxId(0),
            name: format!("Created by {level} #{seq}"),
            ..MailboxCreateRequest::default()
        };
        let r = core.mailbox_create(c, request).await;
        let visible = reads_network(level, n);
        let exp = outcome(
            level,
            exists,
            visible,
            writes_network(level, n),
            "NetworkID",
        );
        m.check("mailbox_create", level, scope, &n.to_string(), exp, got(r));
    }

    for (scope, filter) in NETWORK_FILTERS {
        let shows = |net: NetworkId, id: MailboxId| {
            reads_mailbox(level, net, id) && filter.is_none_or(|f| f == net)
        };
        let must = [M1, M2, M3, M4].into_iter();
        let must = must.filter(|x| shows(network_of(*x), *x)).map(|x| x.0);
        let exp = network_list_outcome(level, must.collect(), filter);
        let mailbox_filter = MailboxFilter {
            network: filter,
            ..MailboxFilter::default()
        };
        let r = core
            .mailbox_list(c, mailbox_filter, Page::first(MAX_PAGE_SIZE))
            .await;
        let g = got_list(r, |x| x.id.0, |x| shows(x.network_id, x.id));
        m.check(
            "mailbox_list",
            level,
            scope,
            &filter_subject(filter),
            exp,
            g,
        );
    }
}

/// The levels a caller's target users have: below, equal to and above its own.
fn relations(level: AuthLevel) -> Vec<(&'static str, AuthLevel)> {
    let r = rank(level);
    let mut out = Vec::new();
    if r + 1 < LEVELS.len() {
        out.push(("below", LEVELS[r + 1]));
    }
    out.push(("peer", level));
    if r > 0 {
        out.push(("above", LEVELS[r - 1]));
    }
    out
}

async fn user_rows(core: &Core, w: &World, m: &mut Matrix, me: &Me, seq: &mut u32) {
    let (level, c) = (me.level, &me.caller);
    let me_place = w.users.iter().find(|u| u.id == me.id).unwrap();

    // The caller's own record, profile and password.
    let s = me.id.to_string();
    let r = core.user_info(c, me.id).await;
    m.check("user_info", level, "self", &s, Expect::Ok, got(r));
    let r = core.user_info_by_login(c, &me_place.login).await;
    m.check(
        "user_info_by_login",
        level,
        "self",
        &me_place.login,
        Expect::Ok,
        got(r),
    );
    let changes = UserChanges {
        first_name: Some("Matrix".into()),
        ..UserChanges::default()
    };
    let r = core.user_update(c, me.id, changes).await;
    m.check("user_update", level, "self", &s, Expect::Ok, got(r));
    let r = core.user_set_password(c, me.id, NEW_PASSWORD).await;
    m.check("user_set_password", level, "self", &s, Expect::Ok, got(r));

    // Users below, equal to and above the caller, in every scope, and one that does not
    // exist.
    for (rel, rel_level) in relations(level) {
        for (scope, t) in w.targets_at(rel_level) {
            let exists = t.is_some();
            let visible = t.is_some_and(|t| reads_user(me, t));
            let exp = |allowed: bool| outcome(level, exists, visible, allowed, "UserID");
            let id = t.map_or(NO_USER, |t| t.id);
            let subject = id.to_string();
            let s = subject.as_str();
            let scope = format!("{scope}/{rel} {rel_level}");
            let scope = scope.as_str();
            let managed = t.is_some_and(|t| manages(me, t));

            let op = format!("user_info[{rel}]");
            let r = core.user_info(c, id).await;
            m.check(&op, level, scope, s, exp(true), got(r));

            let login = t.map_or(NO_LOGIN, |t| t.login.as_str());
            let op = format!("user_info_by_login[{rel}]");
            let r = core.user_info_by_login(c, login).await;
            let exp_login = outcome(level, exists, visible, true, "LoginName");
            m.check(&op, level, scope, login, exp_login, got(r));

            let changes = UserChanges {
                first_name: Some("Matrix".into()),
                ..UserChanges::default()
            };
            let op = format!("user_update[{rel}]");
            let r = core.user_update(c, id, changes).await;
            let allowed = t.is_some_and(|t| changes_profile(me, t));
            m.check(&op, level, scope, s, exp(allowed), got(r));

            let op = format!("user_set_password[{rel}]");
            let r = core.user_set_password(c, id, NEW_PASSWORD).await;
            m.check(&op, level, scope, s, exp(allowed), got(r));

            let op = format!("user_set_status[{rel}]");
            let r = core.user_set_status(c, id, UserStatus::Suspended).await;
            let done = r.is_ok();
            m.check(&op, level, scope, s, exp(managed), got(r));
            if let (true, Some(t)) = (done, t) {
                restore_user(core, t).await;
            }

            let op = format!("user_set_auth_level[{rel}]->General");
            let r = core.user_set_auth_level(c, id, AuthLevel::General).await;
            let done = r.is_ok();
            let allowed = managed && may_hold(level, AuthLevel::General);
            m.check(&op, level, scope, s, exp(allowed), got(r));
            if let (true, Some(t)) = (done, t) {
                restore_user(core, t).await;
            }

            let to = t.map_or(M1, |t| sibling(t.mbx));
            let op = format!("user_set_network_mailbox[{rel}]");
            let r = core
                .user_set_network_mailbox(c, id, network_of(to), to)
                .await;
            let done = r.is_ok();
            let allowed = managed && writes_mailbox(level, network_of(to), to);
            m.check(
                &op,
                level,
                &format!("{scope} to {to}"),
                s,
                exp(allowed),
                got(r),
            );
            if let (true, Some(t)) = (done, t) {
                restore_user(core, t).await;
            }
        }
    }

    // Raising a user the caller manages (below it, or a peer for General) above the
    // caller: only Root may (to Root).
    let (rel, rel_level) = relations(level)[0];
    let raised = if level == AuthLevel::Root {
        AuthLevel::Root
    } else {
        LEVELS[rank(level) - 1]
    };
    let op = format!("user_set_auth_level[{rel}]->{raised}");
    for (scope, t) in w.targets_at(rel_level) {
        let exists = t.is_some();
        let visible = t.is_some_and(|t| reads_user(me, t));
        let id = t.map_or(NO_USER, |t| t.id);
        let allowed = t.is_some_and(|t| manages(me, t)) && may_hold(level, raised);
        let exp = outcome(level, exists, visible, allowed, "UserID");
        let r = core.user_set_auth_level(c, id, raised).await;
        let done = r.is_ok();
        m.check(&op, level, scope, &id.to_string(), exp, got(r));
        if let (true, Some(t)) = (done, t) {
            restore_user(core, t).await;
        }
    }

    // Moving a user of the caller's own mailbox (below it, or a peer for General) to every
    // other mailbox: the destination needs authority too.
    let t = w.target(M1, rel_level);
    for (scope, to, exists) in DESTINATIONS {
        let allowed = manages(me, t) && writes_mailbox(level, network_of(to), to);
        let (exp, subject) = if !reads_user(me, t) || !manages(me, t) {
            let exp = outcome(level, true, reads_user(me, t), false, "UserID");
            (exp, t.id.to_string())
        } else {
            let visible = reads_mailbox(level, network_of(to), to);
            let exp = outcome(level, exists, visible, allowed, "MailboxID");
            (exp, to.to_string())
        };
        let r = core
            .user_set_network_mailbox(c, t.id, network_of(to), to)
            .await;
        let done = r.is_ok();
        let op = format!("user_set_network_mailbox[own {rel}] to");
        m.check(&op, level, scope, &subject, exp, got(r));
        if done {
            restore_user(core, t).await;
        }
    }

    // Creating users below, at and above the caller's level in every mailbox.
    for (rel, rel_level) in relations(level) {
        for (scope, mbx, exists) in MAILBOXES {
            let n = network_of(mbx);
            *seq += 1;
            let request = UserCreateRequest {
                network: n,
                mailbox: mbx,
                login: format!("new{seq}_{level}"),
                password: TEST_PASSWORD.into(),
                person: Default::default(),
                recovery_answer: String::new(),
                auth_level: rel_level,
            };
            let r = core.user_create(c, request).await;
            let allowed = may_hold(level, rel_level) && writes_mailbox(level, n, mbx);
            let exp = outcome(
                level,
                exists,
                reads_mailbox(level, n, mbx),
                allowed,
                "MailboxID",
            );
            let op = format!("user_create[{rel}]");
            let scope = format!("{scope} as {rel_level}");
            m.check(&op, level, &scope, &mbx.to_string(), exp, got(r));
        }
    }

    for (scope, filter) in NETWORK_FILTERS {
        let shows = |u: &Place| reads_user(me, u) && filter.is_none_or(|f| f == u.net);
        let must = w.users.iter().filter(|u| shows(u)).map(|u| u.id.0);
        let exp = network_list_outcome(level, must.collect(), filter);
        let user_filter = UserFilter {
            network: filter,
            ..UserFilter::default()
        };
        let r = core
            .user_list(c, user_filter, Page::first(MAX_PAGE_SIZE))
            .await;
        let g = got_list(
            r,
            |u| u.id.0,
            |u| {
                shows(&Place {
                    id: u.id,
                    login: u.login.clone(),
                    level: u.auth_level,
                    net: u.network_id,
                    mbx: u.mailbox_id,
                })
            },
        );
        m.check("user_list", level, scope, &filter_subject(filter), exp, g);
    }
}

async fn partner_rows(core: &Core, w: &World, m: &mut Matrix, me: &Me, seq: &mut u32) {
    let (level, c) = (me.level, &me.caller);
    let mut subjects: Vec<(&str, Option<&(Tp, Tp)>)> = TARGET_MAILBOXES
        .iter()
        .map(|(scope, mbx)| (*scope, w.partners.get(mbx)))
        .collect();
    subjects.push(("missing", None));
    for (scope, pair) in subjects {
        let exists = pair.is_some();
        let (a, b) = match pair {
            Some((a, b)) => (a.id, b.id),
            None => (NO_ECGRID, NO_ECGRID),
        };
        let (n, mbx) = pair.map_or((NO_NETWORK, NO_MAILBOX), |(a, _)| (a.net, a.mbx));
        let visible = reads_mailbox(level, n, mbx);
        let exp = |allowed: bool| outcome(level, exists, visible, allowed, "ECGridID");
        let allowed = writes_mailbox(level, n, mbx);
        let s = a.to_string();
        let s = s.as_str();

        let r = core.partner_info(c, a).await;
        m.check("partner_info", level, scope, s, exp(true), got(r));

        let changes = PartnerChanges {
            description: Some(pair.map_or(String::new(), |(a, _)| a.description.clone())),
            ..PartnerChanges::default()
        };
        let r = core.partner_update(c, a, changes).await;
        m.check("partner_update", level, scope, s, exp(allowed), got(r));

        let r = core.partner_set_status(c, a, UserStatus::Suspended).await;
        let done = r.is_ok();
        m.check("partner_set_status", level, scope, s, exp(allowed), got(r));
        if done {
            core.partner_set_status(&operator(), a, UserStatus::Active)
                .await
                .unwrap();
        }

        let r = core.partner_set_mailbox_default(c, a).await;
        m.check(
            "partner_set_mailbox_default",
            level,
            scope,
            s,
            exp(allowed),
            got(r),
        );

        let to = if exists { sibling(mbx) } else { M1 };
        let r = core.partner_move(c, b, to).await;
        let done = r.is_ok();
        let move_allowed = allowed && writes_mailbox(level, network_of(to), to);
        let exp_move = outcome(level, exists, visible, move_allowed, "ECGridID");
        let move_scope = format!("{scope} to {to}");
        m.check(
            "partner_move",
            level,
            &move_scope,
            &b.to_string(),
            exp_move,
            got(r),
        );
        if done {
            core.partner_move(&operator(), b, mbx).await.unwrap();
        }

        // Searching a pair: found only where the caller reads it.
        let qid = pair.map_or("NOSUCHPAIR".to_string(), |(a, _)| a.pair.clone());
        let r = core
            .partner_search(
                c,
                PartnerScope::default(),
                "ZZ",
                &qid,
                Page::first(MAX_PAGE_SIZE),
            )
            .await;
        let exp = if visible && exists {
            Expect::List(BTreeSet::from([a.0]))
        } else if sees_all(level) {
            Expect::List(BTreeSet::new())
        } else {
            Expect::Hidden
        };
        let g = got_list(
            r,
            |p| p.ecgrid_id.0,
            |p| reads_mailbox(level, p.network_id, p.mailbox_id) && p.id == qid,
        );
        m.check("partner_search", level, scope, &qid, exp, g);
    }

    // Moving the own mailbox's `b` ID to every other mailbox.
    let b = &w.partners[&M1].1;
    for (scope, to, exists) in DESTINATIONS {
        let source = writes_mailbox(level, N1, M1);
        let (exp, subject) = if !reads_mailbox(level, N1, M1) || !source {
            let exp = outcome(level, true, reads_mailbox(level, N1, M1), false, "ECGridID");
            (exp, b.id.to_string())
        } else {
            let visible = reads_mailbox(level, network_of(to), to);
            let allowed = writes_mailbox(level, network_of(to), to);
            let exp = outcome(level, exists, visible, allowed, "MailboxID");
            (exp, to.to_string())
        };
        let r = core.partner_move(c, b.id, to).await;
        let done = r.is_ok();
        m.check("partner_move[own] to", level, scope, &subject, exp, got(r));
        if done {
            core.partner_move(&operator(), b.id, M1).await.unwrap();
        }
    }

    // Registering IDs (plain and VAN) in every mailbox.
    for (scope, mbx, exists) in MAILBOXES {
        let n = network_of(mbx);
        let exp = outcome(
            level,
            exists,
            reads_mailbox(level, n, mbx),
            writes_mailbox(level, n, mbx),
            "MailboxID",
        );
        for van in [false, true] {
            *seq += 1;
            let request = PartnerAddRequest {
                network: n,
                mailbox: mbx,
                qualifier: "ZZ".into(),
                id: format!("PM{seq:06}"),
                description: format!("added by {level}"),
                ..PartnerAddRequest::default()
            };
            let (op, r) = if van {
                ("partner_add_van", core.partner_add_van(c, request).await)
            } else {
                ("partner_add", core.partner_add(c, request).await)
            };
            m.check(op, level, scope, &mbx.to_string(), exp.clone(), got(r));
        }
    }

    let fixtures = w.partner_list();
    // Finding by description, in every mailbox.
    for (scope, filter) in MAILBOX_FILTERS {
        let shows = |net: NetworkId, x: MailboxId| {
            reads_mailbox(level, net, x) && filter.is_none_or(|f| f == x)
        };
        let must = fixtures.iter().filter(|p| shows(p.net, p.mbx));
        let must = must.map(|p| p.id.0).collect();
        let exp = mailbox_list_outcome(level, must, filter);
        let partner_scope = PartnerScope {
            mailbox: filter,
            ..PartnerScope::default()
        };
        let r = core
            .partner_find(c, partner_scope, "fixture", Page::first(MAX_PAGE_SIZE))
            .await;
        let g = got_list(r, |p| p.ecgrid_id.0, |p| shows(p.network_id, p.mailbox_id));
        m.check(
            "partner_find",
            level,
            scope,
            &filter_subject(filter),
            exp,
            g,
        );
    }

    // Listing by network.
    for (scope, filter) in NETWORK_FILTERS {
        let shows = |net: NetworkId, x: MailboxId| {
            reads_mailbox(level, net, x) && filter.is_none_or(|f| f == net)
        };
        let must = fixtures.iter().filter(|p| shows(p.net, p.mbx));
        let must = must.map(|p| p.id.0).collect();
        let exp = network_list_outcome(level, must, filter);
        let partner_filter = PartnerFilter {
            network: filter,
            ..PartnerFilter::default()
        };
        let r = core
            .partner_list(c, partner_filter, Page::first(MAX_PAGE_SIZE))
            .await;
        let g = got_list(r, |p| p.ecgrid_id.0, |p| shows(p.network_id, p.mailbox_id));
        m.check(
            "partner_list",
            level,
            scope,
            &filter_subject(filter),
            exp,
            g,
        );
    }
}

/// Runs the whole matrix on `app` and fails listing every mismatch.
async fn run_matrix(app: &TestApp, backend: &str) {
    let started = Instant::now();
    let world = build_world(app).await;
    let setup = started.elapsed();
    let core = &app.core;
    let mut m = Matrix::default();
    let mut seq = 0;
    for me in &world.callers {
        network_rows(core, &mut m, me, &mut seq).await;
        mailbox_rows(core, &world, &mut m, me, &mut seq).await;
        user_rows(core, &world, &mut m, me, &mut seq).await;
        partner_rows(core, &world, &mut m, me, &mut seq).await;
    }
    m.check_hidden_alike();
    println!(
        "{backend}: {} cases, answers {:?}, {} mismatches (setup {setup:.1?}, total {:.1?})",
        m.cases,
        m.kinds,
        m.mismatches.len(),
        started.elapsed()
    );
    assert!(
        m.mismatches.is_empty(),
        "{backend}: {} of {} cases differ from SPEC-VAN 14 (operation | level | scope (subject) | expected | got):\n{}",
        m.mismatches.len(),
        m.cases,
        m.mismatches.join("\n")
    );
}

#[tokio::test]
async fn directory_permission_matrix_on_sqlite() {
    let app = spawn_app().await;
    run_matrix(&app, "SQLite").await;
}

#[tokio::test]
async fn directory_permission_matrix_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        eprintln!(
            "skipped: EDIGRID_TEST_DATABASE_URL is not set, so there is no PostgreSQL to run the matrix on"
        );
        return;
    };
    let app = spawn_app_with(|s| s.database = url).await;
    run_matrix(&app, "PostgreSQL").await;
}
