//! Reports (SPEC-VAN 20): statistics as `DataSet` results, in the shape the WSDL declares.

use super::Registration;

pub(super) const OPERATIONS: &[Registration] = &[];
