//! The deployed dialect (SPEC section 11): the hosted ECGridOS v4.1 service's WSDL
//! (`https://os.ecgrid.io/`, Build 472), also served to v3-era clients in
//! `http://ecgridos.net/`. Every shape (names, order, types, occurrence) comes from that WSDL,
//! generated at build time into [`crate::deployed_schema`]; this table only says which
//! handler serves which operation. Operations not served are refused on purpose
//! ([`REFUSED`]).
//!
//! Adding an operation: write its handler in the area's file and add one line to that area's
//! `OPERATIONS` (`serve!("Name", handler)`), and remove the operation from [`REFUSED`]. A new
//! area file `<area>.rs` declares `pub(super) const OPERATIONS: &[Registration]` and is named
//! once in the `areas!` line below.

mod refused;

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use edigrid_domain::{Error, ParamProblem};

use super::{Call, Dialect, Operation, Reply};
use crate::deployed_schema;
use crate::schema::Value;

pub(crate) use refused::REFUSED;

/// The hosted v4.1 service's namespace.
pub const DEPLOYED_NS: &str = "https://os.ecgrid.io/";
/// The namespace of v3-era clients, served the same shapes.
pub const V3_NS: &str = "http://ecgridos.net/";

/// One served operation of the deployed WSDL: its name there and its handler. The handler
/// returns the result as the WSDL types it (a record's fields by name, in any order).
pub(super) struct Registration {
    pub name: &'static str,
    pub handler: fn(Call) -> Reply,
}

/// `serve!("Name", handler)`: a [`Registration`] of an `async fn(Call) -> Result<Value, Error>`.
/// Defined before the area modules, so that they see it.
macro_rules! serve {
    ($name:literal, $handler:path) => {
        $crate::operations::deployed::Registration {
            name: $name,
            handler: |call| Box::pin($handler(call)),
        }
    };
}

/// `serve_directory!("Name", handler)`: as `serve!`, for the directory's operations, whose
/// refusals of an object out of the caller's reach leave out the number asked for
/// ([`same_for_any_id`]).
macro_rules! serve_directory {
    ($name:literal, $handler:path) => {
        $crate::operations::deployed::Registration {
            name: $name,
            handler: |call| {
                Box::pin(async move {
                    $handler(call)
                        .await
                        .map_err($crate::operations::deployed::same_for_any_id)
                })
            },
        }
    };
}

/// Declares the area modules and lists their registrations ([`AREAS`]; in tests also their
/// source, [`AREA_SOURCES`], to check the fields their handlers write).
macro_rules! areas {
    ($($area:ident),+ $(,)?) => {
        $(mod $area;)+

        /// Every area's registrations.
        const AREAS: &[&[Registration]] = &[$($area::OPERATIONS),+];

        #[cfg(test)]
        const AREA_SOURCES: &[(&str, &str)] =
            &[$((stringify!($area), include_str!(concat!(stringify!($area), ".rs")))),+];
    };
}

// One name per area file.
areas!(
    sessions,
    users,
    networks,
    mailboxes,
    partners,
    parcels,
    interchanges,
    callbacks,
    carbon_copies,
    interconnects,
    reports,
    keys,
    sandbox
);

// ---- helpers shared by the area files ---------------------------------------------------------

/// Faults name the parameter as this dialect spells it.
pub(super) fn renamed(e: Error, from: &str, to: &'static str) -> Error {
    match e {
        Error::InvalidParameter {
            item,
            problem,
            detail,
        } if item == from => Error::InvalidParameter {
            item: to.into(),
            problem,
            detail,
        },
        Error::NotFound { item } if item == from => Error::not_found(to),
        other => other,
    }
}

/// The core's refusal of an object out of the caller's reach names the number asked for
/// (`no authority over MailboxID 400`); the fault leaves it out, so that an object that exists
/// and one that does not get the same fault word for word (SPEC-VAN 14).
pub(super) fn same_for_any_id(e: Error) -> Error {
    match e {
        Error::AccessDenied(reason) => match reason.strip_prefix("no authority over ") {
            Some(rest) => {
                let what = rest.split_whitespace().next().unwrap_or("it");
                Error::AccessDenied(format!("no authority over this {what}"))
            }
            None => Error::AccessDenied(reason),
        },
        other => other,
    }
}

/// A count as the WSDL's `short`, capped at its largest value.
pub(super) fn short(n: impl TryInto<i16>) -> Value {
    Value::Short(n.try_into().unwrap_or(i16::MAX))
}

/// A time that may be unset, written as ASP.NET writes an unset `DateTime`.
pub(super) fn date_or_unset(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::UnsetDateTime, Value::DateTime)
}

/// An enumeration argument as the domain's type (the reader already checked it is one of the
/// WSDL's values; a value the domain lacks is still refused, never guessed).
pub(super) fn enum_arg<T: FromStr>(call: &Call, name: &'static str) -> Result<T, Error> {
    call.args.enumeration(name).parse().map_err(|_| {
        Error::invalid(
            name,
            ParamProblem::Type,
            format!("{:?} is not supported here", call.args.enumeration(name)),
        )
    })
}

fn registrations() -> impl Iterator<Item = &'static Registration> {
    AREAS.iter().flat_map(|area| area.iter())
}

/// The served operations in WSDL order, each with its generated shape and its handler, and
/// what is wrong with the registrations (a name the WSDL lacks, a name registered twice).
fn build(registrations: &[&Registration]) -> (Vec<Operation>, Vec<String>) {
    let mut problems = Vec::new();
    let mut operations = Vec::new();
    for shape in deployed_schema::OPERATIONS {
        let mut found = registrations.iter().filter(|r| r.name == shape.name);
        let Some(registration) = found.next() else {
            continue;
        };
        if found.next().is_some() {
            problems.push(format!("{} is registered more than once", shape.name));
        }
        operations.push(Operation {
            name: shape.name,
            doc: shape.doc,
            params: shape.params,
            result: shape.result,
            handler: registration.handler,
        });
    }
    for r in registrations {
        if deployed_schema::shape(r.name).is_none() {
            problems.push(format!(
                "{} is registered but is not an operation of the deployed WSDL",
                r.name
            ));
        }
    }
    (operations, problems)
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    let (operations, problems) = build(&registrations().collect::<Vec<_>>());
    for problem in problems {
        tracing::error!(problem, "the deployed dialect's table is wrong");
    }
    operations
});

pub static DEPLOYED: LazyLock<Dialect> = LazyLock::new(|| Dialect {
    ns: DEPLOYED_NS,
    also: &[V3_NS],
    operations: &OPERATIONS,
    unsupported: REFUSED,
});

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::schema::{ComplexType, XsdType};

    fn all() -> Vec<&'static Registration> {
        registrations().collect()
    }

    #[test]
    fn registrations_name_operations_of_the_wsdl_once() {
        let (operations, problems) = build(&all());
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(operations.len(), registrations().count());
        let in_order: Vec<&str> = operations.iter().map(|op| op.name).collect();
        let wsdl_order: Vec<&str> = deployed_schema::OPERATION_NAMES
            .iter()
            .copied()
            .filter(|n| in_order.contains(n))
            .collect();
        assert_eq!(in_order, wsdl_order, "served in WSDL order");
        assert_eq!(DEPLOYED.operations.len(), operations.len());
    }

    #[test]
    fn a_wrong_registration_is_reported_not_ignored() {
        let wrong = Registration {
            name: "Frobnicate",
            handler: |call| Box::pin(super::super::version(call)),
        };
        let mut registrations = all();
        registrations.push(&wrong);
        registrations.push(registrations[0]);
        let (_, problems) = build(&registrations);
        assert_eq!(
            problems,
            [
                format!("{} is registered more than once", registrations[0].name),
                "Frobnicate is registered but is not an operation of the deployed WSDL".to_string(),
            ]
        );
    }

    #[test]
    fn every_wsdl_operation_is_served_or_refused_not_both() {
        let served: HashSet<&str> = registrations().map(|r| r.name).collect();
        let mut refused = HashSet::new();
        for (name, reason) in REFUSED {
            assert!(refused.insert(*name), "{name} is refused twice");
            assert!(!reason.is_empty(), "{name} is refused without a reason");
            assert!(
                deployed_schema::shape(name).is_some(),
                "{name} is refused but is not an operation of the deployed WSDL"
            );
        }
        let mut problems = Vec::new();
        for name in deployed_schema::OPERATION_NAMES {
            match (served.contains(name), refused.contains(name)) {
                (true, true) => problems.push(format!(
                    "{name} is served and refused: remove it from operations/deployed/refused.rs"
                )),
                (false, false) => problems.push(format!(
                    "{name} is neither served nor in REFUSED (operations/deployed/refused.rs)"
                )),
                _ => {}
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn refusals_outside_edigrid_are_the_ones_the_spec_allows() {
        for (name, reason) in REFUSED {
            let outside = ["Comm", "Cert", "Migration"]
                .iter()
                .any(|p| name.starts_with(p))
                || ["X400Format", "ParcelDownloadS3", "UserSendSMS"].contains(name);
            assert_eq!(
                reason.starts_with("needs the outside world"),
                outside,
                "{name}: {reason}"
            );
        }
    }

    /// Every field name of a result type, through nested records and arrays.
    fn field_names(
        ty: &XsdType,
        seen: &mut Vec<*const ComplexType>,
        out: &mut HashSet<&'static str>,
    ) {
        let c = match ty {
            XsdType::Complex(c) | XsdType::Array(c) => *c,
            _ => return,
        };
        if seen.contains(&(c as *const ComplexType)) {
            return;
        }
        seen.push(c);
        for f in c.fields {
            out.insert(f.name);
            field_names(&f.ty, seen, out);
        }
    }

    /// The names a source file puts in records: the string literal opening each tuple of a
    /// `Value::Record(vec![...])`.
    fn record_field_names(source: &str) -> Vec<&str> {
        let mut names = Vec::new();
        for block in source.split("Value::Record(vec![").skip(1) {
            let block = block.split("])").next().unwrap_or("");
            let mut rest = block;
            while let Some(at) = rest.find('(') {
                let before = rest[..at].chars().last();
                let after = rest[at + 1..].trim_start();
                if before.is_none_or(|c| c.is_whitespace() || c == '[' || c == ',')
                    && let Some(literal) = after.strip_prefix('"')
                    && let Some((name, _)) = literal.split_once('"')
                {
                    names.push(name);
                }
                rest = &rest[at + 1..];
            }
        }
        names
    }

    /// Walks every area's handlers: each field name they write into a record is a field of
    /// a result type of that area's registered operations (the writer refuses any other).
    #[test]
    fn handlers_write_only_fields_of_their_results() {
        for (area, source) in AREA_SOURCES {
            let registered: Vec<&str> = AREAS
                .iter()
                .zip(AREA_SOURCES)
                .find(|(_, (name, _))| name == area)
                .map(|(ops, _)| ops.iter().map(|r| r.name).collect())
                .unwrap_or_default();
            let mut known = HashSet::new();
            for name in registered {
                let shape = deployed_schema::shape(name).unwrap();
                field_names(&shape.result, &mut Vec::new(), &mut known);
            }
            let written = record_field_names(source);
            let unknown: Vec<&&str> = written.iter().filter(|n| !known.contains(**n)).collect();
            assert!(
                unknown.is_empty(),
                "{area}.rs writes fields no result of its operations has: {unknown:?}"
            );
        }
        let sessions = record_field_names(include_str!("sessions.rs"));
        assert_eq!(sessions.len(), 18 + 6 + 10, "{sessions:?}");
    }
}
