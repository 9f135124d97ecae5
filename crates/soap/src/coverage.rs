//! Coverage tables (SPEC-VAN section 12): every entry of a catalogue, served or refused on
//! purpose with its reason, rendered from the operation tables as the README shows them. The
//! renderer takes any rows, so other catalogues (REST) can use it too.

use std::fmt;

use crate::deployed_schema;
use crate::operations::{DEPLOYED, DOCUMENTED, Dialect};

/// What edigrid does with one entry of a catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage<'a> {
    Served,
    /// Refused on purpose, for this reason.
    Refused(&'a str),
    /// Neither served nor refused: a gap the tests report.
    Missing,
}

impl fmt::Display for Coverage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coverage::Served => f.write_str("served"),
            Coverage::Refused(reason) => write!(f, "refused: {reason}"),
            Coverage::Missing => f.write_str("missing: neither served nor refused"),
        }
    }
}

/// A Markdown table of `rows` (entry, coverage) in the order given, after a line counting
/// them.
pub fn markdown_table<'a>(
    entry_heading: &str,
    rows: impl IntoIterator<Item = (&'a str, Coverage<'a>)>,
) -> String {
    let rows: Vec<_> = rows.into_iter().collect();
    let served = rows.iter().filter(|(_, c)| *c == Coverage::Served).count();
    let refused = rows
        .iter()
        .filter(|(_, c)| matches!(c, Coverage::Refused(_)))
        .count();
    let mut out = format!(
        "{} entries: {served} served, {refused} refused.\n\n| {} | Status |\n|---|---|\n",
        rows.len(),
        cell(entry_heading)
    );
    for (entry, coverage) in &rows {
        out.push_str(&format!(
            "| {} | {} |\n",
            cell(entry),
            cell(&coverage.to_string())
        ));
    }
    out
}

/// A table cell's text: a `|` would end the cell, a line break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn coverage_in(dialect: &Dialect, name: &str) -> Coverage<'static> {
    if dialect.operation(name).is_some() {
        return Coverage::Served;
    }
    dialect
        .unsupported
        .iter()
        .find(|(op, _)| *op == name)
        .map_or(Coverage::Missing, |(_, reason)| Coverage::Refused(reason))
}

/// Every operation of the deployed WSDL, in WSDL order.
pub fn deployed_rows() -> Vec<(&'static str, Coverage<'static>)> {
    deployed_schema::OPERATION_NAMES
        .iter()
        .map(|name| (*name, coverage_in(&DEPLOYED, name)))
        .collect()
}

/// Every operation of the documented table, then the documented operations it refuses.
pub fn documented_rows() -> Vec<(&'static str, Coverage<'static>)> {
    DOCUMENTED
        .operations
        .iter()
        .map(|op| (op.name, Coverage::Served))
        .chain(
            DOCUMENTED
                .unsupported
                .iter()
                .map(|(name, reason)| (*name, Coverage::Refused(reason))),
        )
        .collect()
}

pub fn deployed_table() -> String {
    markdown_table("Operation", deployed_rows())
}

pub fn documented_table() -> String {
    markdown_table("Operation", documented_rows())
}

/// `text` with what lies between the marker comments `<!-- coverage:{name}:begin -->` and
/// `<!-- coverage:{name}:end -->` replaced by `table`; `None` if the markers are not there.
pub fn replace_between_markers(text: &str, name: &str, table: &str) -> Option<String> {
    let begin = format!("<!-- coverage:{name}:begin -->");
    let end = format!("<!-- coverage:{name}:end -->");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    Some(format!("{}\n{table}{}", &text[..start], &text[stop..]))
}

/// What lies between the markers of `name`, as [`replace_between_markers`] writes it.
pub fn between_markers<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let begin = format!("<!-- coverage:{name}:begin -->");
    let end = format!("<!-- coverage:{name}:end -->");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    text[start..stop].strip_prefix('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");

    #[test]
    fn tables_list_every_entry_with_its_status() {
        let rows = deployed_rows();
        assert_eq!(rows.len(), 221);
        assert!(
            rows.iter().all(|(_, c)| *c != Coverage::Missing),
            "{rows:?}"
        );
        assert_eq!(rows[0], ("NowUTC", Coverage::Served));
        let table = markdown_table(
            "Route",
            [
                ("GET /a|b", Coverage::Served),
                ("POST /c", Coverage::Refused("needs S3")),
            ],
        );
        assert_eq!(
            table,
            "2 entries: 1 served, 1 refused.\n\n| Route | Status |\n|---|---|\n| GET /a\\|b | served |\n| POST /c | refused: needs S3 |\n"
        );
        let doc = "a\n<!-- coverage:x:begin -->\nold\n<!-- coverage:x:end -->\nb";
        let new = replace_between_markers(doc, "x", "new\n").unwrap();
        assert_eq!(
            new,
            "a\n<!-- coverage:x:begin -->\nnew\n<!-- coverage:x:end -->\nb"
        );
        assert_eq!(between_markers(&new, "x"), Some("new\n"));
        assert_eq!(replace_between_markers(doc, "y", ""), None);
    }

    /// The README's coverage tables are the ones the code renders. To regenerate them:
    /// `EDIGRID_WRITE_COVERAGE=1 cargo test -p edigrid-soap readme_coverage`.
    #[test]
    fn readme_coverage_tables_match_the_code() {
        let readme = std::fs::read_to_string(README).unwrap();
        let tables = [
            ("deployed", deployed_table()),
            ("documented", documented_table()),
        ];
        if std::env::var_os("EDIGRID_WRITE_COVERAGE").is_some_and(|v| v == "1") {
            let mut text = readme.clone();
            for (name, table) in &tables {
                text = replace_between_markers(&text, name, table)
                    .unwrap_or_else(|| panic!("README.md has no coverage:{name} markers"));
            }
            if text != readme {
                std::fs::write(README, text).unwrap();
            }
            return;
        }
        for (name, table) in &tables {
            let found = between_markers(&readme, name)
                .unwrap_or_else(|| panic!("README.md has no coverage:{name} markers"));
            assert!(
                found == table,
                "README.md's {name} coverage table differs from what the code renders; regenerate it with\n    EDIGRID_WRITE_COVERAGE=1 cargo test -p edigrid-soap readme_coverage"
            );
        }
    }
}
