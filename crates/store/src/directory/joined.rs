//! A page of trading-partner IDs with what describing them takes (the network's name, the
//! mailbox, the owner) in one statement: the page's own statement, unchanged, joined to the
//! three tables by their primary keys. Its columns are read by position, by one decoder for
//! sqlx's rows of both databases and for rusqlite's (the SQLite readers of the hot path).

use std::sync::LazyLock;

use edigrid_core::StoreError;
use edigrid_core::store::{
    Page, Paged, PartnerDetail, PartnerFilter, PartnerRoute, StoreResult, User,
};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};

use super::{
    AddressRow, ContactsRow, MailboxRow, PartnerRow, X12Row, list_partners_stmts, partner_order,
};
use crate::convert::UserRow;
use crate::sql::{Backend, Conn, Stmt, list};
use crate::sqlite_readers::SessionReaders;

/// The columns of each table as the decoder below reads them, in its order.
const PARTNER_COLUMNS: [&str; 18] = [
    "ecgrid_id",
    "network_id",
    "mailbox_id",
    "qualifier",
    "id",
    "description",
    "status",
    "data_email",
    "routing_group",
    "is_default",
    "owner",
    "van",
    "simulated",
    "x12_segment",
    "x12_element",
    "x12_sub_element",
    "created_ms",
    "modified_ms",
];

const MAILBOX_COLUMNS: [&str; 38] = [
    "id",
    "network_id",
    "name",
    "unique_id",
    "description",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "admin_email",
    "status",
    "contact_owner",
    "contact_errors",
    "contact_interconnects",
    "contact_notices",
    "contact_reports",
    "contact_accounting",
    "contact_customer_service",
    "managed",
    "use_type",
    "inbox_timeout_minutes",
    "x12_segment",
    "x12_element",
    "x12_sub_element",
    "ebcdic_filter",
    "ftp_ascii_filter",
    "low_pass_filter",
    "mailbag_pass_through",
    "delete_on_download",
    "strip_directed_envelope",
    "notify_email",
    "notify_on_inbox",
    "default_as2_id",
    "created_ms",
    "modified_ms",
];

const USER_COLUMNS: [&str; 24] = [
    "id",
    "login",
    "password_hash",
    "network_id",
    "mailbox_id",
    "auth_level",
    "status",
    "first_name",
    "last_name",
    "email",
    "company",
    "phone",
    "cell_phone",
    "cell_carrier",
    "time_zone_offset",
    "recovery_question",
    "recovery_answer_hash",
    "idle_timeout_secs",
    "max_sessions",
    "created_ms",
    "modified_ms",
    "last_login_ms",
    "failed_logins",
    "locked_until_ms",
];

/// `alias.column` for each of `columns`.
fn aliased(alias: &str, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| format!("{alias}.{c}")).collect()
}

/// `p.ecgrid_id, ..., n.name, m.id, ..., u.id, ...`: what the decoder reads.
static SELECTED: LazyLock<String> = LazyLock::new(|| {
    let mut all = aliased("p", &PARTNER_COLUMNS);
    all.push("n.name".into());
    all.extend(aliased("m", &MAILBOX_COLUMNS));
    all.extend(aliased("u", &USER_COLUMNS));
    all.join(", ")
});

/// The page `list_partners` reads, joined, and its count (unchanged).
pub(crate) fn list_partner_details_stmts(f: &PartnerFilter, page: Page) -> (Stmt, Stmt) {
    let (inner, count) = list_partners_stmts(f, page);
    let order: Vec<String> = partner_order(f.order)
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect();
    let select = Stmt {
        sql: format!(
            "SELECT {} FROM ({}) p \
             LEFT JOIN networks n ON n.id = p.network_id \
             LEFT JOIN mailboxes m ON m.id = p.mailbox_id \
             LEFT JOIN users u ON u.id = p.owner \
             ORDER BY {}",
            *SELECTED,
            inner.sql,
            order.join(", ")
        ),
        args: inner.args,
    };
    (select, count)
}

/// `p.ecgrid_id, ..., m.id, ..., n.x12_segment, ...`: what [`RouteRow`] reads.
static ROUTE_SELECTED: LazyLock<String> = LazyLock::new(|| {
    let mut all = aliased("p", &PARTNER_COLUMNS);
    all.extend(aliased("m", &MAILBOX_COLUMNS));
    all.extend(aliased(
        "n",
        &["x12_segment", "x12_element", "x12_sub_element"],
    ));
    all.join(", ")
});

/// `route_by_address`: the active ID of a pair (the partial unique index on the pair, its
/// condition repeated word for word as `partner_by_address` does), its mailbox and that
/// mailbox's network, joined by their primary keys: one statement for three reads.
pub(crate) fn route_by_address_stmt(qualifier_key: &str, id_key: &str) -> Stmt {
    Stmt::new(format!(
        "SELECT {} FROM partners p \
         LEFT JOIN mailboxes m ON m.id = p.mailbox_id \
         LEFT JOIN networks n ON n.id = m.network_id \
         WHERE p.qualifier_key = $1 AND p.id_key = $2 \
         AND p.status <> 'Terminated' AND p.status = 'Active'",
        *ROUTE_SELECTED
    ))
    .bind(qualifier_key)
    .bind(id_key)
}

pub(crate) async fn route_by_address<B: Backend>(
    db: &B,
    qualifier_key: &str,
    id_key: &str,
) -> StoreResult<Option<PartnerRoute>> {
    let stmt = route_by_address_stmt(qualifier_key, id_key);
    crate::convert::one::<RouteRow, _>(db.conn().await?.fetch_optional(stmt).await?)
}

/// The same on the calling thread, through the SQLite readers (a lookup the pair's index
/// bounds, made twice for every interchange routed): no hop to sqlx's connection thread, and
/// the readers' plans do not depend on the bound values, where sqlx's connections prepare a
/// statement again for each new ID once `ANALYZE` has gathered samples (see
/// `sqlite_readers`).
pub(crate) fn route_by_address_inline(
    readers: &SessionReaders,
    qualifier_key: &str,
    id_key: &str,
) -> StoreResult<Option<PartnerRoute>> {
    let stmt = route_by_address_stmt(qualifier_key, id_key);
    let row: Option<RouteRow> = readers.with(|conn| crate::write_conn::read_inline(conn, &stmt))?;
    crate::convert::one(row)
}

pub(crate) async fn list_partner_details<B: Backend>(
    db: &B,
    f: &PartnerFilter,
    page: Page,
) -> StoreResult<Paged<PartnerDetail>> {
    list::<B, DetailRow, _>(db, list_partner_details_stmts(f, page), page).await
}

/// The same on the calling thread, through the SQLite readers: for lookups an index bounds
/// (a search by ID), where sqlx's hop to its connection thread costs more than the read.
pub(crate) fn list_partner_details_inline(
    readers: &SessionReaders,
    f: &PartnerFilter,
    page: Page,
) -> StoreResult<Paged<PartnerDetail>> {
    crate::write_conn::list_inline::<DetailRow, _>(
        readers,
        list_partner_details_stmts(f, page),
        page,
    )
}

/// A row's columns by position, as each kind of row gives them.
pub(crate) trait Columns {
    type Error;
    fn int(&self, i: usize) -> Result<i32, Self::Error>;
    fn big(&self, i: usize) -> Result<i64, Self::Error>;
    fn flag(&self, i: usize) -> Result<bool, Self::Error>;
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    fn opt_int(&self, i: usize) -> Result<Option<i32>, Self::Error>;
    fn opt_big(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
}

macro_rules! columns_by {
    ($row:ty, $error:ty, $get:ident) => {
        impl Columns for $row {
            type Error = $error;
            fn int(&self, i: usize) -> Result<i32, Self::Error> {
                self.$get(i)
            }
            fn big(&self, i: usize) -> Result<i64, Self::Error> {
                self.$get(i)
            }
            fn flag(&self, i: usize) -> Result<bool, Self::Error> {
                self.$get(i)
            }
            fn text(&self, i: usize) -> Result<String, Self::Error> {
                self.$get(i)
            }
            fn opt_int(&self, i: usize) -> Result<Option<i32>, Self::Error> {
                self.$get(i)
            }
            fn opt_big(&self, i: usize) -> Result<Option<i64>, Self::Error> {
                self.$get(i)
            }
            fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error> {
                self.$get(i)
            }
        }
    };
}

columns_by!(SqliteRow, sqlx::Error, try_get);
columns_by!(PgRow, sqlx::Error, try_get);
columns_by!(rusqlite::Row<'_>, rusqlite::Error, get);

/// Reads a row's columns one after the other.
struct Cursor<'a, C: ?Sized> {
    row: &'a C,
    next: usize,
}

impl<C: Columns + ?Sized> Cursor<'_, C> {
    fn at(&mut self) -> usize {
        self.next += 1;
        self.next - 1
    }
    fn int(&mut self) -> Result<i32, C::Error> {
        let i = self.at();
        self.row.int(i)
    }
    fn big(&mut self) -> Result<i64, C::Error> {
        let i = self.at();
        self.row.big(i)
    }
    fn flag(&mut self) -> Result<bool, C::Error> {
        let i = self.at();
        self.row.flag(i)
    }
    fn text(&mut self) -> Result<String, C::Error> {
        let i = self.at();
        self.row.text(i)
    }
    fn opt_int(&mut self) -> Result<Option<i32>, C::Error> {
        let i = self.at();
        self.row.opt_int(i)
    }
    fn opt_big(&mut self) -> Result<Option<i64>, C::Error> {
        let i = self.at();
        self.row.opt_big(i)
    }
    fn opt_text(&mut self) -> Result<Option<String>, C::Error> {
        let i = self.at();
        self.row.opt_text(i)
    }
    /// Passes over the rest of a joined table's columns when it matched no row.
    fn skip(&mut self, columns: usize) {
        self.next += columns;
    }
}

/// One ID and what it joined, as stored.
pub(crate) struct DetailRow {
    partner: PartnerRow,
    network_name: Option<String>,
    mailbox: Option<MailboxRow>,
    owner: Option<UserRow>,
}

impl DetailRow {
    /// The row's columns in the order of [`SELECTED`].
    pub(crate) fn read<C: Columns + ?Sized>(row: &C) -> Result<Self, C::Error> {
        let mut c = Cursor { row, next: 0 };
        let partner = partner(&mut c)?;
        let network_name = c.opt_text()?;
        let mailbox = joined_mailbox(&mut c)?;
        let owner = match c.opt_int()? {
            Some(id) => Some(user(&mut c, id)?),
            None => {
                c.skip(USER_COLUMNS.len() - 1);
                None
            }
        };
        Ok(DetailRow {
            partner,
            network_name,
            mailbox,
            owner,
        })
    }
}

fn partner<C: Columns + ?Sized>(c: &mut Cursor<'_, C>) -> Result<PartnerRow, C::Error> {
    Ok(PartnerRow {
        ecgrid_id: c.int()?,
        network_id: c.int()?,
        mailbox_id: c.int()?,
        qualifier: c.text()?,
        id: c.text()?,
        description: c.text()?,
        status: c.text()?,
        data_email: c.text()?,
        routing_group: c.text()?,
        is_default: c.flag()?,
        owner: c.int()?,
        van: c.flag()?,
        simulated: c.flag()?,
        x12: X12Row {
            x12_segment: c.int()?,
            x12_element: c.int()?,
            x12_sub_element: c.int()?,
        },
        created_ms: c.big()?,
        modified_ms: c.big()?,
    })
}

/// A LEFT JOINed mailbox: its columns, or `None` (its columns passed over) where the join
/// matched no row.
fn joined_mailbox<C: Columns + ?Sized>(
    c: &mut Cursor<'_, C>,
) -> Result<Option<MailboxRow>, C::Error> {
    match c.opt_int()? {
        Some(id) => Ok(Some(mailbox(c, id)?)),
        None => {
            c.skip(MAILBOX_COLUMNS.len() - 1);
            Ok(None)
        }
    }
}

/// A mailbox's columns after its `id`.
fn mailbox<C: Columns + ?Sized>(c: &mut Cursor<'_, C>, id: i32) -> Result<MailboxRow, C::Error> {
    Ok(MailboxRow {
        id,
        network_id: c.int()?,
        name: c.text()?,
        unique_id: c.text()?,
        description: c.text()?,
        address: AddressRow {
            address1: c.text()?,
            address2: c.text()?,
            city: c.text()?,
            state: c.text()?,
            zip: c.text()?,
            country: c.text()?,
        },
        phone: c.text()?,
        admin_email: c.text()?,
        status: c.text()?,
        contacts: ContactsRow {
            contact_owner: c.int()?,
            contact_errors: c.int()?,
            contact_interconnects: c.int()?,
            contact_notices: c.int()?,
            contact_reports: c.int()?,
            contact_accounting: c.int()?,
            contact_customer_service: c.int()?,
        },
        managed: c.flag()?,
        use_type: c.text()?,
        inbox_timeout_minutes: c.int()?,
        x12: X12Row {
            x12_segment: c.int()?,
            x12_element: c.int()?,
            x12_sub_element: c.int()?,
        },
        ebcdic_filter: c.int()?,
        ftp_ascii_filter: c.flag()?,
        low_pass_filter: c.flag()?,
        mailbag_pass_through: c.flag()?,
        delete_on_download: c.flag()?,
        strip_directed_envelope: c.flag()?,
        notify_email: c.text()?,
        notify_on_inbox: c.flag()?,
        default_as2_id: c.text()?,
        created_ms: c.big()?,
        modified_ms: c.big()?,
    })
}

/// A user's columns after their `id`.
fn user<C: Columns + ?Sized>(c: &mut Cursor<'_, C>, id: i32) -> Result<UserRow, C::Error> {
    Ok(UserRow {
        id,
        login: c.text()?,
        password_hash: c.text()?,
        network_id: c.int()?,
        mailbox_id: c.int()?,
        auth_level: c.text()?,
        status: c.text()?,
        first_name: c.text()?,
        last_name: c.text()?,
        email: c.text()?,
        company: c.text()?,
        phone: c.text()?,
        cell_phone: c.text()?,
        cell_carrier: c.text()?,
        time_zone_offset: c.int()?,
        recovery_question: c.text()?,
        recovery_answer_hash: c.opt_text()?,
        idle_timeout_secs: c.opt_int()?,
        max_sessions: c.opt_int()?,
        created_ms: c.big()?,
        modified_ms: c.big()?,
        last_login_ms: c.opt_big()?,
        failed_logins: c.int()?,
        locked_until_ms: c.opt_big()?,
    })
}

/// A row type read by position (its `read`), from sqlx's rows of both databases and from
/// rusqlite's.
macro_rules! read_by_position {
    ($row:ty) => {
        impl crate::write_conn::Decode for $row {
            fn decode(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                <$row>::read(row)
            }
        }

        impl<'r> FromRow<'r, SqliteRow> for $row {
            fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
                <$row>::read(row)
            }
        }

        impl<'r> FromRow<'r, PgRow> for $row {
            fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
                <$row>::read(row)
            }
        }
    };
}

read_by_position!(DetailRow);
read_by_position!(RouteRow);

/// An ID with its mailbox and that mailbox's network's delimiters, as stored.
pub(crate) struct RouteRow {
    partner: PartnerRow,
    mailbox: Option<MailboxRow>,
    network_x12: Option<X12Row>,
}

impl RouteRow {
    /// The row's columns in the order of [`ROUTE_SELECTED`].
    fn read<C: Columns + ?Sized>(row: &C) -> Result<Self, C::Error> {
        let mut c = Cursor { row, next: 0 };
        let partner = partner(&mut c)?;
        let mailbox = joined_mailbox(&mut c)?;
        let network_x12 = match c.opt_int()? {
            Some(x12_segment) => Some(X12Row {
                x12_segment,
                x12_element: c.int()?,
                x12_sub_element: c.int()?,
            }),
            None => None,
        };
        Ok(RouteRow {
            partner,
            mailbox,
            network_x12,
        })
    }
}

impl TryFrom<RouteRow> for PartnerRoute {
    type Error = StoreError;
    fn try_from(r: RouteRow) -> Result<Self, StoreError> {
        Ok(PartnerRoute {
            partner: r.partner.try_into()?,
            mailbox: r.mailbox.map(TryInto::try_into).transpose()?,
            network_x12: r.network_x12.map(TryInto::try_into).transpose()?,
        })
    }
}

impl TryFrom<DetailRow> for PartnerDetail {
    type Error = StoreError;
    fn try_from(r: DetailRow) -> Result<Self, StoreError> {
        Ok(PartnerDetail {
            partner: r.partner.try_into()?,
            network_name: r.network_name,
            mailbox: r.mailbox.map(TryInto::try_into).transpose()?,
            owner: r.owner.map(User::try_from).transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crate::sql::sqlite_numbered;
    use chrono::{TimeZone, Utc};
    use edigrid_core::DirectoryStore;
    use edigrid_core::store::{Mailbox, Network, TradingPartner};
    use edigrid_domain::{EcGridId, MailboxId, NetworkId, RoutingGroup, UserId, UserStatus};
    use rusqlite::StatementStatus;

    use super::*;
    use crate::SqliteStore;

    /// Once ANALYZE has gathered samples, a search bound to another ID on every call is
    /// still served by the statement prepared the first time (not parsed again per call),
    /// and finds what the pool's path finds.
    #[tokio::test]
    async fn inline_searches_are_not_prepared_again_for_each_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("search.db");
        let store = SqliteStore::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        store
            .insert_network(&Network::new(NetworkId(1), "N".into(), t))
            .await
            .unwrap();
        store
            .insert_mailbox(&Mailbox::new(MailboxId(10), NetworkId(1), "M".into(), t))
            .await
            .unwrap();
        for i in 0..200 {
            let id = format!("ID{i:04}");
            let p = TradingPartner {
                ecgrid_id: EcGridId(0),
                network_id: NetworkId(1),
                mailbox_id: MailboxId(10),
                qualifier: "ZZ".into(),
                id: id.clone(),
                description: id,
                status: UserStatus::Active,
                data_email: String::new(),
                routing_group: RoutingGroup::ProductionA,
                is_default: false,
                owner: UserId(0),
                van: false,
                simulated: false,
                x12: Default::default(),
                created: t,
                modified: t,
            };
            store.insert_partner(&p).await.unwrap();
        }
        sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
        let samples: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_stat4")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(samples.0 > 0, "ANALYZE gathered samples");

        let readers = SessionReaders::open(&path, 1).unwrap();
        let search = |i: usize| PartnerFilter {
            network: Some(NetworkId(1)),
            qualifier_key: Some("ZZ".into()),
            id_key: Some(format!("ID{i:04}")),
            statuses: vec![UserStatus::Active],
            ..PartnerFilter::default()
        };
        for i in 0..20 {
            let inline = list_partner_details_inline(&readers, &search(i), Page::first(100));
            let pooled = store
                .list_partner_details(&search(i), Page::first(100))
                .await;
            assert_eq!(inline.unwrap(), pooled.unwrap());
        }
        let (select, _) = list_partner_details_stmts(&search(0), Page::first(100));
        let reprepared = readers
            .with(|conn| {
                let statement = conn.prepare_cached(&sqlite_numbered(&select.sql)).unwrap();
                Ok(statement.get_status(StatementStatus::RePrepare))
            })
            .unwrap();
        assert_eq!(reprepared, 0);
    }
}
