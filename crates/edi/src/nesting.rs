//! Groups and transactions inside an interchange, the same for both standards: headers open,
//! trailers close and are checked, anything else is counted. Nothing found here stops
//! delivery; it is recorded for the acknowledgments.

use crate::{Count, Field, Finding, Group, Reason, Transaction};

/// The names a standard gives to the group and transaction envelope, for the reasons.
pub(crate) struct Names {
    pub group_trailer: &'static str,
    pub group_count: &'static str,
    pub group_control: &'static str,
    pub group_header_control: &'static str,
    pub transaction_trailer: &'static str,
    pub transaction_count: &'static str,
    pub transaction_control: &'static str,
    pub transaction_header_control: &'static str,
    pub transactions: &'static str,
    pub transaction: &'static str,
    /// EDIFACT messages may stand outside groups; X12 transaction sets may not.
    pub loose_transactions: bool,
}

/// An element of a trailer: its offset in the parcel and its value.
pub(crate) type Located = (usize, Field);

pub(crate) struct Nesting {
    names: &'static Names,
    groups: Vec<Group>,
    loose: Vec<Transaction>,
    findings: Vec<Finding>,
    group: Option<Group>,
    transaction: Option<Transaction>,
}

impl Nesting {
    pub(crate) fn new(names: &'static Names) -> Self {
        Self {
            names,
            groups: Vec::new(),
            loose: Vec::new(),
            findings: Vec::new(),
            group: None,
            transaction: None,
        }
    }

    pub(crate) fn in_group(&self) -> bool {
        self.group.is_some()
    }

    pub(crate) fn open_group(&mut self, start: usize, mut group: Group) {
        self.end_group(start);
        group.range = start..start;
        self.group = Some(group);
    }

    pub(crate) fn close_group(
        &mut self,
        tag: &[u8],
        start: usize,
        end: usize,
        count: Located,
        control: Located,
    ) {
        self.end_transaction(start);
        let Some(mut group) = self.group.take() else {
            stray(&mut self.findings, start, tag, "functional group");
            return;
        };
        let names = self.names;
        group.range.end = end;
        group.count.found = group.transactions.len() as u64;
        check_count(
            &mut group.findings,
            &mut group.count,
            names.group_count,
            names.transactions,
            count,
        );
        group.trailer_control = Some(control.1.clone());
        check_control(
            &mut group.findings,
            (names.group_control, control),
            (names.group_header_control, &group.control_number),
        );
        self.keep(group);
    }

    pub(crate) fn open_transaction(
        &mut self,
        tag: &[u8],
        start: usize,
        mut transaction: Transaction,
    ) {
        self.end_transaction(start);
        if self.group.is_none() && !self.names.loose_transactions {
            stray(&mut self.findings, start, tag, "functional group");
        }
        transaction.range = start..start;
        transaction.segments.found = 1;
        self.transaction = Some(transaction);
    }

    pub(crate) fn close_transaction(
        &mut self,
        tag: &[u8],
        start: usize,
        end: usize,
        count: Located,
        control: Located,
    ) {
        let names = self.names;
        let Some(mut transaction) = self.transaction.take() else {
            let findings = self
                .group
                .as_mut()
                .map_or(&mut self.findings, |g| &mut g.findings);
            stray(findings, start, tag, names.transaction);
            return;
        };
        transaction.range.end = end;
        transaction.segments.found += 1;
        check_count(
            &mut transaction.findings,
            &mut transaction.segments,
            names.transaction_count,
            "segments",
            count,
        );
        transaction.trailer_control = Some(control.1.clone());
        check_control(
            &mut transaction.findings,
            (names.transaction_control, control),
            (
                names.transaction_header_control,
                &transaction.control_number,
            ),
        );
        self.file(transaction);
    }

    /// Any other segment: counted in its transaction, or recorded once as out of place.
    pub(crate) fn segment(&mut self, start: usize, tag: &[u8]) {
        if let Some(transaction) = self.transaction.as_mut() {
            transaction.segments.found += 1;
            return;
        }
        let names = self.names;
        let findings = self
            .group
            .as_mut()
            .map_or(&mut self.findings, |g| &mut g.findings);
        stray(findings, start, tag, names.transaction);
    }

    /// Ends whatever is open at `at` (the interchange trailer, or where it should have been)
    /// and hands over groups, loose transactions and findings.
    pub(crate) fn finish(mut self, at: usize) -> (Vec<Group>, Vec<Transaction>, Vec<Finding>) {
        self.end_group(at);
        self.groups.shrink_to_fit();
        self.loose.shrink_to_fit();
        (self.groups, self.loose, self.findings)
    }

    /// Metadata is all a parcel reading keeps, so no vector keeps spare room.
    fn keep(&mut self, mut group: Group) {
        group.transactions.shrink_to_fit();
        self.groups.push(group);
    }

    fn end_transaction(&mut self, at: usize) {
        if let Some(mut transaction) = self.transaction.take() {
            transaction.range.end = at;
            transaction.findings.push(Finding {
                offset: at,
                reason: Reason::TrailerMissing {
                    trailer: self.names.transaction_trailer,
                },
            });
            self.file(transaction);
        }
    }

    fn end_group(&mut self, at: usize) {
        self.end_transaction(at);
        if let Some(mut group) = self.group.take() {
            group.range.end = at;
            group.count.found = group.transactions.len() as u64;
            group.findings.push(Finding {
                offset: at,
                reason: Reason::TrailerMissing {
                    trailer: self.names.group_trailer,
                },
            });
            self.keep(group);
        }
    }

    fn file(&mut self, transaction: Transaction) {
        match self.group.as_mut() {
            Some(group) => group.transactions.push(transaction),
            None => self.loose.push(transaction),
        }
    }
}

/// Records a segment out of place, once per container: one is enough to act on, and a
/// flood of them must not grow memory.
fn stray(findings: &mut Vec<Finding>, offset: usize, tag: &[u8], container: &'static str) {
    if findings
        .iter()
        .any(|f| matches!(f.reason, Reason::Stray { .. }))
    {
        return;
    }
    findings.push(Finding {
        offset,
        reason: Reason::Stray {
            segment: Field::new(tag),
            container,
        },
    });
}

/// Compares a declared count with the one found, recording a mismatch.
pub(crate) fn check_count(
    findings: &mut Vec<Finding>,
    count: &mut Count,
    element: &'static str,
    counted: &'static str,
    (offset, declared): Located,
) {
    if declared.to_count() != Some(count.found) {
        findings.push(Finding {
            offset,
            reason: Reason::CountMismatch {
                element,
                declared: declared.clone(),
                counted,
                found: count.found,
            },
        });
    }
    count.declared = Some(declared);
}

/// Compares a trailer's control number with its header's, byte for byte.
pub(crate) fn check_control(
    findings: &mut Vec<Finding>,
    (element, (offset, value)): (&'static str, Located),
    (header_element, header): (&'static str, &Field),
) {
    if value != *header {
        findings.push(Finding {
            offset,
            reason: Reason::ControlMismatch {
                element,
                value,
                header_element,
                header: header.clone(),
            },
        });
    }
}
