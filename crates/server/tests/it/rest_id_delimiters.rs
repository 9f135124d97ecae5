//! REST `POST /v2/ids/tp-x12-delimiters` (ecgrid-docs `rest-api/ids/x12-delimiters`) over
//! HTTP on both databases: an ID's own X12 delimiters are stored and the X12 it receives is
//! delivered rewritten to them, before its mailbox's (SPEC-VAN 16), while another ID of the
//! same mailbox gets the mailbox's or, without them, the bytes as uploaded. Bad delimiters,
//! unknown IDs and callers without authority over the ID change nothing.

use std::cell::Cell;

use edigrid_domain::{AuthLevel, EcGridId, X12Delimiters};
use edigrid_testkit::{TestApp, fresh_postgres_url};
use serde_json::{Value, json};

use crate::parcel_corpus::Mbx;

const SENDER: &str = "TPDSEND";
/// Two IDs of mailbox 201 (network 100): `OWN` gets delimiters of its own, `PLAIN` not.
const OWN: &str = "TPDOWN";
const PLAIN: &str = "TPDPLAIN";
/// An ECGridID nobody registered.
const MISSING: i32 = 999_999;

/// One X12 interchange with `*` elements, `>` sub-elements, `~` terminators and no
/// repetition separator (00401), its data free of other delimiters.
fn x12(to: &str, control: u32) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*{SENDER:<15}*ZZ*{to:<15}*261201*1200*U*00401*{control:09}*0*P*>~\
         GS*PO*{SENDER}*{to}*20261201*1200*{control}*X*004010~ST*850*0001~\
         BEG*00*SA*PO{control}**20261201~SE*3*0001~GE*1*{control}~IEA*1*{control:09}~"
    )
}

/// `interchange` with its element separator, sub-element separator and segment terminator
/// replaced by `to` (in that order).
fn redelimited(interchange: &str, to: [char; 3]) -> String {
    interchange
        .chars()
        .map(|c| match c {
            '*' => to[0],
            '>' => to[1],
            '~' => to[2],
            other => other,
        })
        .collect()
}

struct Fixture {
    app: TestApp,
    sender: Mbx,
    receiver: Mbx,
    /// NetworkAdmin of network 100, which holds the receiving mailbox.
    admin: Mbx,
    /// NetworkAdmin of network 300: no authority over network 100's IDs.
    far_admin: Mbx,
    /// The operator.
    root: Mbx,
    own: i32,
    plain: i32,
    /// The InterchangeID of the last interchange uploaded to `OWN`.
    last_to_own: Cell<Option<i64>>,
}

impl Fixture {
    async fn new(app: TestApp) -> Fixture {
        let users = app
            .directory()
            .user("root", AuthLevel::Root, 1, 10)
            .user("sender", AuthLevel::MailboxUser, 100, 200)
            .user("receiver", AuthLevel::MailboxUser, 100, 201)
            .user("admin", AuthLevel::NetworkAdmin, 100, 201)
            .user("faradmin", AuthLevel::NetworkAdmin, 300, 400)
            .build()
            .await;
        app.add_partner(100, 200, "ZZ", SENDER, "sender").await;
        let own = app.add_partner(100, 201, "ZZ", OWN, "own").await.0;
        let plain = app.add_partner(100, 201, "ZZ", PLAIN, "plain").await.0;
        let mbx = async |login: &str, mailbox| Mbx {
            base: app.base_url(),
            key: app.api_key(users.user(login)).await,
            mailbox,
            http: app.http.clone(),
        };
        Fixture {
            sender: mbx("sender", 200).await,
            receiver: mbx("receiver", 201).await,
            admin: mbx("admin", 201).await,
            far_admin: mbx("faradmin", 400).await,
            root: mbx("root", 10).await,
            own,
            plain,
            last_to_own: Cell::new(None),
            app,
        }
    }

    async fn stored(&self, id: i32) -> X12Delimiters {
        let store = self.app.core.store();
        let partner = store.partner(EcGridId(id)).await.unwrap().unwrap();
        partner.x12
    }

    /// Uploads one interchange to `OWN` then one to `PLAIN` (control numbers `n`, `n + 1`)
    /// and returns them, and what mailbox 201 downloads of them (one inbound parcel).
    async fn round_trip(&self, n: u32) -> (String, String, String) {
        let (own, plain) = (x12(OWN, n), x12(PLAIN, n + 1));
        let file = format!("{own}{plain}");
        let outbound = self
            .sender
            .upload_ok(&format!("ids-{n}.x12"), file.as_bytes())
            .await;
        let manifest = self.sender.manifest(outbound).await;
        assert_eq!(manifest.len(), 2, "{manifest:?}");
        let got = self.received().await;
        self.last_to_own.set(manifest[0]["interchangeId"].as_i64());
        (own, plain, got)
    }

    /// The one parcel waiting in mailbox 201, downloaded and confirmed.
    async fn received(&self) -> String {
        let inbox = self.receiver.inbox().await;
        assert_eq!(inbox.len(), 1, "one inbound parcel: {inbox:?}");
        let content = self.receiver.download(inbox[0]).await;
        self.receiver.confirm(inbox[0]).await;
        String::from_utf8(content).unwrap()
    }
}

fn set(id: i32, element: &str, sub_element: &str, segment: &str) -> Value {
    json!({"ecGridId": id, "elementDelimiter": element, "subElementDelimiter": sub_element,
        "segmentTerminator": segment})
}

const PATH: &str = "/v2/ids/tp-x12-delimiters";

async fn an_ids_delimiters_come_before_its_mailboxs(app: TestApp) {
    let f = Fixture::new(app).await;
    let none = X12Delimiters::default();
    assert_eq!(f.stored(f.own).await, none);

    // Nothing set anywhere: both interchanges arrive as uploaded.
    let (own, plain, got) = f.round_trip(1).await;
    assert_eq!(got, format!("{own}{plain}"));

    let done = f.admin.post(PATH, &set(f.own, "#", "@", "%")).await;
    assert_eq!(done.ok(), &json!(true), "{}", done.body);
    assert_eq!(done.body["success"], json!(true));
    let wanted = X12Delimiters {
        segment: b'%',
        element: b'#',
        sub_element: b'@',
    };
    assert_eq!(f.stored(f.own).await, wanted);
    assert_eq!(f.stored(f.plain).await, none, "the other ID is untouched");

    // OWN's interchange is rewritten to its delimiters; PLAIN's goes as uploaded.
    let (own, plain, got) = f.round_trip(3).await;
    assert_eq!(
        got,
        format!("{}{plain}", redelimited(&own, ['#', '@', '%']))
    );
    assert!(got.starts_with("ISA#00#"), "{got}");

    // The mailbox sets its own: PLAIN gets them, OWN keeps its own.
    let mailbox = json!({"mailboxId": 201, "elementDelimiter": "|",
        "subElementDelimiter": "<", "segmentTerminator": "!"});
    let done = f.admin.post("/v2/mailboxes/x12-delimiters", &mailbox).await;
    assert_eq!(done.message(), "X12 delimiters updated.", "{}", done.body);
    let (own, plain, got) = f.round_trip(5).await;
    assert_eq!(
        got,
        format!(
            "{}{}",
            redelimited(&own, ['#', '@', '%']),
            redelimited(&plain, ['|', '<', '!'])
        )
    );

    // An operator's resend of OWN's interchange delivers it again with OWN's delimiters.
    let id = f.last_to_own.get().unwrap();
    let resent = f
        .root
        .post(&format!("/v2/interchanges/resend/{id}"), &json!({}))
        .await;
    assert_eq!(resent.ok(), &json!(true), "{}", resent.body);
    assert_eq!(f.received().await, redelimited(&own, ['#', '@', '%']));

    // Set again, to other ones: the latest set is what is delivered.
    let done = f.admin.post(PATH, &set(f.own, "^", ":", "\n")).await;
    assert_eq!(done.ok(), &json!(true), "{}", done.body);
    let (own, plain, got) = f.round_trip(7).await;
    assert_eq!(
        got,
        format!(
            "{}{}",
            redelimited(&own, ['^', ':', '\n']),
            redelimited(&plain, ['|', '<', '!'])
        )
    );
}

async fn bad_sets_and_strangers_change_nothing(app: TestApp) {
    let f = Fixture::new(app).await;
    let first = f.admin.post(PATH, &set(f.own, "#", "@", "%")).await;
    assert_eq!(first.ok(), &json!(true), "{}", first.body);
    let kept = f.stored(f.own).await;

    #[rustfmt::skip]
    let invalid = [
        (set(f.own, "##", "@", "%"), "elementDelimiter"),
        (set(f.own, "#", "", "%"), "subElementDelimiter"),
        (set(f.own, "#", "@", "A"), "segmentTerminator"),
        (set(f.own, "#", "@", "é"), "segmentTerminator"),
        (set(f.own, "#", "#", "%"), "elementDelimiter"),
        (json!({"ecGridId": f.own, "elementDelimiter": "#", "subElementDelimiter": "@"}),
            "segmentTerminator"),
        (set(0, "#", "@", "%"), "ecGridId"),
    ];
    for (body, field) in invalid {
        let reply = f.admin.post(PATH, &body).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(reply.body["success"], json!(false), "{}", reply.body);
        assert!(
            reply.message().contains(field),
            "{body}: names {field}: {}",
            reply.body
        );
        assert_eq!(f.stored(f.own).await, kept, "{body} changed nothing");
    }

    // Another network's admin may not change it, and cannot tell it from an unknown ID.
    let far = f.far_admin.post(PATH, &set(f.own, "|", "<", "!")).await;
    far.assert_error(403, "AccessDenied");
    let unknown = f.far_admin.post(PATH, &set(MISSING, "|", "<", "!")).await;
    assert_eq!(far.body, unknown.body, "no existence oracle");
    // Nor may a user of the receiving mailbox without authority over its IDs.
    let user = f.receiver.post(PATH, &set(f.own, "|", "<", "!")).await;
    user.assert_error(403, "AccessDenied");
    // An unknown ID: out of reach for the network's admin, not found for the operator.
    f.admin
        .post(PATH, &set(MISSING, "|", "<", "!"))
        .await
        .assert_error(403, "AccessDenied");
    let unknown = f.root.post(PATH, &set(MISSING, "|", "<", "!")).await;
    unknown.assert_error(404, "ObjectNotFound");
    assert!(unknown.message().contains("ecGridId"), "{}", unknown.body);
    assert_eq!(f.stored(f.own).await, kept, "strangers changed nothing");
    assert_eq!(f.stored(f.plain).await, X12Delimiters::default());

    // And the delivery still follows the stored set.
    let (own, plain, got) = f.round_trip(11).await;
    assert_eq!(
        got,
        format!("{}{plain}", redelimited(&own, ['#', '@', '%']))
    );
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(edigrid_testkit::spawn_app_open_routes().await).await;
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(url) = super::fresh_postgres_url().await else {
                        eprintln!("EDIGRID_TEST_DATABASE_URL is not set: PostgreSQL variant not run");
                        return;
                    };
                    super::$name(edigrid_testkit::spawn_app_open_routes_on(url).await).await;
                }
            )+
        }
    };
}

on_both_backends!(
    an_ids_delimiters_come_before_its_mailboxs,
    bad_sets_and_strangers_change_nothing,
);
