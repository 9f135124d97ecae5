//! Interchanges in the documented dialect (ecgrid-docs soap-api/interchanges, SPEC-VAN
//! 15-17): the interchanges a mailbox sent and received, one interchange, its groups, its
//! header read, and withdrawing or delivering one again.
//!
//! `Sender` and `Receiver` are `qualifier:ID` as the envelope has them (trimmed); `Status` is
//! what became of the interchange on the sender's side (`Delivered`, `Invalid`,
//! `UnknownSender`, `NoRoute`, `Cancelled`) and `Reason` says why one was not delivered.
//! `InterchangeManifest` lists the groups and transaction sets read from the interchange's
//! stored bytes, as the page describes, one entry per group and transaction set type.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use edigrid_core::parcels::model::Interchange;
use edigrid_core::{Caller, InterchangeQuery};
use edigrid_domain::{Direction, Error, InterchangeId, ParamProblem, ParcelId};
use edigrid_edi::{Delimiters, Group, Party, Standard, read_parcel};

use super::super::{Call, Operation, SESSION_ID, authenticate, handler};
use super::parcels::{date_range, ecgrid_filter, whose};
use super::{MAILBOX_FILTER, NETWORK_FILTER, PAGE_NO, RECORDS_PER_PAGE, page};
use crate::deployed_schema::types;
use crate::schema::{ComplexType, Field, Value, XsdType};

/// The pages' eight fields, then the rest of the record.
pub static INTERCHANGE_ID_INFO: ComplexType = ComplexType {
    name: "InterchangeIDInfo",
    fields: &[
        Field::new("InterchangeID", XsdType::Long),
        Field::new("ParcelID", XsdType::Long),
        Field::new("Sender", XsdType::String),
        Field::new("Receiver", XsdType::String),
        Field::new("Standard", XsdType::Enum(&types::EDIStandard)),
        Field::new("DocumentType", XsdType::String),
        Field::new("Status", XsdType::String),
        Field::new("Created", XsdType::DateTime),
        Field::new("InterchangeControlID", XsdType::String),
        Field::new("Reason", XsdType::String),
        Field::new("ECGridIDFrom", XsdType::Int).optional(),
        Field::new("ECGridIDTo", XsdType::Int).optional(),
        Field::new("OutboundParcelID", XsdType::Long).optional(),
        Field::new("InboundParcelID", XsdType::Long).optional(),
        Field::new("Duplicate", XsdType::Boolean).optional(),
        Field::new("Bytes", XsdType::Int).optional(),
        Field::new("Modified", XsdType::DateTime).optional(),
    ],
};

/// The page's six fields, then the group's control number and version.
pub static MANIFEST_INFO: ComplexType = ComplexType {
    name: "ManifestInfo",
    fields: &[
        Field::new("GroupID", XsdType::String),
        Field::new("TransactionSetID", XsdType::String),
        Field::new("TransactionCount", XsdType::Int),
        Field::new("SenderID", XsdType::String),
        Field::new("ReceiverID", XsdType::String),
        Field::new("GroupDate", XsdType::DateTime),
        Field::new("GroupControlNumber", XsdType::String),
        Field::new("Version", XsdType::String),
    ],
};

const INTERCHANGE_ID: Field = Field::new("InterchangeID", XsdType::Long);
const INTERCHANGE_HEADER: Field = Field::new("InterchangeHeader", XsdType::String);

/// The parameters of both interchange lists, as the pages give them.
const BOX_PARAMS: &[Field] = &[
    SESSION_ID,
    NETWORK_FILTER,
    MAILBOX_FILTER,
    Field::new("ECGridIDFrom", XsdType::Int).optional(),
    Field::new("ECGridIDTo", XsdType::Int).optional(),
    Field::new("BeginDate", XsdType::DateTime).optional(),
    Field::new("EndDate", XsdType::DateTime).optional(),
    PAGE_NO,
    RECORDS_PER_PAGE,
];

pub(super) const INTERCHANGE_IN_BOX: Operation = Operation {
    name: "InterchangeInBox",
    doc: "One page of the interchanges delivered to a mailbox, oldest first (ParcelID: the inbound parcel). NetworkID and MailboxID 0 are the caller's own mailbox; 0 and 0001-01-01 filter nothing.",
    params: BOX_PARAMS,
    result: XsdType::Array(&INTERCHANGE_ID_INFO),
    handler: directory!(interchange_in_box),
};

pub(super) const INTERCHANGE_OUT_BOX: Operation = Operation {
    name: "InterchangeOutBox",
    doc: "One page of the interchanges a mailbox uploaded, delivered or not (Status and Reason say), oldest first (ParcelID: the upload).",
    params: BOX_PARAMS,
    result: XsdType::Array(&INTERCHANGE_ID_INFO),
    handler: directory!(interchange_out_box),
};

pub(super) const INTERCHANGE_INFO: Operation = Operation {
    name: "InterchangeInfo",
    doc: "One interchange the caller sent or received (ParcelID: the inbound parcel for its receiver, else the upload).",
    params: &[SESSION_ID, INTERCHANGE_ID],
    result: XsdType::Complex(&INTERCHANGE_ID_INFO),
    handler: directory!(interchange_info),
};

pub(super) const INTERCHANGE_HEADER_INFO: Operation = Operation {
    name: "InterchangeHeaderInfo",
    doc: "Reads an ISA (or UNB) header: sender, receiver, standard, control number and its date and time as Created. InterchangeID and ParcelID are 0.",
    params: &[SESSION_ID, INTERCHANGE_HEADER],
    result: XsdType::Complex(&INTERCHANGE_ID_INFO),
    handler: directory!(interchange_header_info),
};

pub(super) const INTERCHANGE_DATE: Operation = Operation {
    name: "InterchangeDate",
    doc: "The date and time of an ISA (or UNB) header, as UTC. Needs no session.",
    params: &[INTERCHANGE_HEADER],
    result: XsdType::DateTime,
    handler: handler!(interchange_date),
};

pub(super) const INTERCHANGE_MANIFEST: Operation = Operation {
    name: "InterchangeManifest",
    doc: "The functional groups and transaction sets of an interchange, read from its stored bytes: one entry per group and transaction set type.",
    params: &[SESSION_ID, INTERCHANGE_ID],
    result: XsdType::Array(&MANIFEST_INFO),
    handler: directory!(interchange_manifest),
};

pub(super) const INTERCHANGE_CANCEL: Operation = Operation {
    name: "InterchangeCancel",
    doc: "Withdraws an interchange its receiver has not downloaded yet.",
    params: &[SESSION_ID, INTERCHANGE_ID],
    result: XsdType::Boolean,
    handler: directory!(interchange_cancel),
};

pub(super) const INTERCHANGE_RESEND: Operation = Operation {
    name: "InterchangeResend",
    doc: "Delivers an interchange again, as a new inbound parcel (NetOps and up).",
    params: &[SESSION_ID, INTERCHANGE_ID],
    result: XsdType::Boolean,
    handler: directory!(interchange_resend),
};

fn interchange_record(ix: &Interchange, parcel: ParcelId) -> Value {
    Value::Record(vec![
        ("InterchangeID", Value::Long(ix.id.0)),
        ("ParcelID", Value::Long(parcel.0)),
        ("Sender", Value::Str(ix.sender.clone())),
        ("Receiver", Value::Str(ix.receiver.clone())),
        ("Standard", Value::Enum(ix.standard.as_str())),
        ("DocumentType", Value::Str(ix.document_type.clone())),
        ("Status", Value::Str(ix.status.as_str().to_string())),
        ("Created", Value::DateTime(ix.created)),
        (
            "InterchangeControlID",
            Value::Str(ix.control_number.clone()),
        ),
        ("Reason", Value::Str(ix.reason.clone())),
        ("ECGridIDFrom", Value::Int(ix.ecgrid_from.0)),
        ("ECGridIDTo", Value::Int(ix.ecgrid_to.0)),
        ("OutboundParcelID", Value::Long(ix.outbound.0)),
        (
            "InboundParcelID",
            Value::Long(ix.inbound.map_or(0, |p| p.0)),
        ),
        ("Duplicate", Value::Bool(ix.duplicate)),
        (
            "Bytes",
            Value::Int(i32::try_from(ix.length).unwrap_or(i32::MAX)),
        ),
        ("Modified", Value::DateTime(ix.status_changed)),
    ])
}

fn interchange_id(call: &Call) -> InterchangeId {
    InterchangeId(call.args.long(INTERCHANGE_ID.name))
}

async fn interchange_list(call: Call, direction: Direction) -> Result<Value, Error> {
    let a = &call.args;
    let (network, mailbox) = whose(a);
    let (since, until) = date_range(a)?;
    let query = InterchangeQuery {
        direction,
        network,
        mailbox,
        no_route_only: false,
        pending_only: false,
        archived_only: false,
        ecgrid_from: ecgrid_filter(a, "ECGridIDFrom"),
        ecgrid_to: ecgrid_filter(a, "ECGridIDTo"),
        since,
        until,
        page: page(a)?,
    };
    let caller = authenticate(&call).await?;
    let found = call.core.interchange_list(&caller, query).await?;
    Ok(super::list(found, |ix| {
        let parcel = match direction {
            Direction::InBox => ix.inbound.unwrap_or(ix.outbound),
            _ => ix.outbound,
        };
        interchange_record(ix, parcel)
    }))
}

async fn interchange_in_box(call: Call) -> Result<Value, Error> {
    interchange_list(call, Direction::InBox).await
}

async fn interchange_out_box(call: Call) -> Result<Value, Error> {
    interchange_list(call, Direction::OutBox).await
}

/// The parcel an interchange is in, as `caller` sees it: the delivery for its receiver,
/// else the upload.
fn parcel_for(caller: &Caller, ix: &Interchange) -> ParcelId {
    match ix.inbound {
        Some(inbound) if caller.mailbox_id == ix.mailbox_to => inbound,
        _ => ix.outbound,
    }
}

async fn interchange_info(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let ix = call
        .core
        .interchange_info(&caller, interchange_id(&call))
        .await?;
    Ok(interchange_record(&ix, parcel_for(&caller, &ix)))
}

async fn interchange_cancel(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = interchange_id(&call);
    call.core.interchange_cancel(&caller, id).await?;
    Ok(Value::Bool(true))
}

async fn interchange_resend(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let id = interchange_id(&call);
    call.core.interchange_resend(&caller, id).await?;
    Ok(Value::Bool(true))
}

// ---- headers and dates ------------------------------------------------------------------

/// Text of an envelope field, lossily decoded and trimmed.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

fn party(p: &Party) -> String {
    format!("{}:{}", text(p.qualifier.as_bytes()), text(p.id.trimmed()))
}

/// A date of 6 (YYMMDD, taken as 20YY) or 8 (CCYYMMDD) digits and a time of at least 4
/// (HHMM, then seconds if given), as UTC.
fn envelope_datetime(date: &[u8], time: &[u8]) -> Option<DateTime<Utc>> {
    let date = std::str::from_utf8(date).ok()?.trim();
    let time = std::str::from_utf8(time).ok()?.trim();
    let date = match date.len() {
        6 => NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").ok()?,
        8 => NaiveDate::parse_from_str(date, "%Y%m%d").ok()?,
        _ => return None,
    };
    let hm = time.get(..4)?;
    let seconds = time.get(4..6).unwrap_or("00");
    let time = NaiveTime::parse_from_str(&format!("{hm}{seconds}"), "%H%M%S").ok()?;
    Some(date.and_time(time).and_utc())
}

/// The first interchange header of `InterchangeHeader`, read far enough to know its parties
/// and date; else a fault saying why.
fn read_header(header: &str) -> Result<edigrid_edi::Interchange, Error> {
    let header = header.trim_start();
    let bad = |why: String| Error::invalid(INTERCHANGE_HEADER.name, ParamProblem::Value, why);
    let reading = read_parcel(header.as_bytes());
    let Some(ix) = reading.interchanges.into_iter().next() else {
        return Err(bad("is not an X12 ISA or EDIFACT UNB header".into()));
    };
    if ix.delimiters.is_none() || ix.date.is_empty() {
        let why = match &ix.verdict {
            edigrid_edi::Verdict::Invalid { reason, .. } => reason.to_string(),
            edigrid_edi::Verdict::Valid => "is too short to read".into(),
        };
        return Err(bad(why));
    }
    Ok(ix)
}

fn header_datetime(ix: &edigrid_edi::Interchange) -> Result<DateTime<Utc>, Error> {
    envelope_datetime(ix.date.as_bytes(), ix.time.as_bytes()).ok_or_else(|| {
        Error::invalid(
            INTERCHANGE_HEADER.name,
            ParamProblem::Value,
            "its date and time are not a valid date (YYMMDD or CCYYMMDD, HHMM)",
        )
    })
}

async fn interchange_header_info(call: Call) -> Result<Value, Error> {
    authenticate(&call).await?;
    let ix = read_header(call.args.str(INTERCHANGE_HEADER.name))?;
    let created = header_datetime(&ix)?;
    let standard = match ix.standard {
        Standard::X12 => "X12",
        Standard::Edifact => "EDIFACT",
    };
    Ok(Value::Record(vec![
        ("InterchangeID", Value::Long(0)),
        ("ParcelID", Value::Long(0)),
        ("Sender", Value::Str(party(&ix.sender))),
        ("Receiver", Value::Str(party(&ix.receiver))),
        ("Standard", Value::Enum(standard)),
        ("DocumentType", Value::Str(String::new())),
        ("Status", Value::Str(String::new())),
        ("Created", Value::DateTime(created)),
        (
            "InterchangeControlID",
            Value::Str(text(ix.control_number.as_bytes())),
        ),
    ]))
}

async fn interchange_date(call: Call) -> Result<Value, Error> {
    let ix = read_header(call.args.str(INTERCHANGE_HEADER.name))?;
    Ok(Value::DateTime(header_datetime(&ix)?))
}

// ---- the manifest -----------------------------------------------------------------------

/// GS04 and GS05 of an X12 group's GS segment.
fn group_date(
    bytes: &[u8],
    group: &Group,
    delimiters: Option<&Delimiters>,
) -> Option<DateTime<Utc>> {
    let Some(Delimiters::X12(d)) = delimiters else {
        return None;
    };
    let gs = bytes.get(group.range.clone())?;
    let segment = gs.split(|b| *b == d.segment).next()?;
    let elements: Vec<&[u8]> = segment.split(|b| *b == d.element).collect();
    envelope_datetime(elements.get(4)?, elements.get(5)?)
}

fn manifest_entry(group: Option<(&Group, Option<DateTime<Utc>>)>, kind: String, n: usize) -> Value {
    let field = |f: fn(&Group) -> &edigrid_edi::Field| {
        group.map_or(String::new(), |(g, _)| text(f(g).as_bytes()))
    };
    let date = group
        .and_then(|(_, d)| d)
        .map_or(Value::UnsetDateTime, Value::DateTime);
    Value::Record(vec![
        ("GroupID", Value::Str(field(|g| &g.functional_id))),
        ("TransactionSetID", Value::Str(kind)),
        (
            "TransactionCount",
            Value::Int(i32::try_from(n).unwrap_or(i32::MAX)),
        ),
        ("SenderID", Value::Str(field(|g| &g.app_sender))),
        ("ReceiverID", Value::Str(field(|g| &g.app_receiver))),
        ("GroupDate", date),
        (
            "GroupControlNumber",
            Value::Str(field(|g| &g.control_number)),
        ),
        ("Version", Value::Str(field(|g| &g.version))),
    ])
}

/// The transaction set types of `transactions`, in first-seen order, with their counts.
fn kinds(transactions: &[edigrid_edi::Transaction]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in transactions {
        let kind = text(t.kind.as_bytes());
        match out.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => out.push((kind, 1)),
        }
    }
    out
}

async fn interchange_manifest(call: Call) -> Result<Value, Error> {
    let caller = authenticate(&call).await?;
    let core = &call.core;
    let ix = core
        .interchange_info(&caller, interchange_id(&call))
        .await?;
    let bytes = core.interchange_content(&caller, &ix).await?;
    let Some(read) = read_parcel(&bytes).interchanges.into_iter().next() else {
        return Ok(Value::List(Vec::new()));
    };
    let mut entries = Vec::new();
    for group in &read.groups {
        let date = group_date(&bytes, group, read.delimiters.as_ref());
        let kinds = kinds(&group.transactions);
        if kinds.is_empty() {
            entries.push(manifest_entry(Some((group, date)), String::new(), 0));
        }
        for (kind, n) in kinds {
            entries.push(manifest_entry(Some((group, date)), kind, n));
        }
    }
    for (kind, n) in kinds(&read.transactions) {
        entries.push(manifest_entry(None, kind, n));
    }
    Ok(Value::List(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_dates_read_both_widths_and_refuse_nonsense() {
        let t = |d: &str, h: &str| envelope_datetime(d.as_bytes(), h.as_bytes());
        let want = "2026-05-07T08:00:00Z";
        assert_eq!(
            t("260507", "0800")
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            want
        );
        assert_eq!(
            t("20260507", "080000")
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            want
        );
        assert_eq!(t("261307", "0800"), None, "month 13");
        assert_eq!(t("260507", "2500"), None, "hour 25");
        assert_eq!(t("2605", "0800"), None, "short date");
        assert_eq!(t("260507", "08"), None, "short time");
    }

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *01*123456789      *260507*0800*U*00401*000000042*0*P*>~";

    #[test]
    fn a_lone_header_is_read_and_anything_else_refused() {
        let ix = read_header(&format!("  {ISA}")).unwrap();
        assert_eq!(
            (party(&ix.sender), party(&ix.receiver)),
            ("ZZ:SENDER".to_string(), "01:123456789".to_string())
        );
        assert_eq!(text(ix.control_number.as_bytes()), "000000042");
        let when = header_datetime(&ix).unwrap();
        assert_eq!(when.to_rfc3339(), "2026-05-07T08:00:00+00:00");
        let unb = read_header("UNB+UNOA:1+SENDER:ZZ+RECEIVER:14+260507:0800+17'").unwrap();
        assert_eq!(party(&unb.sender), "ZZ:SENDER");
        assert_eq!(header_datetime(&unb).unwrap(), when);
        for bad in ["", "hello", &ISA[..50], &ISA.replace("260507", "261399")] {
            let refused = read_header(bad).and_then(|ix| header_datetime(&ix));
            match refused {
                Err(Error::InvalidParameter { item, .. }) => assert_eq!(item, "InterchangeHeader"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
