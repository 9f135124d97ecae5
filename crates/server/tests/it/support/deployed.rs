//! The deployed v4.1 dialect's answers as the suites read them: an owned copy of a result
//! element, and the record shapes of the deployed WSDL that more than one suite checks.

use chrono::{DateTime, Utc};

/// `UserIDInfo` (the deployed one) in the WSDL's order.
pub(crate) const USER_ID_INFO: [&str; 20] = [
    "UserID",
    "LoginName",
    "RecoveryQuestion",
    "FirstName",
    "LastName",
    "Company",
    "EMail",
    "Phone",
    "CellPhone",
    "CellCarrier",
    "TimeZoneOffset",
    "NetworkID",
    "MailboxID",
    "AuthLevel",
    "Created",
    "Modified",
    "LastLogin",
    "Status",
    "LockedOut",
    "OpenSessions",
];

/// A time as the deployed dialect writes it: whole seconds, `Z`.
pub(crate) fn xsd_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An element of an answer, owned, to compare shapes without roxmltree's lifetimes.
#[derive(Debug, Clone)]
pub(crate) struct Elem {
    pub ns: Option<String>,
    pub name: String,
    pub text: String,
    pub children: Vec<Elem>,
}

impl Elem {
    pub(crate) fn of(node: roxmltree::Node) -> Elem {
        Elem {
            ns: node.tag_name().namespace().map(str::to_string),
            name: node.tag_name().name().to_string(),
            text: node.text().unwrap_or("").to_string(),
            children: node
                .children()
                .filter(|n| n.is_element())
                .map(Elem::of)
                .collect(),
        }
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    /// The one child called `name`, if there is one; panics if there are more.
    pub(crate) fn find(&self, name: &str) -> Option<&Elem> {
        let found: Vec<_> = self.children.iter().filter(|c| c.name == name).collect();
        assert!(
            found.len() <= 1,
            "two <{name}> in <{}>: {self:?}",
            self.name
        );
        found.first().copied()
    }

    /// The one child called `name`.
    pub(crate) fn get(&self, name: &str) -> &Elem {
        self.find(name)
            .unwrap_or_else(|| panic!("no <{name}> in <{}>: {:?}", self.name, self.names()))
    }

    pub(crate) fn text_of(&self, name: &str) -> &str {
        &self.get(name).text
    }

    /// The texts of `fields`, in that order.
    pub(crate) fn texts(&self, fields: &[&str]) -> Vec<&str> {
        fields.iter().map(|f| self.text_of(f)).collect()
    }

    /// The items' `field` texts (of an `ArrayOf...` result).
    pub(crate) fn column(&self, field: &str) -> Vec<String> {
        self.children
            .iter()
            .map(|c| c.text_of(field).to_string())
            .collect()
    }

    /// Every descendant is in `ns` (the WSDL's schema is `elementFormDefault="qualified"`).
    pub(crate) fn assert_all_in(&self, ns: &str) {
        for c in &self.children {
            assert_eq!(c.ns.as_deref(), Some(ns), "namespace of <{}>", c.name);
            c.assert_all_in(ns);
        }
    }
}
