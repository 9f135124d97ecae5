//! `/v2/reports/*` (ecgrid-docs `rest-api/reports/`): traffic, mailbox, interchange,
//! monthly and instant statistics, in the caller's scope (a mailbox user its mailbox, a
//! network's users their network, operators everything).
//!
//! Each answer has upstream's fields and, beside them, the counts they are made of
//! (`parcelsIn`, `parcelsOut`, `interchangesIn`, `interchangesOut`, `bytesIn`, `bytesOut`):
//! "sent" and "received" are parcels, `totalBytes` their bytes both ways; interchange
//! reports count interchanges and their bytes. `mailbox-stats` has no `activePartners`.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use edigrid_core::Caller;
use edigrid_core::reports::store::{ReportScope, Traffic};
use edigrid_core::reports::{PeriodTraffic, REPORTS, ReportRows, ReportTarget, StatisticsPeriod};
use edigrid_domain::Direction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, StandardErrors, from_core};
use crate::json::JsonBody;
use crate::parcels_routes::{DirectionName, WireTime};

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api.routes(routes!(instant_stats))
        .routes(routes!(interchange_stats))
        .routes(routes!(mailbox_interchange_stats))
        .routes(routes!(mailbox_stats))
        .routes(routes!(monthly))
        .routes(routes!(by_date))
        .routes(routes!(report_list))
        .routes(routes!(traffic_stats))
}

const RENAMES: &[(&str, &str)] = &[("Report", "report"), ("Month", "month")];

fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

/// The counts a report row is made of.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficCounts {
    pub parcels_in: i64,
    pub parcels_out: i64,
    pub interchanges_in: i64,
    pub interchanges_out: i64,
    /// Bytes of the parcels delivered to the scope.
    pub bytes_in: i64,
    /// Bytes of the parcels the scope uploaded.
    pub bytes_out: i64,
    pub interchange_bytes_in: i64,
    pub interchange_bytes_out: i64,
}

impl From<Traffic> for TrafficCounts {
    fn from(t: Traffic) -> Self {
        TrafficCounts {
            parcels_in: t.parcels_in,
            parcels_out: t.parcels_out,
            interchanges_in: t.interchanges_in,
            interchanges_out: t.interchanges_out,
            bytes_in: t.bytes_in,
            bytes_out: t.bytes_out,
            interchange_bytes_in: t.interchange_bytes_in,
            interchange_bytes_out: t.interchange_bytes_out,
        }
    }
}

async fn scope(state: &RestState, caller: &Caller) -> Result<ReportScope, ApiError> {
    state
        .core
        .report_scope(caller, ReportTarget::default())
        .await
        .map_err(rest_error)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstantStatsBody {
    /// The first window, in minutes (1 to 44640).
    pub minutes1: i32,
    pub minutes2: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstantStats {
    pub window1_minutes: i32,
    /// Parcels in and out in the first window.
    pub window1_count: i64,
    pub window2_minutes: i32,
    pub window2_count: i64,
    pub window1: TrafficCounts,
    pub window2: TrafficCounts,
}

/// Parcels of the last `minutes1` and `minutes2` minutes.
#[utoipa::path(post, path = "/v2/reports/instant-stats", tag = "reports",
    request_body = InstantStatsBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<InstantStats>), BodyErrors))]
pub async fn instant_stats(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<InstantStatsBody>,
) -> Result<Data<InstantStats>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let [one, two] = state
        .core
        .report_instant(scope, [b.minutes1, b.minutes2])
        .await
        .map_err(|e| from_core(e, &[("Minutes1", "minutes1"), ("Minutes2", "minutes2")]))?;
    Ok(Data(InstantStats {
        window1_minutes: b.minutes1,
        window1_count: one.traffic.parcels(),
        window2_minutes: b.minutes2,
        window2_count: two.traffic.parcels(),
        window1: one.traffic.into(),
        window2: two.traffic.into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangeStatsBody {
    pub start_time: WireTime,
    /// Inclusive; at most 366 days after `startTime`.
    pub end_time: WireTime,
    pub direction: DirectionName,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterchangeStatsRow {
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub period_start: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub period_end: DateTime<Utc>,
    /// Interchanges of the direction asked (both for `NoDir`).
    pub count: i64,
    pub total_bytes: i64,
    pub direction: DirectionName,
}

/// Interchanges day by day.
#[utoipa::path(post, path = "/v2/reports/interchange-stats", tag = "reports",
    request_body = InterchangeStatsBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<InterchangeStatsRow>>), BodyErrors))]
pub async fn interchange_stats(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<InterchangeStatsBody>,
) -> Result<Data<Vec<InterchangeStatsRow>>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let days = state
        .core
        .report_days(
            scope,
            b.start_time.at,
            b.end_time.at,
            ("StartTime", "EndTime"),
        )
        .await
        .map_err(rest_error)?;
    let direction = b.direction.0;
    let rows = days
        .into_iter()
        .map(|d| {
            let t = d.traffic;
            let (count, total_bytes) = match direction {
                Direction::InBox => (t.interchanges_in, t.interchange_bytes_in),
                Direction::OutBox => (t.interchanges_out, t.interchange_bytes_out),
                Direction::NoDir => (
                    t.interchanges(),
                    t.interchange_bytes_in + t.interchange_bytes_out,
                ),
            };
            InterchangeStatsRow {
                period_start: d.start,
                period_end: d.last_second(),
                count,
                total_bytes,
                direction: b.direction,
            }
        })
        .collect();
    Ok(Data(rows))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxInterchangeStats {
    /// Interchanges sent this month.
    pub sent: i64,
    /// Interchanges delivered this month.
    pub received: i64,
    /// Their bytes.
    pub total_bytes: i64,
    /// `YYYY-MM`, UTC.
    pub period: String,
}

/// Interchanges of the current month.
#[utoipa::path(get, path = "/v2/reports/mailbox-interchange-stats", tag = "reports",
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxInterchangeStats>), StandardErrors))]
pub async fn mailbox_interchange_stats(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Data<MailboxInterchangeStats>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let month = state
        .core
        .report_this_month(scope)
        .await
        .map_err(rest_error)?;
    let t = month.traffic;
    Ok(Data(MailboxInterchangeStats {
        sent: t.interchanges_out,
        received: t.interchanges_in,
        total_bytes: t.interchange_bytes_in + t.interchange_bytes_out,
        period: month.start.format("%Y-%m").to_string(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxStatsRow {
    pub mailbox_id: i32,
    pub mailbox_name: String,
    #[serde(flatten)]
    pub counts: TrafficCounts,
    #[serde(serialize_with = "crate::time_format::optional_whole_seconds")]
    pub last_activity: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MailboxStats {
    /// The caller's mailbox (0 for a network's or everyone's report).
    pub mailbox_id: i32,
    pub total_parcels: i64,
    pub total_interchanges: i64,
    /// Parcel bytes both ways.
    pub total_bytes: i64,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub report_generated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub counts: TrafficCounts,
    /// Each mailbox in scope with any traffic.
    pub mailboxes: Vec<MailboxStatsRow>,
}

/// All-time totals of the scope, and of each mailbox in it.
#[utoipa::path(get, path = "/v2/reports/mailbox-stats", tag = "reports",
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<MailboxStats>), StandardErrors))]
pub async fn mailbox_stats(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
) -> Result<Data<MailboxStats>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let rows = state
        .core
        .report_mailboxes(scope)
        .await
        .map_err(rest_error)?;
    let mut total = Traffic::default();
    for r in &rows {
        let t = r.traffic;
        total.parcels_in += t.parcels_in;
        total.parcels_out += t.parcels_out;
        total.interchanges_in += t.interchanges_in;
        total.interchanges_out += t.interchanges_out;
        total.bytes_in += t.bytes_in;
        total.bytes_out += t.bytes_out;
        total.interchange_bytes_in += t.interchange_bytes_in;
        total.interchange_bytes_out += t.interchange_bytes_out;
    }
    let mailbox_id = match scope {
        ReportScope::Mailbox(m) => m.0,
        _ => 0,
    };
    Ok(Data(MailboxStats {
        mailbox_id,
        total_parcels: total.parcels(),
        total_interchanges: total.interchanges(),
        total_bytes: total.bytes(),
        report_generated_at: state.core.now(),
        counts: total.into(),
        mailboxes: rows
            .into_iter()
            .map(|m| MailboxStatsRow {
                mailbox_id: m.mailbox_id.0,
                mailbox_name: m.mailbox_name,
                last_activity: m.traffic.last_activity,
                counts: m.traffic.into(),
            })
            .collect(),
    }))
}

/// A row of a numbered report: a mailbox's (report 1) or a day's (report 2).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// The day (report 2); absent for report 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox_name: Option<String>,
    /// Parcels uploaded.
    pub sent: i64,
    /// Parcels delivered.
    pub received: i64,
    pub total_bytes: i64,
    #[serde(flatten)]
    pub counts: TrafficCounts,
}

fn report_rows(rows: ReportRows) -> Vec<ReportRow> {
    let row = |t: Traffic| (t.parcels_out, t.parcels_in, t.bytes());
    match rows {
        ReportRows::Mailboxes(rows) => rows
            .into_iter()
            .map(|m| {
                let (sent, received, total_bytes) = row(m.traffic);
                ReportRow {
                    date: None,
                    mailbox_id: Some(m.mailbox_id.0),
                    mailbox_name: Some(m.mailbox_name),
                    sent,
                    received,
                    total_bytes,
                    counts: m.traffic.into(),
                }
            })
            .collect(),
        ReportRows::Days(days) => days
            .into_iter()
            .map(|d: PeriodTraffic| {
                let (sent, received, total_bytes) = row(d.traffic);
                ReportRow {
                    date: Some(d.start.format("%Y-%m-%d").to_string()),
                    mailbox_id: None,
                    mailbox_name: None,
                    sent,
                    received,
                    total_bytes,
                    counts: d.traffic.into(),
                }
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonthlyBody {
    /// 1 (mailbox traffic) or 2 (daily traffic); see `GET /v2/reports/{ShowInactive}`.
    pub report: i16,
    /// Any time in the month.
    pub month: WireTime,
}

/// A numbered report for one calendar month.
#[utoipa::path(post, path = "/v2/reports/monthly", tag = "reports",
    request_body = MonthlyBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ReportRow>>), BodyErrors))]
pub async fn monthly(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<MonthlyBody>,
) -> Result<Data<Vec<ReportRow>>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let rows = state
        .core
        .report_monthly(scope, b.report, b.month.at)
        .await
        .map_err(rest_error)?;
    Ok(Data(report_rows(rows)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ByDateBody {
    pub report_id: i16,
    pub start_date: WireTime,
    /// Inclusive (a date alone: that whole day).
    pub end_date: WireTime,
}

/// A numbered report over a range of dates.
#[utoipa::path(post, path = "/v2/reports/bydate", tag = "reports",
    request_body = ByDateBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ReportRow>>), BodyErrors))]
pub async fn by_date(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<ByDateBody>,
) -> Result<Data<Vec<ReportRow>>, ApiError> {
    let scope = scope(&state, &caller).await?;
    let end = if b.end_date.date_only {
        b.end_date.at + chrono::Duration::days(1) - chrono::Duration::milliseconds(1)
    } else {
        b.end_date.at
    };
    let rows = state
        .core
        .report_run(
            scope,
            b.report_id,
            (b.start_date.at, end),
            ("StartDate", "EndDate"),
        )
        .await
        .map_err(|e| from_core(e, &[("Report", "reportId")]))?;
    Ok(Data(report_rows(rows)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportDescriptor {
    pub report_id: i16,
    pub name: String,
    pub description: String,
    pub active: bool,
}

/// The numbered reports (all are active).
#[utoipa::path(get, path = "/v2/reports/{ShowInactive}", tag = "reports",
    params(("ShowInactive" = bool, Path, description = "true: inactive reports too")),
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<ReportDescriptor>>), StandardErrors))]
pub async fn report_list(
    Authenticated(_caller): Authenticated,
    Path(show_inactive): Path<String>,
) -> Result<Data<Vec<ReportDescriptor>>, ApiError> {
    let show_inactive: bool = show_inactive.to_ascii_lowercase().parse().map_err(|_| {
        ApiError::invalid(format!(
            "invalid field ShowInactive: {show_inactive:?} is not true or false"
        ))
    })?;
    Ok(Data(
        REPORTS
            .iter()
            .filter(|r| r.active || show_inactive)
            .map(|r| ReportDescriptor {
                report_id: r.id,
                name: r.name.into(),
                description: r.description.into(),
                active: r.active,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficStatsBody {
    pub target_time: WireTime,
    /// 1 to 366.
    pub num_periods: i32,
    /// `Hour`, `Day`, `Week` or `Month`.
    pub period: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficStatsRow {
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub period_start: DateTime<Utc>,
    #[serde(serialize_with = "crate::time_format::whole_seconds")]
    pub period_end: DateTime<Utc>,
    /// Parcels uploaded.
    pub sent_count: i64,
    /// Parcels delivered.
    pub received_count: i64,
    pub total_bytes: i64,
    #[serde(flatten)]
    pub counts: TrafficCounts,
}

/// Traffic period by period, oldest first, the last period holding `targetTime`.
#[utoipa::path(post, path = "/v2/reports/traffic-stats", tag = "reports",
    request_body = TrafficStatsBody,
    security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiResponse<Vec<TrafficStatsRow>>), BodyErrors))]
pub async fn traffic_stats(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    JsonBody(b): JsonBody<TrafficStatsBody>,
) -> Result<Data<Vec<TrafficStatsRow>>, ApiError> {
    let renames = &[("Period", "period"), ("NumPeriods", "numPeriods")];
    let period: StatisticsPeriod = b.period.parse().map_err(|e| from_core(e, renames))?;
    let scope = scope(&state, &caller).await?;
    let rows = state
        .core
        .report_traffic(scope, b.target_time.at, b.num_periods, period)
        .await
        .map_err(|e| from_core(e, renames))?;
    Ok(Data(
        rows.into_iter()
            .map(|p| TrafficStatsRow {
                period_start: p.start,
                period_end: p.last_second(),
                sent_count: p.traffic.parcels_out,
                received_count: p.traffic.parcels_in,
                total_bytes: p.traffic.bytes(),
                counts: p.traffic.into(),
            })
            .collect(),
    ))
}
