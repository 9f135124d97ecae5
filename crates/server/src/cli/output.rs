//! How the administration commands print: aligned tables for people, JSON for scripts, and
//! every field of one record for `show`.

use std::fmt::Display;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use edigrid_core::{MAX_PAGE_SIZE, Page, Paged};
use edigrid_domain::Error;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// A column of a table: its header and whether its cells line up on the right (numbers).
pub(super) struct Column {
    pub header: &'static str,
    pub right: bool,
}

pub(super) const fn left(header: &'static str) -> Column {
    Column {
        header,
        right: false,
    }
}

pub(super) const fn right(header: &'static str) -> Column {
    Column {
        header,
        right: true,
    }
}

/// Writes a header line and one line per row, each column as wide as its widest cell, two
/// spaces apart; the last column is not padded, so no line ends in spaces.
pub(super) fn table(columns: &[Column], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let headers: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    let mut out = std::io::stdout().lock();
    for cells in std::iter::once(&headers).chain(rows) {
        let mut line = String::new();
        for (i, ((column, width), cell)) in columns.iter().zip(&widths).zip(cells).enumerate() {
            let last = i + 1 == columns.len();
            if i > 0 {
                line.push_str("  ");
            }
            let pad = width.saturating_sub(cell.chars().count());
            if column.right {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if !last {
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// One record as the commands print it: its fields in order, with the names its JSON uses.
/// Built by hand so that `show` lists fields in a sensible order and JSON uses the same names.
#[derive(Debug, Default)]
pub(super) struct Record(Vec<(&'static str, Val)>);

#[derive(Debug)]
pub(super) enum Val {
    Int(i64),
    Text(String),
    Bool(bool),
    Null,
    Group(Record),
}

impl Record {
    pub fn new() -> Self {
        Record::default()
    }

    pub fn int(mut self, name: &'static str, value: impl Into<i64>) -> Self {
        self.0.push((name, Val::Int(value.into())));
        self
    }

    pub fn text(mut self, name: &'static str, value: impl Display) -> Self {
        self.0.push((name, Val::Text(value.to_string())));
        self
    }

    pub fn bool(mut self, name: &'static str, value: bool) -> Self {
        self.0.push((name, Val::Bool(value)));
        self
    }

    /// A time, or null when there is none.
    pub fn time(mut self, name: &'static str, value: Option<&DateTime<Utc>>) -> Self {
        self.0
            .push((name, value.map_or(Val::Null, |t| Val::Text(timestamp(t)))));
        self
    }

    /// A number, or null when there is none.
    pub fn opt_int(mut self, name: &'static str, value: Option<impl Into<i64>>) -> Self {
        self.0
            .push((name, value.map_or(Val::Null, |v| Val::Int(v.into()))));
        self
    }

    pub fn group(mut self, name: &'static str, value: Record) -> Self {
        self.0.push((name, Val::Group(value)));
        self
    }

    /// `name  value` lines, nested groups as `address.city`.
    fn lines(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        for (name, value) in &self.0 {
            let name = if prefix.is_empty() {
                (*name).to_string()
            } else {
                format!("{prefix}.{name}")
            };
            let text = match value {
                Val::Group(inner) => {
                    inner.lines(&name, out);
                    continue;
                }
                Val::Int(n) => n.to_string(),
                Val::Text(s) => s.clone(),
                Val::Bool(b) => b.to_string(),
                Val::Null => "-".to_string(),
            };
            out.push((name, text));
        }
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Int(n) => serializer.serialize_i64(*n),
            Val::Text(s) => serializer.serialize_str(s),
            Val::Bool(b) => serializer.serialize_bool(*b),
            Val::Null => serializer.serialize_none(),
            Val::Group(record) => record.serialize(serializer),
        }
    }
}

/// Writes `value` as pretty JSON (an array for a list, an object for `show`).
pub(super) fn json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints one record: as JSON, or every field on a line of its own, values lined up.
pub(super) fn show(record: &Record, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        return json(record);
    }
    let mut lines = Vec::new();
    record.lines("", &mut lines);
    let width = lines
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (name, value) in lines {
        let line = format!("{name:<width$}  {value}");
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Prints a list: a JSON array of every record, or the table.
pub(super) fn list<T>(
    items: &[T],
    as_json: bool,
    record: impl Fn(&T) -> Record,
    columns: &[Column],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    if as_json {
        let records: Vec<Record> = items.iter().map(record).collect();
        return json(&records);
    }
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    table(columns, &rows)
}

/// Every record of a list the services serve page by page.
pub(super) async fn every_page<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, Error>
where
    F: FnMut(Page) -> Fut,
    Fut: Future<Output = Result<Paged<T>, Error>>,
{
    let mut page = Page::first(MAX_PAGE_SIZE);
    let mut all = Vec::new();
    loop {
        let got = fetch(page).await?;
        let short = got.items.len() < page.size as usize;
        all.extend(got.items);
        if short || all.len() as u64 >= got.total {
            return Ok(all);
        }
        page.number += 1;
    }
}

/// Names the object an operator asked for when it does not exist: `NetworkID 7 not found`
/// rather than the services' `NetworkID not found`; other errors pass unchanged.
pub(super) fn not_found(id: impl Display) -> impl FnOnce(Error) -> anyhow::Error {
    move |e| match e {
        Error::NotFound { item } => anyhow::anyhow!("{item} {id} not found"),
        other => other.into(),
    }
}

/// A time as the tables and JSON show it: UTC to the second.
pub(super) fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes one line to standard output (the result of a command that changes something).
pub(super) fn line(text: impl Display) -> anyhow::Result<()> {
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(())
}
