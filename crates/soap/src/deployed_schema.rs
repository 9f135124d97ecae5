//! The deployed dialect's wire shapes, generated at build time (`build.rs`) from the deployed
//! WSDL kept in `data/`: every operation of its SOAP port type in WSDL order, and every
//! complex type and enumeration those reach, with the WSDL's own names, order and
//! occurrence. Also the file itself, which edigrid serves with its addresses rewritten.

use crate::schema::{Field, XsdType};

/// One operation of the deployed WSDL: what it takes and what it answers.
#[derive(Debug)]
pub struct OperationShape {
    pub name: &'static str,
    /// Its `wsdl:documentation`, as plain text.
    pub doc: &'static str,
    /// The request element's children, in sequence order, with their declared occurrence.
    pub params: &'static [Field],
    pub result: XsdType,
}

include!(concat!(env!("OUT_DIR"), "/deployed_schema.rs"));

/// The deployed WSDL (Build 472), unchanged.
pub const WSDL: &str = include_str!("../data/ECGridOS-v4.1-deployed.wsdl");

/// The shape of the operation of that name, if the WSDL has one.
pub fn shape(name: &str) -> Option<&'static OperationShape> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// The WSDL with the `location` of every service address (SOAP 1.1, SOAP 1.2, HTTP GET and
/// POST) set to `endpoint`; nothing else is changed.
pub fn wsdl_for(endpoint: &str) -> String {
    let location = quick_xml::escape::escape(endpoint);
    let mut out = String::with_capacity(WSDL.len() + ADDRESS_LOCATIONS.len() * location.len());
    let mut copied = 0;
    for &(start, end) in ADDRESS_LOCATIONS {
        out.push_str(WSDL.get(copied..start).unwrap_or(""));
        out.push_str(&location);
        copied = end;
    }
    out.push_str(WSDL.get(copied..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Occurs;

    #[test]
    fn every_operation_of_the_port_type_is_generated_in_wsdl_order() {
        assert_eq!(OPERATIONS.len(), 221);
        assert_eq!(OPERATION_NAMES.len(), 221);
        assert_eq!(
            &OPERATION_NAMES[..3],
            ["NowUTC", "InterchangeDate", "Version"]
        );
        assert_eq!(OPERATION_NAMES.last(), Some(&"MailboxUse"));
        assert_eq!(TARGET_NAMESPACE, "https://os.ecgrid.io/");
        let doc = roxmltree::Document::parse(WSDL).unwrap();
        let in_file: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name(("http://schemas.xmlsoap.org/wsdl/", "portType")))
            .find(|n| n.attribute("name") == Some("ECGridOS_x0020_API_x0020_v4Soap"))
            .unwrap()
            .children()
            .filter(|n| n.is_element())
            .filter_map(|n| n.attribute("name"))
            .collect();
        assert_eq!(in_file, OPERATION_NAMES);
        for (op, name) in OPERATIONS.iter().zip(OPERATION_NAMES) {
            assert_eq!(op.name, *name);
        }
    }

    #[test]
    fn shapes_keep_the_wsdl_names_order_and_occurrence() {
        let log_ex = shape("SessionLogEx").unwrap();
        let params: Vec<(&str, u8)> = log_ex
            .params
            .iter()
            .map(|f| (f.name, f.min_occurs()))
            .collect();
        assert_eq!(
            params,
            [
                ("SessionID", 0),
                ("UserID", 1),
                ("StartTime", 1),
                ("EndTime", 1),
                ("MaxRecords", 1)
            ]
        );
        assert!(
            log_ex
                .params
                .iter()
                .all(|f| matches!(f.occurs, Occurs::Declared(_)))
        );
        assert!(!log_ex.doc.is_empty());
        let XsdType::Array(info) = log_ex.result else {
            panic!("SessionLogEx answers ArrayOfSessionLogInfo");
        };
        assert_eq!(info.name, "SessionLogInfo");
        let events = info.fields.iter().find(|f| f.name == "Events").unwrap();
        let XsdType::Array(event) = events.ty else {
            panic!("Events is ArrayOfSessionEvents");
        };
        let XsdType::Enum(api_call) = event.fields[0].ty else {
            panic!("APICall is an enumeration");
        };
        assert_eq!(api_call.values.len(), 341);
        assert_eq!(api_call.values[..2], ["GenerateAPIKey", "Login"]);
        assert!(matches!(
            shape("ReportMonthly").unwrap().result,
            XsdType::DataSet
        ));
        assert!(matches!(
            shape("NetworkInfo").unwrap().result,
            XsdType::Complex(c) if c.name == "NetworkIDInfo"
        ));
        assert!(shape("Frobnicate").is_none());
    }

    #[test]
    fn new_simple_types_are_modelled() {
        let types_of = |op: &str| -> Vec<String> {
            shape(op)
                .unwrap()
                .params
                .iter()
                .map(|f| f.ty.qname())
                .collect()
        };
        assert!(types_of("ParcelUpload").contains(&"s:base64Binary".to_string()));
        assert!(types_of("KeyGet").contains(&"s:long".to_string()));
        let vpn = types::NetworkVPN
            .fields
            .iter()
            .find(|f| f.name == "EncryptionDomain")
            .unwrap();
        let XsdType::SimpleArray(a) = vpn.ty else {
            panic!("EncryptionDomain is an ArrayOfString");
        };
        assert_eq!(
            (a.name, a.item, a.ty.qname().as_str()),
            ("ArrayOfString", "string", "s:string")
        );
        // Cyclic references through arrays resolve to the same statics.
        let XsdType::Complex(interchange) = shape("InterchangeInfo").unwrap().result else {
            panic!("InterchangeInfo answers InterchangeIDInfo");
        };
        assert!(std::ptr::eq(interchange, &types::InterchangeIDInfo));
    }

    #[test]
    fn documentation_is_plain_text() {
        for op in OPERATIONS {
            assert!(
                !op.doc.contains('<') && !op.doc.contains('>'),
                "{}: {}",
                op.name,
                op.doc
            );
        }
        assert_eq!(
            shape("Login").unwrap().doc,
            "Required first call in order to establish a session."
        );
    }

    #[test]
    fn only_the_addresses_are_rewritten() {
        let endpoint = "http://127.0.0.1:9/v4.1/prod/ECGridOS.asmx?a=1&b=2";
        let served = wsdl_for(endpoint);
        let doc = roxmltree::Document::parse(&served).unwrap();
        let locations: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "address")
            .filter_map(|n| n.attribute("location"))
            .collect();
        assert_eq!(locations, [endpoint; 4]);
        let original = "http://os.ecgrid.io/v4.1/prod/ECGridOS.asmx";
        assert_eq!(
            served.replace(
                "http://127.0.0.1:9/v4.1/prod/ECGridOS.asmx?a=1&amp;b=2",
                original
            ),
            WSDL
        );
    }
}
