//! Reports (SPEC-VAN 20): traffic, mailbox, interchange, monthly and instant statistics, by
//! SQL aggregates in the caller's scope.
//!
//! Decisions where the contract leaves room:
//! - The scope is whatever the caller's lists show (`list_scope`): a mailbox user its
//!   mailbox, a network's users their network, operators everything; an `Ex` operation
//!   naming a network or mailbox needs authority to read it. `ECGridID` narrows to the ID's
//!   mailbox.
//! - Periods are calendar periods in UTC (weeks start on Monday); the period holding the
//!   target time is the last one. A range's end is inclusive, as upstream says.
//! - Every report is a bounded number of index range aggregates: at most
//!   [`MAX_PERIODS`] periods, [`MAX_DAYS`] days, [`MAX_MINUTES`] minutes.

pub mod store;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Timelike, Utc};
use edigrid_domain::{EcGridId, Error, MailboxId, NetworkId, ParamProblem};

use self::store::{MailboxTraffic, ReportScope, Traffic};
use crate::directory::access::Act;
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// The most periods a traffic report covers.
pub const MAX_PERIODS: i32 = 366;
/// The most days an interchange or by-date report covers.
pub const MAX_DAYS: i64 = 366;
/// The longest window of the instant statistics (31 days).
pub const MAX_MINUTES: i32 = 44_640;

/// What an `Ex` report names; `None` (or 0 on the wire) leaves the caller's own scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportTarget {
    pub network: Option<NetworkId>,
    pub mailbox: Option<MailboxId>,
    pub ecgrid_id: Option<EcGridId>,
}

/// The length of a traffic report's periods (`StatisticsPeriod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsPeriod {
    Hour,
    Day,
    Week,
    Month,
}

impl StatisticsPeriod {
    pub const ALL: [StatisticsPeriod; 4] = [Self::Hour, Self::Day, Self::Week, Self::Month];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "Hour",
            Self::Day => "Day",
            Self::Week => "Week",
            Self::Month => "Month",
        }
    }

    /// The start of the period holding `t`.
    fn start_of(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = day_start(t);
        match self {
            Self::Hour => day + Duration::hours(i64::from(t.hour())),
            Self::Day => day,
            Self::Week => day - Duration::days(i64::from(t.weekday().num_days_from_monday())),
            Self::Month => day - Duration::days(i64::from(t.day0())),
        }
    }

    /// The start of the period `n` periods after the one starting at `start` (n may be
    /// negative).
    fn shift(self, start: DateTime<Utc>, n: i32) -> DateTime<Utc> {
        match self {
            Self::Hour => start + Duration::hours(i64::from(n)),
            Self::Day => start + Duration::days(i64::from(n)),
            Self::Week => start + Duration::weeks(i64::from(n)),
            Self::Month if n >= 0 => start + Months::new(n.unsigned_abs()),
            Self::Month => start - Months::new(n.unsigned_abs()),
        }
    }
}

impl fmt::Display for StatisticsPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for StatisticsPeriod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid(
                    "Period",
                    ParamProblem::Type,
                    format!("{s:?} is not one of Hour, Day, Week, Month"),
                )
            })
    }
}

/// Traffic over `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodTraffic {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub traffic: Traffic,
}

impl PeriodTraffic {
    /// The last second of the period, as upstream writes a period's end.
    pub fn last_second(&self) -> DateTime<Utc> {
        self.end - Duration::seconds(1)
    }
}

/// A report that `ReportMonthly` and `ReportByDateEx` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportInfo {
    pub id: i16,
    pub name: &'static str,
    pub description: &'static str,
    pub active: bool,
}

/// The reports edigrid runs, by number.
pub const REPORTS: [ReportInfo; 2] = [
    ReportInfo {
        id: 1,
        name: "Mailbox traffic",
        description: "One row per mailbox in scope: parcels, interchanges and bytes in and out",
        active: true,
    },
    ReportInfo {
        id: 2,
        name: "Daily traffic",
        description: "One row per day: parcels, interchanges and bytes in and out",
        active: true,
    },
];

/// The rows of a numbered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportRows {
    Mailboxes(Vec<MailboxTraffic>),
    Days(Vec<PeriodTraffic>),
}

fn day_start(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn month_start(t: DateTime<Utc>) -> DateTime<Utc> {
    let first = NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap_or_default();
    Utc.from_utc_datetime(&first.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn bounded(item: &str, n: i64, max: i64) -> Result<(), Error> {
    if (1..=max).contains(&n) {
        return Ok(());
    }
    Err(Error::invalid(
        item,
        ParamProblem::Value,
        format!("must be between 1 and {max}, not {n}"),
    ))
}

/// The days from `start`'s to `end`'s (inclusive), refused when reversed or too many.
fn day_range(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    (start_item, end_item): (&str, &str),
) -> Result<(DateTime<Utc>, i64), Error> {
    if end < start {
        return Err(Error::invalid(
            end_item,
            ParamProblem::Value,
            format!("is before {start_item}"),
        ));
    }
    let first = day_start(start);
    let days = (day_start(end) - first).num_days() + 1;
    if days > MAX_DAYS {
        return Err(Error::invalid(
            end_item,
            ParamProblem::Value,
            format!("the range covers {days} days; at most {MAX_DAYS}"),
        ));
    }
    Ok((first, days))
}

impl Core {
    /// Whose traffic the caller's report counts (see the module's decisions).
    pub async fn report_scope(
        &self,
        caller: &Caller,
        target: ReportTarget,
    ) -> Result<ReportScope, Error> {
        let actor = self.actor(caller).await?;
        let mut mailbox = target.mailbox.filter(|m| m.0 != 0);
        if let Some(id) = target.ecgrid_id.filter(|e| e.0 != 0) {
            mailbox = Some(self.partner_for(&actor, id, Act::Read).await?.mailbox_id);
        }
        let network = target.network.filter(|n| n.0 != 0);
        Ok(match self.list_scope(&actor, network, mailbox).await? {
            (_, Some(m)) => ReportScope::Mailbox(m),
            (Some(n), None) => ReportScope::Network(n),
            (None, None) => ReportScope::All,
        })
    }

    async fn period(
        &self,
        scope: ReportScope,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<PeriodTraffic, Error> {
        let traffic = self
            .inner
            .store
            .traffic(scope, start, end)
            .await
            .map_err(internal)?;
        Ok(PeriodTraffic {
            start,
            end,
            traffic,
        })
    }

    /// `periods` periods of `period`, oldest first, the last holding `target_time`.
    pub async fn report_traffic(
        &self,
        scope: ReportScope,
        target_time: DateTime<Utc>,
        periods: i32,
        period: StatisticsPeriod,
    ) -> Result<Vec<PeriodTraffic>, Error> {
        bounded("NumPeriods", i64::from(periods), i64::from(MAX_PERIODS))?;
        let last = period.start_of(target_time);
        let mut rows = Vec::with_capacity(usize::try_from(periods).unwrap_or(0));
        for back in (0..periods).rev() {
            let start = period.shift(last, -back);
            let end = period.shift(start, 1);
            rows.push(self.period(scope, start, end).await?);
        }
        Ok(rows)
    }

    /// The system's traffic of the last 24 hours, hour by hour: what `ReportTrafficStatsPublic`
    /// shows anyone.
    pub async fn report_public(&self) -> Result<Vec<PeriodTraffic>, Error> {
        self.report_traffic(ReportScope::All, self.now(), 24, StatisticsPeriod::Hour)
            .await
    }

    /// The last `minutes` minutes, for each window.
    pub async fn report_instant(
        &self,
        scope: ReportScope,
        minutes: [i32; 2],
    ) -> Result<[PeriodTraffic; 2], Error> {
        bounded("Minutes1", i64::from(minutes[0]), i64::from(MAX_MINUTES))?;
        bounded("Minutes2", i64::from(minutes[1]), i64::from(MAX_MINUTES))?;
        let now = self.now();
        let end = now + Duration::milliseconds(1);
        let first = self
            .period(scope, now - Duration::minutes(minutes[0].into()), end)
            .await?;
        let second = self
            .period(scope, now - Duration::minutes(minutes[1].into()), end)
            .await?;
        Ok([first, second])
    }

    /// Each mailbox's traffic of all time.
    pub async fn report_mailboxes(&self, scope: ReportScope) -> Result<Vec<MailboxTraffic>, Error> {
        let (since, until) = (DateTime::<Utc>::UNIX_EPOCH, self.now() + Duration::days(1));
        self.inner
            .store
            .traffic_by_mailbox(scope, since, until)
            .await
            .map_err(internal)
    }

    /// Each mailbox's traffic of the current calendar month (UTC), and the month's start.
    pub async fn report_mailboxes_this_month(
        &self,
        scope: ReportScope,
    ) -> Result<(DateTime<Utc>, Vec<MailboxTraffic>), Error> {
        let start = month_start(self.now());
        let rows = self
            .inner
            .store
            .traffic_by_mailbox(scope, start, start + Months::new(1))
            .await
            .map_err(internal)?;
        Ok((start, rows))
    }

    /// The scope's traffic of the current calendar month (UTC) and its first day.
    pub async fn report_this_month(&self, scope: ReportScope) -> Result<PeriodTraffic, Error> {
        let start = month_start(self.now());
        self.period(scope, start, start + Months::new(1)).await
    }

    /// Day by day from `start`'s day to `end`'s.
    pub async fn report_days(
        &self,
        scope: ReportScope,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        items: (&str, &str),
    ) -> Result<Vec<PeriodTraffic>, Error> {
        let (first, days) = day_range(start, end, items)?;
        let mut rows = Vec::new();
        for d in 0..days {
            let day = first + Duration::days(d);
            rows.push(self.period(scope, day, day + Duration::days(1)).await?);
        }
        Ok(rows)
    }

    /// Report number `report` (of [`REPORTS`]) over `[start, end]`.
    pub async fn report_run(
        &self,
        scope: ReportScope,
        report: i16,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        items: (&str, &str),
    ) -> Result<ReportRows, Error> {
        match report {
            1 => {
                day_range(start, end, items)?;
                let until = end + Duration::milliseconds(1);
                let rows = self
                    .inner
                    .store
                    .traffic_by_mailbox(scope, start, until)
                    .await
                    .map_err(internal)?;
                Ok(ReportRows::Mailboxes(rows))
            }
            2 => Ok(ReportRows::Days(
                self.report_days(scope, start, end, items).await?,
            )),
            other => Err(Error::invalid(
                "Report",
                ParamProblem::Value,
                format!(
                    "no report {other}; the reports are 1 (mailbox traffic) and 2 (daily traffic)"
                ),
            )),
        }
    }

    /// Report number `report` for the calendar month holding `month`.
    pub async fn report_monthly(
        &self,
        scope: ReportScope,
        report: i16,
        month: DateTime<Utc>,
    ) -> Result<ReportRows, Error> {
        let start = month_start(month);
        let end = start + Months::new(1) - Duration::milliseconds(1);
        self.report_run(scope, report, (start, end), ("Month", "Month"))
            .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_calendar_periods_holding_the_target() {
        let at = t("2026-05-07T15:42:10Z");
        assert_eq!(
            StatisticsPeriod::Hour.start_of(at),
            t("2026-05-07T15:00:00Z")
        );
        assert_eq!(
            StatisticsPeriod::Day.start_of(at),
            t("2026-05-07T00:00:00Z")
        );
        assert_eq!(
            StatisticsPeriod::Week.start_of(at),
            t("2026-05-04T00:00:00Z")
        );
        assert_eq!(
            StatisticsPeriod::Month.start_of(at),
            t("2026-05-01T00:00:00Z")
        );
        let may = t("2026-05-01T00:00:00Z");
        assert_eq!(
            StatisticsPeriod::Month.shift(may, -5),
            t("2025-12-01T00:00:00Z")
        );
        assert_eq!(
            StatisticsPeriod::Month.shift(may, 1),
            t("2026-06-01T00:00:00Z")
        );
    }

    #[test]
    fn ranges_are_bounded_and_ordered() {
        let a = t("2026-01-01T10:00:00Z");
        assert_eq!(day_range(a, a, ("S", "E")).unwrap().1, 1);
        assert!(day_range(a, a - Duration::days(1), ("S", "E")).is_err());
        assert!(day_range(a, a + Duration::days(400), ("S", "E")).is_err());
        assert!(bounded("N", 0, 5).is_err());
        assert!("week".parse::<StatisticsPeriod>().is_ok());
        assert!("Fortnight".parse::<StatisticsPeriod>().is_err());
    }
}
