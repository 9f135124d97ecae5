//! Networks in the deployed dialect (SPEC-VAN 13, 14): their records, lists, settings,
//! contacts and websites, and the status summary (a .NET DataSet).
//!
//! edigrid keeps neither a network log nor outages: `NetworkInfoWithLog` answers as
//! `NetworkInfo` (without `LastLog`) and `NetworkOutageList` is always empty.

use std::fmt::Write as _;

use edigrid_core::{
    Caller, MAX_PAGE_SIZE, MailboxFilter, Network, NetworkChanges, NetworkFilter, Page,
    PartnerFilter,
};
use edigrid_domain::{
    ContactType, Error, NetworkId, UserId, UserStatus, WebsiteType, X12Delimiters,
};
use quick_xml::escape::escape;

use super::super::{Call, authenticate};
use super::users::{UNPAGED, directory_user, sent};
use super::{Registration, enum_arg};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("NetworkInfo", network_info),
    serve_directory!("NetworkInfoWithLog", network_info),
    serve_directory!("NetworkList", network_list),
    serve_directory!("NetworkStatusSummary", network_status_summary),
    serve_directory!("NetworkOutageList", network_outage_list),
    serve_directory!("NetworkUpdate", network_update),
    serve_directory!("NetworkSetContact", network_set_contact),
    serve_directory!("NetworkGetContact", network_get_contact),
    serve_directory!("NetworkSetWebsite", network_set_website),
    serve_directory!("NetworkX12Delimiters", network_x12_delimiters),
    serve_directory!(
        "NetworkRootDeleteOnDownload",
        network_root_delete_on_download
    ),
];

/// A network as `NetworkIDInfo`: contacts as user IDs (0 when unset); edigrid networks are
/// all of type `Network`, running and in normal operation; it records no last contact, log,
/// owner or operations data (`LastContact` unset, the rest omitted).
fn network_id_info(n: Network) -> Value {
    let c = n.contacts;
    Value::Record(vec![
        ("NetworkID", Value::Int(n.id.0)),
        ("Name", Value::Str(n.name)),
        ("Location", Value::Str(n.location)),
        ("AdminContact", Value::Str(String::new())),
        ("AdminPhone", Value::Str(n.phone)),
        ("AdminEMail", Value::Str(n.admin_email)),
        ("LastContact", Value::UnsetDateTime),
        ("Type", Value::Enum("Network")),
        ("Status", Value::Enum(n.status.as_str())),
        ("RunStatus", Value::Enum("Active")),
        ("NetworkStatus", Value::Enum("NormalOperation")),
        ("ECGridAccount", Value::Bool(false)),
        ("OwnerUserID", Value::Int(c.owner.0)),
        ("RoutingUserID", Value::Int(0)),
        ("ErrorsUserID", Value::Int(c.errors.0)),
        ("InterconnectsUserID", Value::Int(c.interconnects.0)),
        ("NoticesUserID", Value::Int(c.notices.0)),
        ("ReportsUserID", Value::Int(c.reports.0)),
        ("AccountingUserID", Value::Int(c.accounting.0)),
        ("CustomerServiceUserID", Value::Int(c.customer_service.0)),
        ("HomeWebsite", Value::Str(n.websites.home)),
        ("SupportWebsite", Value::Str(n.websites.support)),
        ("LoginWebsite", Value::Str(n.websites.login)),
        ("Created", Value::DateTime(n.created)),
        ("Modified", Value::DateTime(n.modified)),
    ])
}

fn network_id(call: &Call) -> NetworkId {
    NetworkId(call.args.int("NetworkID"))
}

/// `NetworkInfo`, and `NetworkInfoWithLog`, whose `LastLog` is omitted: edigrid keeps no
/// network log.
async fn network_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let network = call.core.network_info(&caller, network_id(&call)).await?;
    Ok(network_id_info(network))
}

/// The networks the caller may read whose name contains `Name` (all of them when empty).
async fn network_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let name = call.args.str("Name").trim();
    let filter = NetworkFilter {
        name_contains: (!name.is_empty()).then(|| name.to_string()),
        ..NetworkFilter::default()
    };
    // The answer carries no total: the core does not count the whole list for it.
    let networks = call
        .core
        .network_page(&caller, filter, Page::first(UNPAGED))
        .await?;
    Ok(Value::List(
        networks.into_iter().map(network_id_info).collect(),
    ))
}

/// edigrid has no outages to report: always an empty list (for any caller with a session).
async fn network_outage_list(call: Call) -> Result<Value, Error> {
    authenticate(&call).await?;
    Ok(Value::List(Vec::new()))
}

/// One row of the status summary.
struct SummaryRow {
    network: NetworkId,
    name: String,
    status: UserStatus,
    mailboxes: u64,
    ecgrid_ids: u64,
}

/// The summary's columns: name and XML Schema type.
const SUMMARY_COLUMNS: [(&str, &str); 5] = [
    ("NetworkID", "xs:int"),
    ("Name", "xs:string"),
    ("Status", "xs:string"),
    ("MailboxCount", "xs:int"),
    ("ECGridIDCount", "xs:int"),
];

/// `NetworkStatusSummary`: one row per network the caller may read (active ones only unless
/// `ShowInactive`) with its mailboxes and trading-partner IDs in the caller's scope (active
/// ones only unless `ShowInactive`).
async fn network_status_summary(call: Call) -> Result<Value, Error> {
    let show_inactive = call.args.boolean("ShowInactive");
    let caller = authenticate(&call).await?;
    let filter = NetworkFilter {
        status: (!show_inactive).then_some(UserStatus::Active),
        ..NetworkFilter::default()
    };
    let mut rows = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    // Page by page until one is not full; the summary carries no total, so no page counts
    // the whole list.
    loop {
        let networks = call
            .core
            .network_page(&caller, filter.clone(), page)
            .await?;
        let last = networks.len() < MAX_PAGE_SIZE as usize;
        for n in networks {
            rows.push(summary_row(&call, &caller, n, show_inactive).await?);
        }
        if last {
            break;
        }
        page.number += 1;
    }
    Ok(Value::DataSet(data_set(&rows)))
}

async fn summary_row(
    call: &Call,
    caller: &Caller,
    n: Network,
    show_inactive: bool,
) -> Result<SummaryRow, Error> {
    let active_only = (!show_inactive).then_some(UserStatus::Active);
    let mailboxes = MailboxFilter {
        network: Some(n.id),
        status: active_only,
        ..MailboxFilter::default()
    };
    let partners = PartnerFilter {
        network: Some(n.id),
        statuses: active_only.into_iter().collect(),
        ..PartnerFilter::default()
    };
    let count = Page::first(1);
    Ok(SummaryRow {
        network: n.id,
        mailboxes: call
            .core
            .mailbox_list(caller, mailboxes, count)
            .await?
            .total,
        ecgrid_ids: call.core.partner_list(caller, partners, count).await?.total,
        name: n.name,
        status: n.status,
    })
}

/// The rows as a .NET DataSet serialises into an ASMX response: an inline XML Schema of
/// `NewDataSet` (a choice of `Table` rows, every column optional) followed by the
/// diffgram holding the rows, unqualified.
fn data_set(rows: &[SummaryRow]) -> String {
    let mut out = String::with_capacity(1024 + rows.len() * 200);
    out.push_str(concat!(
        r#"<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" "#,
        r#"xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">"#,
        r#"<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:UseCurrentLocale="true">"#,
        r#"<xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">"#,
        r#"<xs:element name="Table"><xs:complexType><xs:sequence>"#,
    ));
    for (name, ty) in SUMMARY_COLUMNS {
        let _ = write!(
            out,
            r#"<xs:element name="{name}" type="{ty}" minOccurs="0"/>"#
        );
    }
    out.push_str(concat!(
        "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>",
        "</xs:element></xs:schema>",
        r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" "#,
        r#"xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">"#,
    ));
    if !rows.is_empty() {
        out.push_str(r#"<NewDataSet xmlns="">"#);
        for (i, r) in rows.iter().enumerate() {
            let _ = write!(
                out,
                concat!(
                    r#"<Table diffgr:id="Table{}" msdata:rowOrder="{}">"#,
                    "<NetworkID>{}</NetworkID><Name>{}</Name><Status>{}</Status>",
                    "<MailboxCount>{}</MailboxCount><ECGridIDCount>{}</ECGridIDCount></Table>"
                ),
                i + 1,
                i,
                r.network.0,
                escape(r.name.as_str()),
                r.status.as_str(),
                i32::try_from(r.mailboxes).unwrap_or(i32::MAX),
                i32::try_from(r.ecgrid_ids).unwrap_or(i32::MAX),
            );
        }
        out.push_str("</NewDataSet>");
    }
    out.push_str("</diffgr:diffgram>");
    out
}

/// `NetworkUpdate`: `Name` and `Location` when sent (an empty `Name` is refused).
async fn network_update(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let changes = NetworkChanges {
        name: sent(&call, "Name"),
        location: sent(&call, "Location"),
        ..NetworkChanges::default()
    };
    call.core
        .network_update(&caller, network_id(&call), changes)
        .await?;
    Ok(Value::Bool(true))
}

/// `NetworkSetContact`: `UserID` 0 clears the contact.
async fn network_set_contact(call: Call) -> Result<Value, Error> {
    let kind: ContactType = enum_arg(&call, "ContactType")?;
    let caller = authenticate(&call).await?;
    let user = UserId(call.args.int("UserID"));
    call.core
        .network_set_contact(&caller, network_id(&call), kind, user)
        .await?;
    Ok(Value::Bool(true))
}

/// `NetworkGetContact`: an unset contact is `ObjectNotFound` on `ContactType`.
async fn network_get_contact(call: Call) -> Result<Value, Error> {
    let kind: ContactType = enum_arg(&call, "ContactType")?;
    let caller = authenticate(&call).await?;
    let user = call
        .core
        .network_get_contact(&caller, network_id(&call), kind)
        .await?;
    Ok(directory_user(user, call.core.now()))
}

/// `NetworkSetWebsite`: an empty `URL` clears the website.
async fn network_set_website(call: Call) -> Result<Value, Error> {
    let kind: WebsiteType = enum_arg(&call, "WebsiteType")?;
    let caller = authenticate(&call).await?;
    call.core
        .network_set_website(&caller, network_id(&call), kind, call.args.str("URL"))
        .await?;
    Ok(Value::Bool(true))
}

/// `NetworkX12Delimiters`: character codes; 0 = none imposed.
async fn network_x12_delimiters(call: Call) -> Result<Value, Error> {
    let a = &call.args;
    let delimiters = X12Delimiters::new(
        a.unsigned_byte("SegTerm"),
        a.unsigned_byte("ElmSep"),
        a.unsigned_byte("SubElmSep"),
    )?;
    let caller = authenticate(&call).await?;
    call.core
        .network_set_x12_delimiters(&caller, network_id(&call), delimiters)
        .await?;
    Ok(Value::Bool(true))
}

/// `NetworkRootDeleteOnDownload`: whether parcel content is deleted network-wide once its
/// download is confirmed.
async fn network_root_delete_on_download(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .network_set_delete_on_download(
            &caller,
            network_id(&call),
            call.args.boolean("DeleteOnDownload"),
        )
        .await?;
    Ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_set_is_a_schema_then_a_diffgram_of_escaped_rows() {
        let rows = [SummaryRow {
            network: NetworkId(7),
            name: "A & B <net>".into(),
            status: UserStatus::Active,
            mailboxes: 2,
            ecgrid_ids: 3,
        }];
        let xml = format!("<r>{}</r>", data_set(&rows));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let top: Vec<&str> = doc
            .root_element()
            .children()
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(top, ["schema", "diffgram"]);
        let row = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("Table") && n.parent().is_some_and(|p| p.has_tag_name("NewDataSet"))
            })
            .unwrap();
        let cells: Vec<(&str, &str)> = row
            .children()
            .map(|c| (c.tag_name().name(), c.text().unwrap_or("")))
            .collect();
        assert_eq!(
            cells,
            [
                ("NetworkID", "7"),
                ("Name", "A & B <net>"),
                ("Status", "Active"),
                ("MailboxCount", "2"),
                ("ECGridIDCount", "3"),
            ]
        );
        let empty = format!("<r>{}</r>", data_set(&[]));
        assert!(roxmltree::Document::parse(&empty).is_ok());
        assert!(!empty.contains("NewDataSet xmlns=\"\""));
    }
}
