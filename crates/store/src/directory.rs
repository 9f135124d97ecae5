//! The directory's storage (networks, mailboxes, users' directory fields, trading-partner
//! IDs), written once for both databases (see [`crate::sql`]): the rows, the operations, and
//! [`directory_store!`], which writes a store's `DirectoryStore` impl as calls to them.

use chrono::{DateTime, Utc};
use edigrid_core::StoreError;
use edigrid_core::store::{
    Address, Contacts, Mailbox, MailboxConfig, MailboxFilter, Network, NetworkFilter, NewUser,
    Page, Paged, PartnerFilter, PartnerOrder, Person, StoreResult, TradingPartner, User,
    UserFilter, Websites,
};
use edigrid_domain::{
    AuthLevel, EcGridId, MailboxId, NetworkId, UserId, UserStatus, X12Delimiters, partner_id_key,
};

mod joined;

pub(crate) use joined::{
    list_partner_details, list_partner_details_inline, route_by_address, route_by_address_inline,
};

use crate::convert::{UserRow, one, parsed, time};
use crate::sql::{
    Backend, Conditions, Conn, Fields, Stmt, insert, insert_numbered, insert_with_number, list,
    missing_unless_any, page_only, update,
};

// ---- rows -----------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub(crate) struct AddressRow {
    address1: String,
    address2: String,
    city: String,
    state: String,
    zip: String,
    country: String,
}

impl From<AddressRow> for Address {
    fn from(r: AddressRow) -> Self {
        Address {
            address1: r.address1,
            address2: r.address2,
            city: r.city,
            state: r.state,
            zip: r.zip,
            country: r.country,
        }
    }
}

fn address_fields(a: &Address) -> Fields {
    vec![
        ("address1", (&a.address1).into()),
        ("address2", (&a.address2).into()),
        ("city", (&a.city).into()),
        ("state", (&a.state).into()),
        ("zip", (&a.zip).into()),
        ("country", (&a.country).into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactsRow {
    contact_owner: i32,
    contact_errors: i32,
    contact_interconnects: i32,
    contact_notices: i32,
    contact_reports: i32,
    contact_accounting: i32,
    contact_customer_service: i32,
}

impl From<ContactsRow> for Contacts {
    fn from(r: ContactsRow) -> Self {
        Contacts {
            owner: UserId(r.contact_owner),
            errors: UserId(r.contact_errors),
            interconnects: UserId(r.contact_interconnects),
            notices: UserId(r.contact_notices),
            reports: UserId(r.contact_reports),
            accounting: UserId(r.contact_accounting),
            customer_service: UserId(r.contact_customer_service),
        }
    }
}

fn contacts_fields(c: &Contacts) -> Fields {
    vec![
        ("contact_owner", c.owner.0.into()),
        ("contact_errors", c.errors.0.into()),
        ("contact_interconnects", c.interconnects.0.into()),
        ("contact_notices", c.notices.0.into()),
        ("contact_reports", c.reports.0.into()),
        ("contact_accounting", c.accounting.0.into()),
        ("contact_customer_service", c.customer_service.0.into()),
    ]
}

#[derive(sqlx::FromRow)]
pub(crate) struct X12Row {
    x12_segment: i32,
    x12_element: i32,
    x12_sub_element: i32,
}

impl TryFrom<X12Row> for X12Delimiters {
    type Error = StoreError;
    fn try_from(r: X12Row) -> Result<Self, StoreError> {
        let byte = |n: i32| {
            u8::try_from(n)
                .map_err(|_| StoreError::Backend(format!("stored delimiter {n} is not a byte")))
        };
        Ok(X12Delimiters {
            segment: byte(r.x12_segment)?,
            element: byte(r.x12_element)?,
            sub_element: byte(r.x12_sub_element)?,
        })
    }
}

fn x12_fields(x: &X12Delimiters) -> Fields {
    vec![
        ("x12_segment", i32::from(x.segment).into()),
        ("x12_element", i32::from(x.element).into()),
        ("x12_sub_element", i32::from(x.sub_element).into()),
    ]
}

fn small(n: i32, what: &str) -> StoreResult<i16> {
    i16::try_from(n).map_err(|_| StoreError::Backend(format!("stored {what} {n} is out of range")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct NetworkRow {
    id: i32,
    name: String,
    unique_id: String,
    location: String,
    #[sqlx(flatten)]
    address: AddressRow,
    phone: String,
    admin_email: String,
    website_home: String,
    website_support: String,
    website_login: String,
    status: String,
    #[sqlx(flatten)]
    contacts: ContactsRow,
    #[sqlx(flatten)]
    x12: X12Row,
    delete_on_download: bool,
    created_ms: i64,
    modified_ms: i64,
}

impl TryFrom<NetworkRow> for Network {
    type Error = StoreError;
    fn try_from(r: NetworkRow) -> Result<Self, StoreError> {
        Ok(Network {
            id: NetworkId(r.id),
            name: r.name,
            unique_id: r.unique_id,
            location: r.location,
            address: r.address.into(),
            phone: r.phone,
            admin_email: r.admin_email,
            websites: Websites {
                home: r.website_home,
                support: r.website_support,
                login: r.website_login,
            },
            status: parsed(&r.status, "Status")?,
            contacts: r.contacts.into(),
            x12: r.x12.try_into()?,
            delete_on_download: r.delete_on_download,
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

/// Every column of a network but `id` and `created_ms`.
fn network_fields(n: &Network) -> Fields {
    let mut f: Fields = vec![
        ("name", (&n.name).into()),
        ("unique_id", (&n.unique_id).into()),
        ("location", (&n.location).into()),
        ("phone", (&n.phone).into()),
        ("admin_email", (&n.admin_email).into()),
        ("website_home", (&n.websites.home).into()),
        ("website_support", (&n.websites.support).into()),
        ("website_login", (&n.websites.login).into()),
        ("status", n.status.as_str().into()),
        ("delete_on_download", n.delete_on_download.into()),
        ("modified_ms", n.modified.into()),
    ];
    f.extend(address_fields(&n.address));
    f.extend(contacts_fields(&n.contacts));
    f.extend(x12_fields(&n.x12));
    f
}

#[derive(sqlx::FromRow)]
pub(crate) struct MailboxRow {
    id: i32,
    network_id: i32,
    name: String,
    unique_id: String,
    description: String,
    #[sqlx(flatten)]
    address: AddressRow,
    phone: String,
    admin_email: String,
    status: String,
    #[sqlx(flatten)]
    contacts: ContactsRow,
    managed: bool,
    use_type: String,
    inbox_timeout_minutes: i32,
    #[sqlx(flatten)]
    x12: X12Row,
    ebcdic_filter: i32,
    ftp_ascii_filter: bool,
    low_pass_filter: bool,
    mailbag_pass_through: bool,
    delete_on_download: bool,
    strip_directed_envelope: bool,
    notify_email: String,
    notify_on_inbox: bool,
    default_as2_id: String,
    created_ms: i64,
    modified_ms: i64,
}

impl TryFrom<MailboxRow> for Mailbox {
    type Error = StoreError;
    fn try_from(r: MailboxRow) -> Result<Self, StoreError> {
        Ok(Mailbox {
            id: MailboxId(r.id),
            network_id: NetworkId(r.network_id),
            name: r.name,
            unique_id: r.unique_id,
            description: r.description,
            address: r.address.into(),
            phone: r.phone,
            admin_email: r.admin_email,
            status: parsed(&r.status, "Status")?,
            contacts: r.contacts.into(),
            managed: r.managed,
            use_type: parsed(&r.use_type, "UseType")?,
            config: MailboxConfig {
                inbox_timeout_minutes: small(r.inbox_timeout_minutes, "InBoxTimeout")?,
                x12: r.x12.try_into()?,
                ebcdic_filter: small(r.ebcdic_filter, "EBCDICFilter")?,
                ftp_ascii_filter: r.ftp_ascii_filter,
                low_pass_filter: r.low_pass_filter,
                mailbag_pass_through: r.mailbag_pass_through,
                delete_on_download: r.delete_on_download,
                strip_directed_envelope: r.strip_directed_envelope,
                notify_email: r.notify_email,
                notify_on_inbox: r.notify_on_inbox,
            },
            default_as2_id: r.default_as2_id,
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

/// Every column of a mailbox but `id`, `network_id` and `created_ms`.
fn mailbox_fields(m: &Mailbox) -> Fields {
    let c = &m.config;
    let mut f: Fields = vec![
        ("name", (&m.name).into()),
        ("unique_id", (&m.unique_id).into()),
        ("description", (&m.description).into()),
        ("phone", (&m.phone).into()),
        ("admin_email", (&m.admin_email).into()),
        ("status", m.status.as_str().into()),
        ("managed", m.managed.into()),
        ("use_type", m.use_type.as_str().into()),
        (
            "inbox_timeout_minutes",
            i32::from(c.inbox_timeout_minutes).into(),
        ),
        ("ebcdic_filter", i32::from(c.ebcdic_filter).into()),
        ("ftp_ascii_filter", c.ftp_ascii_filter.into()),
        ("low_pass_filter", c.low_pass_filter.into()),
        ("mailbag_pass_through", c.mailbag_pass_through.into()),
        ("delete_on_download", c.delete_on_download.into()),
        ("strip_directed_envelope", c.strip_directed_envelope.into()),
        ("notify_email", (&c.notify_email).into()),
        ("notify_on_inbox", c.notify_on_inbox.into()),
        ("default_as2_id", (&m.default_as2_id).into()),
        ("modified_ms", m.modified.into()),
    ];
    f.extend(address_fields(&m.address));
    f.extend(contacts_fields(&m.contacts));
    f.extend(x12_fields(&c.x12));
    f
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartnerRow {
    ecgrid_id: i32,
    network_id: i32,
    mailbox_id: i32,
    qualifier: String,
    id: String,
    description: String,
    status: String,
    data_email: String,
    routing_group: String,
    is_default: bool,
    owner: i32,
    van: bool,
    simulated: bool,
    #[sqlx(flatten)]
    x12: X12Row,
    created_ms: i64,
    modified_ms: i64,
}

impl TryFrom<PartnerRow> for TradingPartner {
    type Error = StoreError;
    fn try_from(r: PartnerRow) -> Result<Self, StoreError> {
        Ok(TradingPartner {
            ecgrid_id: EcGridId(r.ecgrid_id),
            network_id: NetworkId(r.network_id),
            mailbox_id: MailboxId(r.mailbox_id),
            qualifier: r.qualifier,
            id: r.id,
            description: r.description,
            status: parsed(&r.status, "Status")?,
            data_email: r.data_email,
            routing_group: parsed(&r.routing_group, "RoutingGroup")?,
            is_default: r.is_default,
            owner: UserId(r.owner),
            van: r.van,
            simulated: r.simulated,
            x12: r.x12.try_into()?,
            created: time(r.created_ms)?,
            modified: time(r.modified_ms)?,
        })
    }
}

/// Every column of a trading-partner ID but `ecgrid_id` and `created_ms`, with the keys the
/// pair is compared by.
fn partner_fields(p: &TradingPartner) -> Fields {
    let mut f: Fields = vec![
        ("network_id", p.network_id.0.into()),
        ("mailbox_id", p.mailbox_id.0.into()),
        ("qualifier", (&p.qualifier).into()),
        ("id", (&p.id).into()),
        ("qualifier_key", p.qualifier.to_ascii_uppercase().into()),
        ("id_key", partner_id_key(&p.id).into()),
        ("description", (&p.description).into()),
        ("status", p.status.as_str().into()),
        ("data_email", (&p.data_email).into()),
        ("routing_group", p.routing_group.as_str().into()),
        ("is_default", p.is_default.into()),
        ("owner", p.owner.0.into()),
        ("van", p.van.into()),
        ("simulated", p.simulated.into()),
        ("modified_ms", p.modified.into()),
    ];
    f.extend(x12_fields(&p.x12));
    f
}

/// A partner's pair conflict, named as the caller gave it.
fn pair_taken(p: &TradingPartner) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("{}:{} is already registered", p.qualifier, p.id))
        }
        other => other,
    }
}

/// A user's profile columns (with `modified_ms`).
fn person_fields(p: &Person, modified: DateTime<Utc>) -> Fields {
    vec![
        ("first_name", (&p.first_name).into()),
        ("last_name", (&p.last_name).into()),
        ("email", (&p.email).into()),
        ("company", (&p.company).into()),
        ("phone", (&p.phone).into()),
        ("cell_phone", (&p.cell_phone).into()),
        ("cell_carrier", p.cell_carrier.as_str().into()),
        ("time_zone_offset", i32::from(p.time_zone_offset).into()),
        ("recovery_question", (&p.recovery_question).into()),
        ("modified_ms", modified.into()),
    ]
}

// ---- networks -------------------------------------------------------------------------------

pub(crate) async fn insert_network<B: Backend>(db: &B, n: &Network) -> StoreResult<NetworkId> {
    let id = insert_with_number(db, n.id.0, || {
        let mut fields = network_fields(n);
        fields.push(("created_ms", n.created.into()));
        insert_numbered("networks", n.id.0, fields)
    })
    .await?;
    Ok(NetworkId(id))
}

pub(crate) async fn network<B: Backend>(db: &B, id: NetworkId) -> StoreResult<Option<Network>> {
    let stmt = Stmt::new("SELECT * FROM networks WHERE id = $1").bind(id.0);
    one::<NetworkRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn update_network<B: Backend>(db: &B, n: &Network) -> StoreResult<()> {
    let stmt = update("networks", network_fields(n), "id", n.id.0);
    let rows = db.conn().await?.execute(stmt).await?;
    missing_unless_any(rows, || format!("network {}", n.id))
}

fn list_networks_stmts(f: &NetworkFilter, page: Page) -> (Stmt, Stmt) {
    let mut c = Conditions::default();
    c.equals("id", f.network.map(|n| n.0));
    c.equals("status", f.status.map(UserStatus::as_str));
    c.contains(&["name"], f.name_contains.as_deref());
    c.hide_terminated(f.hide_terminated);
    c.page("networks", "id", page)
}

pub(crate) async fn list_networks<B: Backend>(
    db: &B,
    f: &NetworkFilter,
    page: Page,
) -> StoreResult<Paged<Network>> {
    list::<B, NetworkRow, _>(db, list_networks_stmts(f, page), page).await
}

/// The page [`list_networks`] gives, without its count.
pub(crate) async fn network_page<B: Backend>(
    db: &B,
    f: &NetworkFilter,
    page: Page,
) -> StoreResult<Vec<Network>> {
    let (select, _count) = list_networks_stmts(f, page);
    page_only::<B, NetworkRow, _>(db, select).await
}

// ---- mailboxes ------------------------------------------------------------------------------

pub(crate) async fn insert_mailbox<B: Backend>(db: &B, m: &Mailbox) -> StoreResult<MailboxId> {
    let id = insert_with_number(db, m.id.0, || {
        let mut fields = mailbox_fields(m);
        fields.push(("network_id", m.network_id.0.into()));
        fields.push(("created_ms", m.created.into()));
        insert_numbered("mailboxes", m.id.0, fields)
    })
    .await?;
    Ok(MailboxId(id))
}

pub(crate) async fn mailbox<B: Backend>(db: &B, id: MailboxId) -> StoreResult<Option<Mailbox>> {
    let stmt = Stmt::new("SELECT * FROM mailboxes WHERE id = $1").bind(id.0);
    one::<MailboxRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn update_mailbox<B: Backend>(db: &B, m: &Mailbox) -> StoreResult<()> {
    let stmt = update("mailboxes", mailbox_fields(m), "id", m.id.0);
    let rows = db.conn().await?.execute(stmt).await?;
    missing_unless_any(rows, || format!("mailbox {}", m.id))
}

pub(crate) async fn set_mailbox_status<B: Backend>(
    db: &B,
    id: MailboxId,
    status: UserStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    let rows = tx
        .execute(
            Stmt::new("UPDATE mailboxes SET status = $1, modified_ms = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(now)
                .bind(id.0),
        )
        .await?;
    missing_unless_any(rows, || format!("mailbox {id}"))?;
    if status == UserStatus::Terminated {
        tx.execute(
            Stmt::new(
                "UPDATE partners SET status = 'Terminated', modified_ms = $1 \
                 WHERE mailbox_id = $2 AND status <> 'Terminated'",
            )
            .bind(now)
            .bind(id.0),
        )
        .await?;
    }
    db.commit(tx).await
}

pub(crate) fn list_mailboxes_stmts(f: &MailboxFilter, page: Page) -> (Stmt, Stmt) {
    let mut c = Conditions::default();
    c.equals("network_id", f.network.map(|n| n.0));
    c.equals("id", f.mailbox.map(|m| m.0));
    c.equals("status", f.status.map(UserStatus::as_str));
    c.contains(&["name"], f.name_contains.as_deref());
    c.hide_terminated(f.hide_terminated);
    c.page("mailboxes", "id", page)
}

pub(crate) async fn list_mailboxes<B: Backend>(
    db: &B,
    f: &MailboxFilter,
    page: Page,
) -> StoreResult<Paged<Mailbox>> {
    list::<B, MailboxRow, _>(db, list_mailboxes_stmts(f, page), page).await
}

/// The page [`list_mailboxes`] gives, without its count.
pub(crate) async fn mailbox_page<B: Backend>(
    db: &B,
    f: &MailboxFilter,
    page: Page,
) -> StoreResult<Vec<Mailbox>> {
    let (select, _count) = list_mailboxes_stmts(f, page);
    page_only::<B, MailboxRow, _>(db, select).await
}

// ---- users ----------------------------------------------------------------------------------

pub(crate) async fn insert_user<B: Backend>(db: &B, u: &NewUser) -> StoreResult<UserId> {
    let mut fields = person_fields(&u.person, u.created);
    fields.extend([
        ("login", (&u.login).into()),
        ("login_key", edigrid_domain::login_key(&u.login).into()),
        ("password_hash", (&u.password_hash).into()),
        ("network_id", u.network_id.0.into()),
        ("mailbox_id", u.mailbox_id.0.into()),
        ("auth_level", u.auth_level.as_str().into()),
        ("status", u.status.as_str().into()),
        (
            "recovery_answer_hash",
            u.recovery_answer_hash.as_deref().into(),
        ),
        ("created_ms", u.created.into()),
    ]);
    let stmt = insert("users", fields, "RETURNING id");
    match db.conn().await?.fetch_optional::<(i32,)>(stmt).await? {
        Some((id,)) => Ok(UserId(id)),
        None => Err(StoreError::Backend("INSERT returned no row".into())),
    }
}

fn list_users_stmts(f: &UserFilter, page: Page) -> (Stmt, Stmt) {
    let mut c = Conditions::default();
    c.equals("network_id", f.network.map(|n| n.0));
    c.equals("mailbox_id", f.mailbox.map(|m| m.0));
    c.equals("auth_level", f.auth_level.map(AuthLevel::as_str));
    c.equals("status", f.status.map(UserStatus::as_str));
    c.contains(
        &["login", "first_name", "last_name"],
        f.name_contains.as_deref(),
    );
    c.hide_terminated(f.hide_terminated);
    c.page("users", "id", page)
}

pub(crate) async fn list_users<B: Backend>(
    db: &B,
    f: &UserFilter,
    page: Page,
) -> StoreResult<Paged<User>> {
    list::<B, UserRow, _>(db, list_users_stmts(f, page), page).await
}

/// The page [`list_users`] gives, without its count.
pub(crate) async fn user_page<B: Backend>(
    db: &B,
    f: &UserFilter,
    page: Page,
) -> StoreResult<Vec<User>> {
    let (select, _count) = list_users_stmts(f, page);
    page_only::<B, UserRow, _>(db, select).await
}

async fn update_user<B: Backend>(db: &B, id: UserId, fields: Fields) -> StoreResult<()> {
    let rows = db
        .conn()
        .await?
        .execute(update("users", fields, "id", id.0))
        .await?;
    missing_unless_any(rows, || format!("user {id}"))
}

pub(crate) async fn update_user_profile<B: Backend>(
    db: &B,
    id: UserId,
    person: &Person,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    update_user(db, id, person_fields(person, now)).await
}

pub(crate) async fn set_auth_level<B: Backend>(
    db: &B,
    id: UserId,
    level: AuthLevel,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let fields = vec![
        ("auth_level", level.as_str().into()),
        ("modified_ms", now.into()),
    ];
    update_user(db, id, fields).await
}

pub(crate) async fn set_user_home<B: Backend>(
    db: &B,
    id: UserId,
    network: NetworkId,
    mailbox: MailboxId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let fields = vec![
        ("network_id", network.0.into()),
        ("mailbox_id", mailbox.0.into()),
        ("modified_ms", now.into()),
    ];
    update_user(db, id, fields).await
}

pub(crate) async fn set_recovery<B: Backend>(
    db: &B,
    id: UserId,
    question: &str,
    answer_hash: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let fields = vec![
        ("recovery_question", question.into()),
        ("recovery_answer_hash", answer_hash.into()),
        ("modified_ms", now.into()),
    ];
    update_user(db, id, fields).await
}

// ---- trading-partner IDs --------------------------------------------------------------------

/// In a write transaction: locks the mailbox row (so that writes to one mailbox's IDs run one
/// after another) and, when `default_of` is given, takes the default from the mailbox's
/// other IDs. `Missing` if there is no such mailbox.
async fn claim_mailbox<C: Conn>(
    tx: &mut C,
    mailbox: MailboxId,
    default_except: Option<EcGridId>,
) -> StoreResult<()> {
    let rows = tx
        .execute(
            Stmt::new("UPDATE mailboxes SET modified_ms = modified_ms WHERE id = $1")
                .bind(mailbox.0),
        )
        .await?;
    missing_unless_any(rows, || format!("mailbox {mailbox}"))?;
    if let Some(except) = default_except {
        tx.execute(
            Stmt::new(
                "UPDATE partners SET is_default = FALSE \
                 WHERE mailbox_id = $1 AND is_default AND ecgrid_id <> $2",
            )
            .bind(mailbox.0)
            .bind(except.0),
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_partner<B: Backend>(
    db: &B,
    p: &TradingPartner,
) -> StoreResult<EcGridId> {
    let mut tx = db.begin().await?;
    claim_mailbox(&mut *tx, p.mailbox_id, p.is_default.then_some(EcGridId(0))).await?;
    let mut fields = partner_fields(p);
    fields.push(("created_ms", p.created.into()));
    let id: Option<(i32,)> = tx
        .fetch_optional(insert("partners", fields, "RETURNING ecgrid_id"))
        .await
        .map_err(pair_taken(p))?;
    let Some((id,)) = id else {
        return Err(StoreError::Backend("INSERT returned no row".into()));
    };
    db.commit(tx).await?;
    Ok(EcGridId(id))
}

pub(crate) async fn partner<B: Backend>(
    db: &B,
    id: EcGridId,
) -> StoreResult<Option<TradingPartner>> {
    let stmt = Stmt::new("SELECT * FROM partners WHERE ecgrid_id = $1").bind(id.0);
    one::<PartnerRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

pub(crate) async fn update_partner<B: Backend>(db: &B, p: &TradingPartner) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    claim_mailbox(&mut *tx, p.mailbox_id, p.is_default.then_some(p.ecgrid_id)).await?;
    let rows = tx
        .execute(update(
            "partners",
            partner_fields(p),
            "ecgrid_id",
            p.ecgrid_id.0,
        ))
        .await
        .map_err(pair_taken(p))?;
    missing_unless_any(rows, || format!("trading partner {}", p.ecgrid_id))?;
    db.commit(tx).await
}

fn list_partners_stmts(f: &PartnerFilter, page: Page) -> (Stmt, Stmt) {
    let mut c = Conditions::default();
    // A search by ID is bounded by `partners_by_key` whatever else it names.
    if f.id_key.is_some() {
        c.equals_unindexed("network_id", f.network.map(|n| n.0));
        c.equals_unindexed("mailbox_id", f.mailbox.map(|m| m.0));
        c.equals_unindexed("owner", f.owner.map(|u| u.0));
    } else {
        c.equals("network_id", f.network.map(|n| n.0));
        c.equals("mailbox_id", f.mailbox.map(|m| m.0));
        c.equals("owner", f.owner.map(|u| u.0));
    }
    c.equals("qualifier_key", f.qualifier_key.as_deref());
    c.equals("id_key", f.id_key.as_deref());
    c.contains(&["description"], f.description_contains.as_deref());
    c.any_of("status", f.statuses.iter().map(|s| s.as_str()));
    c.equals("simulated", f.simulated);
    c.page("partners", partner_order(f.order), page)
}

/// The columns of an order, separated by `", "`.
fn partner_order(order: PartnerOrder) -> &'static str {
    match order {
        PartnerOrder::EcGridId => "ecgrid_id",
        PartnerOrder::Description => "description, ecgrid_id",
        PartnerOrder::QualifierId => "qualifier_key, id_key, ecgrid_id",
    }
}

pub(crate) async fn list_partners<B: Backend>(
    db: &B,
    f: &PartnerFilter,
    page: Page,
) -> StoreResult<Paged<TradingPartner>> {
    list::<B, PartnerRow, _>(db, list_partners_stmts(f, page), page).await
}

/// Served by the partial unique index on the pair: its condition is repeated word for word,
/// which is how SQLite knows the index applies.
pub(crate) fn partner_by_address_stmt(qualifier_key: &str, id_key: &str) -> Stmt {
    Stmt::new(
        "SELECT * FROM partners WHERE qualifier_key = $1 AND id_key = $2 \
         AND status <> 'Terminated' AND status = 'Active'",
    )
    .bind(qualifier_key)
    .bind(id_key)
}

pub(crate) async fn partner_by_address<B: Backend>(
    db: &B,
    qualifier_key: &str,
    id_key: &str,
) -> StoreResult<Option<TradingPartner>> {
    let stmt = partner_by_address_stmt(qualifier_key, id_key);
    one::<PartnerRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

/// Implements `DirectoryStore` for a store with a `pool` field whose type is a [`Backend`],
/// by calling the operations above.
macro_rules! directory_store {
    ($store:ty) => {
        const _: () = {
            use chrono::{DateTime, Utc};
            use edigrid_core::DirectoryStore;
            use edigrid_core::store::{
                Mailbox, MailboxFilter, Network, NetworkFilter, Page, Paged, PartnerDetail,
                PartnerFilter, Person, StoreResult, TradingPartner, User, UserFilter,
            };
            use edigrid_domain::{AuthLevel, EcGridId, MailboxId, NetworkId, UserId, UserStatus};

            use $crate::directory as d;

            #[async_trait::async_trait]
            impl DirectoryStore for $store {
                async fn insert_network(&self, network: &Network) -> StoreResult<NetworkId> {
                    d::insert_network(&self.pool, network).await
                }

                async fn network(&self, id: NetworkId) -> StoreResult<Option<Network>> {
                    d::network(&self.pool, id).await
                }

                async fn update_network(&self, network: &Network) -> StoreResult<()> {
                    d::update_network(&self.pool, network).await
                }

                async fn list_networks(
                    &self,
                    filter: &NetworkFilter,
                    page: Page,
                ) -> StoreResult<Paged<Network>> {
                    d::list_networks(&self.pool, filter, page).await
                }

                async fn network_page(
                    &self,
                    filter: &NetworkFilter,
                    page: Page,
                ) -> StoreResult<Vec<Network>> {
                    d::network_page(&self.pool, filter, page).await
                }

                async fn insert_mailbox(&self, mailbox: &Mailbox) -> StoreResult<MailboxId> {
                    d::insert_mailbox(&self.pool, mailbox).await
                }

                async fn mailbox(&self, id: MailboxId) -> StoreResult<Option<Mailbox>> {
                    d::mailbox(&self.pool, id).await
                }

                async fn update_mailbox(&self, mailbox: &Mailbox) -> StoreResult<()> {
                    d::update_mailbox(&self.pool, mailbox).await
                }

                async fn set_mailbox_status(
                    &self,
                    id: MailboxId,
                    status: UserStatus,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    d::set_mailbox_status(&self.pool, id, status, now).await
                }

                async fn list_mailboxes(
                    &self,
                    filter: &MailboxFilter,
                    page: Page,
                ) -> StoreResult<Paged<Mailbox>> {
                    d::list_mailboxes(&self.pool, filter, page).await
                }

                async fn mailbox_page(
                    &self,
                    filter: &MailboxFilter,
                    page: Page,
                ) -> StoreResult<Vec<Mailbox>> {
                    d::mailbox_page(&self.pool, filter, page).await
                }

                async fn list_users(
                    &self,
                    filter: &UserFilter,
                    page: Page,
                ) -> StoreResult<Paged<User>> {
                    d::list_users(&self.pool, filter, page).await
                }

                async fn user_page(
                    &self,
                    filter: &UserFilter,
                    page: Page,
                ) -> StoreResult<Vec<User>> {
                    d::user_page(&self.pool, filter, page).await
                }

                async fn update_user_profile(
                    &self,
                    id: UserId,
                    person: &Person,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    d::update_user_profile(&self.pool, id, person, now).await
                }

                async fn set_auth_level(
                    &self,
                    id: UserId,
                    level: AuthLevel,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    d::set_auth_level(&self.pool, id, level, now).await
                }

                async fn set_user_home(
                    &self,
                    id: UserId,
                    network: NetworkId,
                    mailbox: MailboxId,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    d::set_user_home(&self.pool, id, network, mailbox, now).await
                }

                async fn set_recovery(
                    &self,
                    id: UserId,
                    question: &str,
                    answer_hash: Option<&str>,
                    now: DateTime<Utc>,
                ) -> StoreResult<()> {
                    d::set_recovery(&self.pool, id, question, answer_hash, now).await
                }

                async fn insert_partner(&self, partner: &TradingPartner) -> StoreResult<EcGridId> {
                    d::insert_partner(&self.pool, partner).await
                }

                async fn partner(&self, id: EcGridId) -> StoreResult<Option<TradingPartner>> {
                    d::partner(&self.pool, id).await
                }

                async fn update_partner(&self, partner: &TradingPartner) -> StoreResult<()> {
                    d::update_partner(&self.pool, partner).await
                }

                async fn list_partners(
                    &self,
                    filter: &PartnerFilter,
                    page: Page,
                ) -> StoreResult<Paged<TradingPartner>> {
                    d::list_partners(&self.pool, filter, page).await
                }

                async fn list_partner_details(
                    &self,
                    filter: &PartnerFilter,
                    page: Page,
                ) -> StoreResult<Paged<PartnerDetail>> {
                    // Each store chooses how: SQLite reads a search inline.
                    self.partner_details(filter, page).await
                }

                async fn partner_by_address(
                    &self,
                    qualifier_key: &str,
                    id_key: &str,
                ) -> StoreResult<Option<TradingPartner>> {
                    d::partner_by_address(&self.pool, qualifier_key, id_key).await
                }

                async fn route_by_address(
                    &self,
                    qualifier_key: &str,
                    id_key: &str,
                ) -> StoreResult<Option<edigrid_core::store::PartnerRoute>> {
                    // Each store chooses how: SQLite reads it inline.
                    self.route(qualifier_key, id_key).await
                }
            }
        };
    };
}

pub(crate) use directory_store;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::sql::sqlite_numbered;
    use crate::{SqliteStore, plans};

    /// The statements routing and the mailbox list run most, with the values they bind.
    fn hot_statements() -> Vec<Stmt> {
        let by_network = MailboxFilter {
            network: Some(NetworkId(1)),
            ..MailboxFilter::default()
        };
        let (page, count) = list_mailboxes_stmts(&by_network, Page::first(25));
        vec![
            partner_by_address_stmt("ZZ", "ACME"),
            joined::route_by_address_stmt("ZZ", "ACME"),
            page,
            count,
        ]
    }

    /// The deployed `TPSearch` of a network's caller: its IDs for a pair, with their network,
    /// mailbox and owner.
    fn search_statement() -> Stmt {
        let search = PartnerFilter {
            network: Some(NetworkId(1)),
            qualifier_key: Some("ZZ".into()),
            id_key: Some("ACME".into()),
            statuses: vec![UserStatus::Active],
            ..PartnerFilter::default()
        };
        joined::list_partner_details_stmts(&search, Page::first(100)).0
    }

    /// The search finds its IDs by their pair's index, never by the network's (which would
    /// walk every ID of the network), and joins by primary keys: the only scan is of its
    /// own page of at most 100 rows.
    #[tokio::test]
    async fn sqlite_serves_the_search_from_the_pair_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let stmt = search_statement();
        let sql = format!("EXPLAIN QUERY PLAN {}", sqlite_numbered(&stmt.sql));
        let conn = rusqlite::Connection::open(dir.path().join("plan.db")).unwrap();
        let plan: Vec<String> = conn
            .prepare(&sql)
            .unwrap()
            .query_map(rusqlite::params_from_iter(&stmt.args), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        drop(store);
        let plan = plan.join("\n");
        assert!(
            plan.contains("partners_by_key") || plan.contains("partners_live_pair"),
            "{plan}"
        );
        for line in plan.lines().filter(|l| l.contains("SCAN")) {
            assert_eq!(line.trim(), "SCAN p", "{plan}");
        }
    }

    #[tokio::test]
    async fn sqlite_serves_the_hot_statements_from_an_index() {
        for (sql, plan) in plans::sqlite(hot_statements()).await {
            assert!(
                plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
                "{sql}\n{plan}"
            );
            assert!(!plan.contains("SCAN"), "{sql}\n{plan}");
        }
    }

    #[tokio::test]
    async fn postgres_serves_the_hot_statements_from_an_index() {
        let stmts = hot_statements()
            .into_iter()
            .chain([search_statement()])
            .collect();
        let Some(plans) = plans::postgres(&["SET enable_seqscan = off"], stmts).await else {
            return;
        };
        for (sql, plan) in plans {
            assert!(plan.contains("Index"), "{sql}\n{plan}");
            assert!(!plan.contains("Seq Scan"), "{sql}\n{plan}");
        }
    }
}
