//! Interconnects in the deployed dialect (SPEC-VAN 20). `InterconnectAdd` asks for one; the
//! partner side's `InterconnectAdd` for the same pair (in either order) accepts it, and
//! `Preconfirm` completes it at once when the caller also manages the partner's ID.
//! `InterconnectCancel` is either side's. Counts are a `DataSet` of `Status` and `Count`.

use std::fmt::Write;

use edigrid_core::relations::{
    Interconnect, InterconnectRequest, InterconnectScope, InterconnectStatus,
};
use edigrid_core::{Caller, Page};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem};

use super::super::{Call, authenticate};
use super::carbon_copies::id_info;
use super::users::{UNPAGED, named};
use super::{Registration, date_or_unset};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve!("InterconnectAdd", interconnect_add),
    serve!("InterconnectCancel", interconnect_cancel),
    serve!("InterconnectInfo", interconnect_info),
    serve!("InterconnectInfoGUID", interconnect_info_guid),
    serve!("InterconnectNote", interconnect_note),
    serve!("InterconnectNoteList", interconnect_note_list),
    serve!("InterconnectListByECGridID", interconnect_list_by_ecgrid_id),
    serve!("InterconnectListByStatus", interconnect_list_by_status),
    serve!("InterconnectListByStatusEx", interconnect_list_by_status_ex),
    serve!("InterconnectCount", interconnect_count),
    serve!("InterconnectCountEx", interconnect_count_ex),
];

async fn info(call: &Call, caller: &Caller, i: Interconnect) -> Value {
    let mut fields = vec![
        ("InterconnectID", Value::Int(i.id)),
        ("UniqueID", Value::Str(i.unique_id)),
        ("Created", Value::DateTime(i.created)),
        ("Modified", Value::DateTime(i.modified)),
        ("Completed", date_or_unset(i.completed)),
        ("LastTraffic", Value::UnsetDateTime),
        ("LastTrafficInbound", Value::UnsetDateTime),
        ("LastTrafficOutbound", Value::UnsetDateTime),
        ("ContactName", Value::Str(i.contact_name)),
        ("ContactEMail", Value::Str(i.contact_email)),
        ("Status", Value::Enum(i.status.as_str())),
        ("SuspendPendingInterchanges", Value::Bool(false)),
        ("Reference1", Value::Str(i.reference1)),
        ("Reference2", Value::Str(i.reference2)),
    ];
    for (name, id) in [("TP1", i.ecgrid_id1), ("TP2", i.ecgrid_id2)] {
        if let Some(v) = id_info(call, caller, id).await {
            fields.push((name, v));
        }
    }
    Value::Record(fields)
}

async fn infos(call: &Call, caller: &Caller, list: Vec<Interconnect>) -> Value {
    let mut items = Vec::with_capacity(list.len());
    for i in list {
        items.push(info(call, caller, i).await);
    }
    Value::List(items)
}

async fn interconnect_add(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let request = InterconnectRequest {
        ecgrid_id1: EcGridId(call.args.int("ECGridID1")),
        ecgrid_id2: EcGridId(call.args.int("ECGridID2")),
        reference: call.args.str("Reference").to_string(),
        contact_name: call.args.str("ContactName").to_string(),
        contact_email: call.args.str("ContactEMail").to_string(),
        preconfirm: call.args.boolean("Preconfirm"),
        note: call.args.str("Note").to_string(),
    };
    let added = call.core.interconnect_add(&caller, request).await?;
    Ok(info(&call, &caller, added).await)
}

fn id(call: &Call) -> i32 {
    call.args.int("InterconnectID")
}

/// Where a note's e-mail would go, recorded with it (edigrid sends no mail).
fn mail_to(call: &Call) -> String {
    let to = call.args.enumeration("EMailTo");
    let other = call.args.str("OtherEMailAddress").trim();
    if other.is_empty() || !to.contains("Other") && to != "EMailAll" {
        to.to_string()
    } else {
        format!("{to}: {other}")
    }
}

async fn interconnect_cancel(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    call.core
        .interconnect_cancel(&caller, id(&call), call.args.str("Note"))
        .await?;
    Ok(Value::Bool(true))
}

async fn interconnect_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call.core.interconnect_info(&caller, id(&call)).await?;
    Ok(info(&call, &caller, found).await)
}

async fn interconnect_info_guid(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let found = call
        .core
        .interconnect_info_by_guid(&caller, call.args.str("UniqueID"))
        .await?;
    Ok(info(&call, &caller, found).await)
}

async fn interconnect_note(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let content = call.args.bytes("AttachmentContent").to_vec();
    let name = call.args.str("AttachmentName").to_string();
    let attachment = (!content.is_empty() || !name.is_empty()).then_some((name, content));
    call.core
        .interconnect_note_add(
            &caller,
            id(&call),
            call.args.str("Note"),
            attachment,
            &mail_to(&call),
        )
        .await?;
    Ok(Value::Bool(true))
}

async fn interconnect_note_list(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let notes = call.core.interconnect_notes(&caller, id(&call)).await?;
    Ok(Value::List(
        notes
            .into_iter()
            .map(|n| {
                let mut fields = vec![
                    ("InterconnectID", Value::Int(n.interconnect_id)),
                    ("InterconnectNoteID", Value::Int(n.id)),
                    ("NoteDate", Value::DateTime(n.at)),
                    ("Status", Value::Enum(n.status.as_str())),
                    ("PostedBy", Value::Str(n.posted_by)),
                    ("UserID", Value::Int(n.user_id.0)),
                    ("MailTo", Value::Str(n.mail_to)),
                    ("Note", Value::Str(n.note)),
                ];
                if let Some(bytes) = n.attachment {
                    fields.push((
                        "Attachment",
                        Value::Record(vec![
                            ("FileName", Value::Str(n.attachment_name)),
                            ("Content", Value::Bytes(bytes)),
                        ]),
                    ));
                }
                Value::Record(fields)
            })
            .collect(),
    ))
}

/// `StatusInterconnect` as a filter: `NoStatusChange` means any.
fn status_filter(call: &Call, name: &'static str) -> Result<Option<InterconnectStatus>, Error> {
    let raw = call.args.enumeration(name);
    if raw == "NoStatusChange" {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|()| {
        Error::invalid(
            name,
            ParamProblem::Value,
            format!("{raw:?} is not a status"),
        )
    })
}

fn max_days(call: &Call) -> i32 {
    call.args.int("MaxDays")
}

async fn listed(call: &Call, caller: &Caller, scope: InterconnectScope) -> Result<Value, Error> {
    let page = call
        .core
        .interconnect_list(caller, scope, Page::first(UNPAGED))
        .await?;
    Ok(infos(call, caller, page.items).await)
}

/// `InterconnectListByECGridID`: between the two IDs, or every one of `ECGridID1` when
/// `ECGridID2` is 0.
async fn interconnect_list_by_ecgrid_id(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let (a, b) = (call.args.int("ECGridID1"), call.args.int("ECGridID2"));
    let scope = match (a, b) {
        (0, 0) => {
            return Err(Error::invalid(
                "ECGridID1",
                ParamProblem::Value,
                "name an ECGridID",
            ));
        }
        (a, 0) | (0, a) => InterconnectScope {
            ecgrid_id: Some(EcGridId(a)),
            ..InterconnectScope::default()
        },
        (a, b) => InterconnectScope {
            pair: Some((EcGridId(a), EcGridId(b))),
            ..InterconnectScope::default()
        },
    };
    listed(&call, &caller, scope).await
}

async fn interconnect_list_by_status(call: Call) -> Result<Value, Error> {
    let status = status_filter(&call, "Status")?;
    let caller = authenticate(&call).await?;
    let scope = InterconnectScope {
        network: Some(caller.network_id).filter(|n| n.0 != 0),
        ecgrid_id: named(call.args.int("ECGridID"), EcGridId),
        status,
        max_days: max_days(&call),
        ..InterconnectScope::default()
    };
    listed(&call, &caller, scope).await
}

async fn interconnect_list_by_status_ex(call: Call) -> Result<Value, Error> {
    let status = status_filter(&call, "IntStatus")?;
    let caller = authenticate(&call).await?;
    let scope = InterconnectScope {
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
        ecgrid_id: named(call.args.int("ECGridID"), EcGridId),
        status,
        max_days: max_days(&call),
        ..InterconnectScope::default()
    };
    listed(&call, &caller, scope).await
}

/// Counts per status as a .NET `DataSet` (an inline schema of `Table` rows with `Status`
/// and `Count`, then the diffgram), one row per status that has any.
fn count_data_set(rows: &[(InterconnectStatus, u64)]) -> String {
    let mut out = String::from(concat!(
        r#"<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" "#,
        r#"xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">"#,
        r#"<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:UseCurrentLocale="true">"#,
        r#"<xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded">"#,
        r#"<xs:element name="Table"><xs:complexType><xs:sequence>"#,
        r#"<xs:element name="Status" type="xs:string" minOccurs="0"/>"#,
        r#"<xs:element name="Count" type="xs:int" minOccurs="0"/>"#,
        "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>",
        "</xs:element></xs:schema>",
        r#"<diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" "#,
        r#"xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">"#,
    ));
    if !rows.is_empty() {
        out.push_str(r#"<NewDataSet xmlns="">"#);
        for (i, (status, count)) in rows.iter().enumerate() {
            let _ = write!(
                out,
                r#"<Table diffgr:id="Table{}" msdata:rowOrder="{i}"><Status>{}</Status><Count>{}</Count></Table>"#,
                i + 1,
                status.as_str(),
                i32::try_from(*count).unwrap_or(i32::MAX),
            );
        }
        out.push_str("</NewDataSet>");
    }
    out.push_str("</diffgr:diffgram>");
    out
}

async fn counted(call: &Call, caller: &Caller, scope: InterconnectScope) -> Result<Value, Error> {
    let rows = call.core.interconnect_count(caller, scope).await?;
    Ok(Value::DataSet(count_data_set(&rows)))
}

/// `InterconnectCount`: the session's network (its mailbox for mailbox users).
async fn interconnect_count(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let scope = InterconnectScope {
        network: Some(caller.network_id).filter(|n| n.0 != 0),
        max_days: max_days(&call),
        ..InterconnectScope::default()
    };
    counted(&call, &caller, scope).await
}

async fn interconnect_count_ex(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let scope = InterconnectScope {
        network: named(call.args.int("NetworkID"), NetworkId),
        mailbox: named(call.args.int("MailboxID"), MailboxId),
        ecgrid_id: named(call.args.int("ECGridID"), EcGridId),
        max_days: max_days(&call),
        ..InterconnectScope::default()
    };
    counted(&call, &caller, scope).await
}
