//! A .NET `DataSet` as ASP.NET writes one in a SOAP result declared `<s:element
//! ref="s:schema"/><s:any/>`: an inline XML schema describing one table's columns, then a
//! `diffgr:diffgram` holding its rows. .NET clients load it into a `DataSet`; zeep and PHP's
//! `SoapClient` read the two elements as any XML.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;

use crate::schema::{Value, format_datetime};

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const MSDATA: &str = "urn:schemas-microsoft-com:xml-msdata";
const DIFFGR: &str = "urn:schemas-microsoft-com:xml-diffgram-v1";
/// The data set's and table's names, as a `DataSet` filled by a plain query has them.
const DATA_SET: &str = "NewDataSet";
const TABLE: &str = "Table";

/// A column's XML Schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Int,
    Long,
    Str,
    DateTime,
}

impl Column {
    fn xsd(self) -> &'static str {
        match self {
            Column::Int => "xs:int",
            Column::Long => "xs:long",
            Column::Str => "xs:string",
            Column::DateTime => "xs:dateTime",
        }
    }
}

/// One cell; `Null` leaves the column out of the row, as a DataSet writes `DBNull`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Str(String),
    Time(DateTime<Utc>),
    Null,
}

/// One table: its columns, in order, and its rows (each a cell per column).
#[derive(Debug, Clone, PartialEq)]
pub struct DataSet {
    columns: &'static [(&'static str, Column)],
    rows: Vec<Vec<Cell>>,
}

impl DataSet {
    pub fn new(columns: &'static [(&'static str, Column)]) -> DataSet {
        DataSet {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; its cells are matched to the columns in order.
    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "a cell per column");
        self.rows.push(cells);
    }

    /// The result value: the schema followed by the diffgram.
    pub fn into_value(self) -> Value {
        Value::DataSet(self.to_xml())
    }

    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(512 + self.rows.len() * 64 * self.columns.len());
        let _ = write!(
            out,
            r#"<xs:schema id="{DATA_SET}" xmlns="" xmlns:xs="{XS}" xmlns:msdata="{MSDATA}"><xs:element name="{DATA_SET}" msdata:IsDataSet="true" msdata:UseCurrentLocale="true"><xs:complexType><xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="{TABLE}"><xs:complexType><xs:sequence>"#
        );
        for (name, ty) in self.columns {
            let _ = write!(
                out,
                r#"<xs:element name="{name}" type="{}" minOccurs="0" />"#,
                ty.xsd()
            );
        }
        let _ = write!(
            out,
            r#"</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType></xs:element></xs:schema><diffgr:diffgram xmlns:msdata="{MSDATA}" xmlns:diffgr="{DIFFGR}">"#
        );
        if !self.rows.is_empty() {
            let _ = write!(out, r#"<{DATA_SET} xmlns="">"#);
            for (i, row) in self.rows.iter().enumerate() {
                let _ = write!(
                    out,
                    r#"<{TABLE} diffgr:id="{TABLE}{}" msdata:rowOrder="{i}">"#,
                    i + 1
                );
                for ((name, _), cell) in self.columns.iter().zip(row) {
                    let text = match cell {
                        Cell::Int(n) => n.to_string(),
                        Cell::Str(s) => escape(s.as_str()).into_owned(),
                        Cell::Time(t) => format_datetime(*t),
                        Cell::Null => continue,
                    };
                    let _ = write!(out, "<{name}>{text}</{name}>");
                }
                let _ = write!(out, "</{TABLE}>");
            }
            let _ = write!(out, "</{DATA_SET}>");
        }
        out.push_str("</diffgr:diffgram>");
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn schema_then_diffgram_with_a_row_per_row() {
        let mut ds = DataSet::new(&[("MailboxID", Column::Int), ("MailboxName", Column::Str)]);
        ds.row(vec![Cell::Int(7), Cell::Str("A & B".into())]);
        ds.row(vec![Cell::Int(8), Cell::Null]);
        let xml = format!("<r>{}</r>", ds.to_xml());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let root = doc.root_element();
        let kids: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(kids.len(), 2);
        assert!(kids[0].has_tag_name((XS, "schema")));
        assert!(kids[1].has_tag_name((DIFFGR, "diffgram")));
        let rows: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name(("", TABLE)) && n.parent().is_some_and(|p| p.has_tag_name(DATA_SET))
            })
            .collect();
        assert_eq!(rows.len(), 2);
        let name = rows[0]
            .children()
            .find(|n| n.has_tag_name("MailboxName"))
            .unwrap();
        assert_eq!(name.text(), Some("A & B"));
        assert!(rows[1].children().all(|n| !n.has_tag_name("MailboxName")));
        let columns = doc
            .descendants()
            .filter(|n| n.has_tag_name((XS, "element")))
            .count();
        assert_eq!(columns, 2 + 2, "the data set, the table, two columns");
    }

    #[test]
    fn an_empty_table_has_an_empty_diffgram() {
        let ds = DataSet::new(&[("Count", Column::Int)]);
        assert!(
            ds.to_xml()
                .ends_with(&format!(r#"xmlns:diffgr="{DIFFGR}"></diffgr:diffgram>"#))
        );
    }
}
