//! Reports in the documented dialect (ecgrid-docs soap-api/reports, SPEC-VAN 20), in the
//! caller's scope. The pages' `DataSet` tables are typed records here, one type per report
//! (a DataSet does not survive WSDL-first generators such as wsimport; the deployed dialect
//! writes the real thing): the pages' columns, then `BytesIn`/`BytesOut` where traffic is
//! counted. `ReportInterchangeStats` has no `GSSTs`: edigrid does not count the groups and
//! transaction sets inside an interchange; `Bytes` is their size instead.

use chrono::{DateTime, Datelike, NaiveTime, Utc};
use edigrid_core::reports::store::{ReportScope, Traffic};
use edigrid_core::reports::{PeriodTraffic, ReportRows, ReportTarget, StatisticsPeriod};
use edigrid_domain::{Direction, Error, ParamProblem};

use super::super::{Call, Operation, SESSION_ID, authenticate};
use super::required_enum;
use crate::deployed_schema::types;
use crate::schema::{ComplexType, Field, Value, XsdType};

const fn int(name: &'static str) -> Field {
    Field::new(name, XsdType::Int)
}

const fn long(name: &'static str) -> Field {
    Field::new(name, XsdType::Long).optional()
}

pub static INSTANT_STATS: ComplexType = ComplexType {
    name: "InstantStats",
    fields: &[
        int("ParcelsIn1"),
        int("ParcelsOut1"),
        int("InterchangesIn1"),
        int("InterchangesOut1"),
        int("ParcelsIn2"),
        int("ParcelsOut2"),
        int("InterchangesIn2"),
        int("InterchangesOut2"),
    ],
};

pub static INTERCHANGE_STATS: ComplexType = ComplexType {
    name: "InterchangeStats",
    fields: &[
        Field::new("InterchangeDate", XsdType::DateTime),
        Field::new("Direction", XsdType::String),
        int("Count"),
        int("ISAs"),
        long("Bytes"),
    ],
};

pub static MAILBOX_STATS: ComplexType = ComplexType {
    name: "MailboxStats",
    fields: &[
        int("MailboxID"),
        Field::new("MailboxName", XsdType::String),
        int("ParcelsIn"),
        int("ParcelsOut"),
        int("InterchangesIn"),
        int("InterchangesOut"),
        Field::new("LastActivity", XsdType::DateTime),
        long("BytesIn"),
        long("BytesOut"),
    ],
};

pub static MONTHLY_REPORT: ComplexType = ComplexType {
    name: "MonthlyReport",
    fields: &[
        Field::new("ReportDate", XsdType::DateTime),
        int("MailboxID"),
        Field::new("MailboxName", XsdType::String),
        int("ParcelsIn"),
        int("ParcelsOut"),
        int("InterchangesIn"),
        int("InterchangesOut"),
        Field::new("BytesIn", XsdType::Long),
        Field::new("BytesOut", XsdType::Long),
    ],
};

pub static TRAFFIC_STATS: ComplexType = ComplexType {
    name: "TrafficStats",
    fields: &[
        Field::new("PeriodStart", XsdType::DateTime),
        Field::new("PeriodEnd", XsdType::DateTime),
        int("ParcelsIn"),
        int("ParcelsOut"),
        int("InterchangesIn"),
        int("InterchangesOut"),
        Field::new("BytesIn", XsdType::Long),
        Field::new("BytesOut", XsdType::Long),
    ],
};

pub(super) const REPORT_INSTANT_STATS: Operation = Operation {
    name: "ReportInstantStats",
    doc: "Parcels and interchanges in and out in the last Minutes1 and the last Minutes2 minutes (1 to 44640), in the caller's scope: one row.",
    params: &[
        SESSION_ID,
        Field::new("Minutes1", XsdType::Short),
        Field::new("Minutes2", XsdType::Short),
    ],
    result: XsdType::Array(&INSTANT_STATS),
    handler: directory!(report_instant_stats),
};

pub(super) const REPORT_INTERCHANGE_STATS: Operation = Operation {
    name: "ReportInterchangeStats",
    doc: "Interchanges day by day from StartTime's day to EndTime's (at most 366 days), a row per day and direction (NoDir: both).",
    params: &[
        SESSION_ID,
        Field::new("StartTime", XsdType::DateTime),
        Field::new("EndTime", XsdType::DateTime),
        Field::new("Direction", XsdType::Enum(&types::Direction)),
    ],
    result: XsdType::Array(&INTERCHANGE_STATS),
    handler: directory!(report_interchange_stats),
};

pub(super) const REPORT_MAILBOX_STATS: Operation = Operation {
    name: "ReportMailboxStats",
    doc: "All-time totals of each mailbox in the caller's scope with any traffic.",
    params: &[SESSION_ID],
    result: XsdType::Array(&MAILBOX_STATS),
    handler: directory!(report_mailbox_stats),
};

pub(super) const REPORT_MONTHLY: Operation = Operation {
    name: "ReportMonthly",
    doc: "Report 1 (a row per mailbox) or 2 (a row per day, MailboxID 0) for the calendar month holding Month.",
    params: &[
        SESSION_ID,
        Field::new("Report", XsdType::Short),
        Field::new("Month", XsdType::DateTime),
    ],
    result: XsdType::Array(&MONTHLY_REPORT),
    handler: directory!(report_monthly),
};

pub(super) const REPORT_TRAFFIC_STATS: Operation = Operation {
    name: "ReportTrafficStats",
    doc: "NumPeriods (1 to 366) calendar periods of Period, oldest first, the last holding TargetTime.",
    params: &[
        SESSION_ID,
        Field::new("TargetTime", XsdType::DateTime),
        Field::new("NumPeriods", XsdType::Short),
        Field::new("Period", XsdType::Enum(&types::StatisticsPeriod)),
    ],
    result: XsdType::Array(&TRAFFIC_STATS),
    handler: directory!(report_traffic_stats),
};

/// A count as the pages' `int`.
fn n(v: i64) -> Value {
    Value::Int(i32::try_from(v).unwrap_or(i32::MAX))
}

fn counts(t: &Traffic) -> [(&'static str, Value); 6] {
    [
        ("ParcelsIn", n(t.parcels_in)),
        ("ParcelsOut", n(t.parcels_out)),
        ("InterchangesIn", n(t.interchanges_in)),
        ("InterchangesOut", n(t.interchanges_out)),
        ("BytesIn", Value::Long(t.bytes_in)),
        ("BytesOut", Value::Long(t.bytes_out)),
    ]
}

fn date(call: &Call, name: &'static str) -> Result<DateTime<Utc>, Error> {
    call.args
        .datetime(name)
        .ok_or_else(|| Error::invalid(name, ParamProblem::Value, "a date and time is required"))
}

async fn scope(call: &Call) -> Result<ReportScope, Error> {
    let caller = authenticate(call).await?;
    call.core
        .report_scope(&caller, ReportTarget::default())
        .await
}

async fn report_instant_stats(call: Call) -> Result<Value, Error> {
    let scope = scope(&call).await?;
    let minutes = [call.args.int("Minutes1"), call.args.int("Minutes2")];
    let [a, b] = call.core.report_instant(scope, minutes).await?;
    let (a, b) = (a.traffic, b.traffic);
    Ok(Value::List(vec![Value::Record(vec![
        ("ParcelsIn1", n(a.parcels_in)),
        ("ParcelsOut1", n(a.parcels_out)),
        ("InterchangesIn1", n(a.interchanges_in)),
        ("InterchangesOut1", n(a.interchanges_out)),
        ("ParcelsIn2", n(b.parcels_in)),
        ("ParcelsOut2", n(b.parcels_out)),
        ("InterchangesIn2", n(b.interchanges_in)),
        ("InterchangesOut2", n(b.interchanges_out)),
    ])]))
}

async fn report_interchange_stats(call: Call) -> Result<Value, Error> {
    let scope = scope(&call).await?;
    let direction: Direction = required_enum(&call.args, "Direction")?;
    let (start, end) = (date(&call, "StartTime")?, date(&call, "EndTime")?);
    let days = call
        .core
        .report_days(scope, start, end, ("StartTime", "EndTime"))
        .await?;
    let mut rows = Vec::new();
    for d in days {
        let t = d.traffic;
        let sides = [
            (Direction::InBox, t.interchanges_in, t.interchange_bytes_in),
            (
                Direction::OutBox,
                t.interchanges_out,
                t.interchange_bytes_out,
            ),
        ];
        for (side, count, bytes) in sides {
            if direction == Direction::NoDir || direction == side {
                rows.push(Value::Record(vec![
                    ("InterchangeDate", Value::DateTime(d.start)),
                    ("Direction", Value::Str(side.as_str().into())),
                    ("Count", n(count)),
                    ("ISAs", n(count)),
                    ("Bytes", Value::Long(bytes)),
                ]));
            }
        }
    }
    Ok(Value::List(rows))
}

async fn report_mailbox_stats(call: Call) -> Result<Value, Error> {
    let scope = scope(&call).await?;
    let rows = call.core.report_mailboxes(scope).await?;
    Ok(Value::List(
        rows.into_iter()
            .map(|m| {
                let mut fields = vec![
                    ("MailboxID", Value::Int(m.mailbox_id.0)),
                    ("MailboxName", Value::Str(m.mailbox_name)),
                    (
                        "LastActivity",
                        m.traffic
                            .last_activity
                            .map_or(Value::UnsetDateTime, Value::DateTime),
                    ),
                ];
                fields.extend(counts(&m.traffic));
                Value::Record(fields)
            })
            .collect(),
    ))
}

async fn report_monthly(call: Call) -> Result<Value, Error> {
    let scope = scope(&call).await?;
    let month = date(&call, "Month")?;
    let report = i16::try_from(call.args.int("Report"))
        .map_err(|_| Error::invalid("Report", ParamProblem::Value, "is not a report number"))?;
    let first = month
        .date_naive()
        .with_day(1)
        .unwrap_or(month.date_naive())
        .and_time(NaiveTime::MIN)
        .and_utc();
    let row = |date: DateTime<Utc>, id: i32, name: String, t: &Traffic| {
        let mut fields = vec![
            ("ReportDate", Value::DateTime(date)),
            ("MailboxID", Value::Int(id)),
            ("MailboxName", Value::Str(name)),
        ];
        fields.extend(counts(t));
        Value::Record(fields)
    };
    let rows = match call.core.report_monthly(scope, report, month).await? {
        ReportRows::Mailboxes(rows) => rows
            .into_iter()
            .map(|m| row(first, m.mailbox_id.0, m.mailbox_name, &m.traffic))
            .collect(),
        ReportRows::Days(days) => days
            .into_iter()
            .map(|d: PeriodTraffic| row(d.start, 0, String::new(), &d.traffic))
            .collect(),
    };
    Ok(Value::List(rows))
}

async fn report_traffic_stats(call: Call) -> Result<Value, Error> {
    let scope = scope(&call).await?;
    let period: StatisticsPeriod = call.args.enumeration("Period").parse()?;
    let rows = call
        .core
        .report_traffic(
            scope,
            date(&call, "TargetTime")?,
            call.args.int("NumPeriods"),
            period,
        )
        .await?;
    Ok(Value::List(
        rows.into_iter()
            .map(|p| {
                let mut fields = vec![
                    ("PeriodStart", Value::DateTime(p.start)),
                    ("PeriodEnd", Value::DateTime(p.last_second())),
                ];
                fields.extend(counts(&p.traffic));
                Value::Record(fields)
            })
            .collect(),
    ))
}
