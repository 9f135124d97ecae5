//! Reports in the deployed dialect (SPEC-VAN 20): each result is a .NET `DataSet`
//! ([`crate::dataset`]) of one table, whose columns are the upstream pages' (with
//! `BytesIn`/`BytesOut` where traffic is counted). Base operations report the caller's
//! scope; `Ex` twins name a network and mailbox (0: the caller's).
//!
//! `ReportInterchangeStats` counts interchanges (`Count`, `ISAs`) and their bytes; edigrid
//! does not count the groups and transaction sets inside them, so `GSSTs` is left out.

use chrono::{DateTime, Datelike, NaiveTime, Utc};
use edigrid_core::reports::store::{MailboxTraffic, ReportScope, Traffic};
use edigrid_core::reports::{PeriodTraffic, ReportRows, ReportTarget, StatisticsPeriod};
use edigrid_domain::{Direction, EcGridId, Error, MailboxId, NetworkId, ParamProblem};

use super::super::{Call, authenticate};
use super::users::named;
use super::{Registration, enum_arg};
use crate::dataset::{Cell, Column, DataSet};
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[
    serve_directory!("ReportMonthly", report_monthly),
    serve_directory!("ReportMonthlyEx", report_monthly_ex),
    serve_directory!("ReportByDateEx", report_by_date_ex),
    serve_directory!("ReportTrafficStats", report_traffic_stats),
    serve_directory!("ReportTrafficStatsEx", report_traffic_stats_ex),
    serve!("ReportTrafficStatsPublic", report_traffic_stats_public),
    serve_directory!("ReportInstantStats", report_instant_stats),
    serve_directory!("ReportInstantStatsEx", report_instant_stats_ex),
    serve_directory!("ReportMailboxStats", report_mailbox_stats),
    serve_directory!("ReportMailboxStatsEx", report_mailbox_stats_ex),
    serve_directory!(
        "ReportMailboxInterchangeStats",
        report_mailbox_interchange_stats
    ),
    serve_directory!(
        "ReportMailboxInterchangeStatsEx",
        report_mailbox_interchange_stats_ex
    ),
    serve_directory!("ReportInterchangeStats", report_interchange_stats),
    serve_directory!("ReportInterchangeStatsEx", report_interchange_stats_ex),
];

const TRAFFIC: &[(&str, Column)] = &[
    ("PeriodStart", Column::DateTime),
    ("PeriodEnd", Column::DateTime),
    ("ParcelsIn", Column::Int),
    ("ParcelsOut", Column::Int),
    ("InterchangesIn", Column::Int),
    ("InterchangesOut", Column::Int),
    ("BytesIn", Column::Long),
    ("BytesOut", Column::Long),
];
const INSTANT: &[(&str, Column)] = &[
    ("ParcelsIn1", Column::Int),
    ("ParcelsOut1", Column::Int),
    ("InterchangesIn1", Column::Int),
    ("InterchangesOut1", Column::Int),
    ("ParcelsIn2", Column::Int),
    ("ParcelsOut2", Column::Int),
    ("InterchangesIn2", Column::Int),
    ("InterchangesOut2", Column::Int),
];
const MAILBOXES: &[(&str, Column)] = &[
    ("MailboxID", Column::Int),
    ("MailboxName", Column::Str),
    ("ParcelsIn", Column::Int),
    ("ParcelsOut", Column::Int),
    ("InterchangesIn", Column::Int),
    ("InterchangesOut", Column::Int),
    ("BytesIn", Column::Long),
    ("BytesOut", Column::Long),
    ("LastActivity", Column::DateTime),
];
const MAILBOX_INTERCHANGES: &[(&str, Column)] = &[
    ("Period", Column::Str),
    ("MailboxID", Column::Int),
    ("MailboxName", Column::Str),
    ("InterchangesIn", Column::Int),
    ("InterchangesOut", Column::Int),
    ("BytesIn", Column::Long),
    ("BytesOut", Column::Long),
];
const INTERCHANGES: &[(&str, Column)] = &[
    ("InterchangeDate", Column::DateTime),
    ("Direction", Column::Str),
    ("Count", Column::Int),
    ("ISAs", Column::Int),
    ("Bytes", Column::Long),
];
const MONTHLY_MAILBOXES: &[(&str, Column)] = &[
    ("ReportDate", Column::DateTime),
    ("MailboxID", Column::Int),
    ("MailboxName", Column::Str),
    ("ParcelsIn", Column::Int),
    ("ParcelsOut", Column::Int),
    ("InterchangesIn", Column::Int),
    ("InterchangesOut", Column::Int),
    ("BytesIn", Column::Long),
    ("BytesOut", Column::Long),
];
const MONTHLY_DAYS: &[(&str, Column)] = &[
    ("ReportDate", Column::DateTime),
    ("ParcelsIn", Column::Int),
    ("ParcelsOut", Column::Int),
    ("InterchangesIn", Column::Int),
    ("InterchangesOut", Column::Int),
    ("BytesIn", Column::Long),
    ("BytesOut", Column::Long),
];

/// The counts every traffic row ends with.
fn counts(t: &Traffic) -> Vec<Cell> {
    vec![
        Cell::Int(t.parcels_in),
        Cell::Int(t.parcels_out),
        Cell::Int(t.interchanges_in),
        Cell::Int(t.interchanges_out),
        Cell::Int(t.bytes_in),
        Cell::Int(t.bytes_out),
    ]
}

fn traffic_table(rows: &[PeriodTraffic]) -> Value {
    let mut ds = DataSet::new(TRAFFIC);
    for p in rows {
        let mut cells = vec![Cell::Time(p.start), Cell::Time(p.last_second())];
        cells.extend(counts(&p.traffic));
        ds.row(cells);
    }
    ds.into_value()
}

fn mailbox_table(rows: Vec<MailboxTraffic>) -> Value {
    let mut ds = DataSet::new(MAILBOXES);
    for m in rows {
        let mut cells = vec![Cell::Int(m.mailbox_id.0.into()), Cell::Str(m.mailbox_name)];
        cells.extend(counts(&m.traffic));
        cells.push(m.traffic.last_activity.map_or(Cell::Null, Cell::Time));
        ds.row(cells);
    }
    ds.into_value()
}

/// A required date parameter.
fn date(call: &Call, name: &'static str) -> Result<DateTime<Utc>, Error> {
    call.args
        .datetime(name)
        .ok_or_else(|| Error::invalid(name, ParamProblem::Value, "a date and time is required"))
}

/// The scope of a report: the caller's own, or (`ex`) the network and mailbox it names.
async fn scope(call: &Call, ex: bool) -> Result<ReportScope, Error> {
    let caller = authenticate(call).await?;
    let target = if ex {
        ReportTarget {
            network: named(call.args.int("NetworkID"), NetworkId),
            mailbox: named(call.args.int("MailboxID"), MailboxId),
            ecgrid_id: named(call.args.int("ECGridID"), EcGridId),
        }
    } else {
        ReportTarget::default()
    };
    call.core.report_scope(&caller, target).await
}

async fn monthly(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    let month = date(&call, "Month")?;
    let rows = call
        .core
        .report_monthly(scope, report_number(&call)?, month)
        .await?;
    Ok(numbered(rows, month_start(month)))
}

/// `Report` (a `short`).
fn report_number(call: &Call) -> Result<i16, Error> {
    i16::try_from(call.args.int("Report"))
        .map_err(|_| Error::invalid("Report", ParamProblem::Value, "is not a report number"))
}

/// The first instant of `t`'s month.
fn month_start(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = t.date_naive().with_day(1).unwrap_or(t.date_naive());
    day.and_time(NaiveTime::MIN).and_utc()
}

/// A numbered report's rows: one per mailbox (report 1, dated `first`) or per day
/// (report 2).
fn numbered(rows: ReportRows, first: DateTime<Utc>) -> Value {
    match rows {
        ReportRows::Mailboxes(rows) => {
            let mut ds = DataSet::new(MONTHLY_MAILBOXES);
            for m in rows {
                let mut cells = vec![
                    Cell::Time(first),
                    Cell::Int(m.mailbox_id.0.into()),
                    Cell::Str(m.mailbox_name),
                ];
                cells.extend(counts(&m.traffic));
                ds.row(cells);
            }
            ds.into_value()
        }
        ReportRows::Days(days) => {
            let mut ds = DataSet::new(MONTHLY_DAYS);
            for d in days {
                let mut cells = vec![Cell::Time(d.start)];
                cells.extend(counts(&d.traffic));
                ds.row(cells);
            }
            ds.into_value()
        }
    }
}

async fn report_monthly(call: Call) -> Result<Value, Error> {
    monthly(call, false).await
}

async fn report_monthly_ex(call: Call) -> Result<Value, Error> {
    monthly(call, true).await
}

async fn report_by_date_ex(call: Call) -> Result<Value, Error> {
    let scope = scope(&call, true).await?;
    let range = (date(&call, "StartDate")?, date(&call, "EndDate")?);
    let rows = call
        .core
        .report_run(
            scope,
            report_number(&call)?,
            range,
            ("StartDate", "EndDate"),
        )
        .await?;
    Ok(numbered(rows, range.0))
}

async fn traffic_stats(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    let period: StatisticsPeriod = enum_arg(&call, "Period")?;
    let rows = call
        .core
        .report_traffic(
            scope,
            date(&call, "TargetTime")?,
            call.args.int("NumPeriods"),
            period,
        )
        .await?;
    Ok(traffic_table(&rows))
}

async fn report_traffic_stats(call: Call) -> Result<Value, Error> {
    traffic_stats(call, false).await
}

async fn report_traffic_stats_ex(call: Call) -> Result<Value, Error> {
    traffic_stats(call, true).await
}

/// Takes no session: the whole system's hourly counts of the last day, no names.
async fn report_traffic_stats_public(call: Call) -> Result<Value, Error> {
    Ok(traffic_table(&call.core.report_public().await?))
}

async fn instant_stats(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    let minutes = [call.args.int("Minutes1"), call.args.int("Minutes2")];
    let [a, b] = call.core.report_instant(scope, minutes).await?;
    let mut ds = DataSet::new(INSTANT);
    let mut cells = Vec::new();
    for t in [a.traffic, b.traffic] {
        cells.extend([
            Cell::Int(t.parcels_in),
            Cell::Int(t.parcels_out),
            Cell::Int(t.interchanges_in),
            Cell::Int(t.interchanges_out),
        ]);
    }
    ds.row(cells);
    Ok(ds.into_value())
}

async fn report_instant_stats(call: Call) -> Result<Value, Error> {
    instant_stats(call, false).await
}

async fn report_instant_stats_ex(call: Call) -> Result<Value, Error> {
    instant_stats(call, true).await
}

async fn mailbox_stats(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    Ok(mailbox_table(call.core.report_mailboxes(scope).await?))
}

async fn report_mailbox_stats(call: Call) -> Result<Value, Error> {
    mailbox_stats(call, false).await
}

async fn report_mailbox_stats_ex(call: Call) -> Result<Value, Error> {
    mailbox_stats(call, true).await
}

async fn mailbox_interchange_stats(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    let (month, rows) = call.core.report_mailboxes_this_month(scope).await?;
    let period = month.format("%Y-%m").to_string();
    let mut ds = DataSet::new(MAILBOX_INTERCHANGES);
    for m in rows {
        let t = m.traffic;
        ds.row(vec![
            Cell::Str(period.clone()),
            Cell::Int(m.mailbox_id.0.into()),
            Cell::Str(m.mailbox_name),
            Cell::Int(t.interchanges_in),
            Cell::Int(t.interchanges_out),
            Cell::Int(t.interchange_bytes_in),
            Cell::Int(t.interchange_bytes_out),
        ]);
    }
    Ok(ds.into_value())
}

async fn report_mailbox_interchange_stats(call: Call) -> Result<Value, Error> {
    mailbox_interchange_stats(call, false).await
}

async fn report_mailbox_interchange_stats_ex(call: Call) -> Result<Value, Error> {
    mailbox_interchange_stats(call, true).await
}

async fn interchange_stats(call: Call, ex: bool) -> Result<Value, Error> {
    let scope = scope(&call, ex).await?;
    let direction: Direction = enum_arg(&call, "Direction")?;
    let (start, end) = (date(&call, "StartTime")?, date(&call, "EndTime")?);
    let days = call
        .core
        .report_days(scope, start, end, ("StartTime", "EndTime"))
        .await?;
    let mut ds = DataSet::new(INTERCHANGES);
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
        for (side, n, bytes) in sides {
            if direction == Direction::NoDir || direction == side {
                ds.row(vec![
                    Cell::Time(d.start),
                    Cell::Str(side.as_str().into()),
                    Cell::Int(n),
                    Cell::Int(n),
                    Cell::Int(bytes),
                ]);
            }
        }
    }
    Ok(ds.into_value())
}

async fn report_interchange_stats(call: Call) -> Result<Value, Error> {
    interchange_stats(call, false).await
}

async fn report_interchange_stats_ex(call: Call) -> Result<Value, Error> {
    interchange_stats(call, true).await
}
