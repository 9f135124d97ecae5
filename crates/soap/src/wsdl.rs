//! The WSDL, generated from the operation table: WS-I Basic Profile 1.1 document/literal
//! wrapped for SOAP 1.1, plus a SOAP 1.2 binding of the same port type.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::operations::Dialect;
use crate::schema::{ComplexType, EnumType, Field, SimpleArray, XsdType};

/// Named types reachable from the operations, each once, in first-use order.
#[derive(Default)]
struct NamedTypes {
    complex: Vec<&'static ComplexType>,
    arrays: Vec<&'static ComplexType>,
    simple_arrays: Vec<&'static SimpleArray>,
    enums: Vec<&'static EnumType>,
}

impl NamedTypes {
    fn visit(&mut self, ty: &XsdType) {
        match *ty {
            XsdType::Complex(c) if !self.complex.iter().any(|k| std::ptr::eq(*k, c)) => {
                self.complex.push(c);
                for f in c.fields {
                    self.visit(&f.ty);
                }
            }
            XsdType::Array(c) => {
                if !self.arrays.iter().any(|k| std::ptr::eq(*k, c)) {
                    self.arrays.push(c);
                }
                self.visit(&XsdType::Complex(c));
            }
            XsdType::SimpleArray(a) => {
                if !self.simple_arrays.iter().any(|k| std::ptr::eq(*k, a)) {
                    self.simple_arrays.push(a);
                }
                self.visit(&a.ty);
            }
            XsdType::Enum(e) if !self.enums.iter().any(|k| std::ptr::eq(*k, e)) => {
                self.enums.push(e);
            }
            _ => {}
        }
    }
}

fn element(out: &mut String, f: &Field) {
    typed_element(out, f.min_occurs(), f.name, &f.ty);
}

fn typed_element(out: &mut String, min_occurs: u8, name: &str, ty: &XsdType) {
    match ty {
        // A DataSet's type is inline, as ASP.NET declares it.
        XsdType::DataSet => {
            let _ = write!(
                out,
                r#"<s:element minOccurs="{min_occurs}" maxOccurs="1" name="{name}"><s:complexType><s:sequence><s:element ref="s:schema" /><s:any /></s:sequence></s:complexType></s:element>"#
            );
        }
        _ => {
            let _ = write!(
                out,
                r#"<s:element minOccurs="{min_occurs}" maxOccurs="1" name="{name}" type="{}" />"#,
                ty.qname()
            );
        }
    }
}

fn wrapper(out: &mut String, name: &str, fields: &[Field]) {
    let _ = write!(out, r#"<s:element name="{name}"><s:complexType>"#);
    if fields.is_empty() {
        out.push_str("<s:sequence />");
    } else {
        out.push_str("<s:sequence>");
        for f in fields {
            element(out, f);
        }
        out.push_str("</s:sequence>");
    }
    out.push_str("</s:complexType></s:element>");
}

/// JAXB's namespace for customizations written inside a schema.
const JAXB_NS: &str = "http://java.sun.com/xml/ns/jaxb";

/// The WSDL for `dialect`, with `endpoint` as the address of both ports.
pub fn wsdl(dialect: &Dialect, endpoint: &str) -> String {
    let ns = dialect.ns;
    let mut types = NamedTypes::default();
    for op in dialect.operations {
        for p in op.params {
            types.visit(&p.ty);
        }
        types.visit(&op.result);
    }
    // A complex type named like an operation (the documented `ECGridIDInfo`) would give
    // JAXB two classes of one name, the type's and the request element's, and wsimport
    // would stop; the type's Java class is renamed inside the schema, which other
    // generators ignore.
    let renamed_for_jaxb = |c: &ComplexType| dialect.operation(c.name).is_some();
    let jaxb = types.complex.iter().any(|c| renamed_for_jaxb(c));
    let (jaxb_xmlns, jaxb_version) = if jaxb {
        (
            format!(r#" xmlns:jaxb="{JAXB_NS}""#),
            r#" jaxb:version="2.0""#,
        )
    } else {
        (String::new(), "")
    };
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="utf-8"?><wsdl:definitions xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="{ns}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"{jaxb_xmlns} targetNamespace="{ns}"><wsdl:types><s:schema elementFormDefault="qualified"{jaxb_version} targetNamespace="{ns}">"#
    );
    for op in dialect.operations {
        wrapper(&mut out, op.name, op.params);
        let result = Field::new("Result", op.result);
        let _ = write!(
            out,
            r#"<s:element name="{}Response"><s:complexType><s:sequence>"#,
            op.name
        );
        typed_element(
            &mut out,
            result.min_occurs(),
            &format!("{}Result", op.name),
            &op.result,
        );
        out.push_str("</s:sequence></s:complexType></s:element>");
    }
    for c in &types.complex {
        let _ = write!(out, r#"<s:complexType name="{}">"#, c.name);
        if renamed_for_jaxb(c) {
            let _ = write!(
                out,
                r#"<s:annotation><s:appinfo><jaxb:class name="{}Record" /></s:appinfo></s:annotation>"#,
                c.name
            );
        }
        out.push_str("<s:sequence>");
        for f in c.fields {
            element(&mut out, f);
        }
        out.push_str("</s:sequence></s:complexType>");
    }
    for c in &types.arrays {
        let _ = write!(
            out,
            r#"<s:complexType name="ArrayOf{0}"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="{0}" nillable="true" type="tns:{0}" /></s:sequence></s:complexType>"#,
            c.name
        );
    }
    for a in &types.simple_arrays {
        let _ = write!(
            out,
            r#"<s:complexType name="{}"><s:sequence><s:element minOccurs="0" maxOccurs="unbounded" name="{}" nillable="true" type="{}" /></s:sequence></s:complexType>"#,
            a.name,
            a.item,
            a.ty.qname()
        );
    }
    for e in &types.enums {
        let _ = write!(
            out,
            r#"<s:simpleType name="{}"><s:restriction base="s:string">"#,
            e.name
        );
        for v in e.values {
            let _ = write!(out, r#"<s:enumeration value="{v}" />"#);
        }
        out.push_str("</s:restriction></s:simpleType>");
    }
    out.push_str("</s:schema></wsdl:types>");

    for op in dialect.operations {
        let _ = write!(
            out,
            r#"<wsdl:message name="{0}SoapIn"><wsdl:part name="parameters" element="tns:{0}" /></wsdl:message><wsdl:message name="{0}SoapOut"><wsdl:part name="parameters" element="tns:{0}Response" /></wsdl:message>"#,
            op.name
        );
    }
    out.push_str(r#"<wsdl:portType name="ECGridOSPortType">"#);
    for op in dialect.operations {
        let _ = write!(
            out,
            r#"<wsdl:operation name="{0}"><wsdl:documentation>{1}</wsdl:documentation><wsdl:input message="tns:{0}SoapIn" /><wsdl:output message="tns:{0}SoapOut" /></wsdl:operation>"#,
            op.name,
            escape(op.doc)
        );
    }
    out.push_str("</wsdl:portType>");
    for (binding, prefix) in [("ECGridOSSoap", "soap"), ("ECGridOSSoap12", "soap12")] {
        let _ = write!(
            out,
            r#"<wsdl:binding name="{binding}" type="tns:ECGridOSPortType"><{prefix}:binding transport="http://schemas.xmlsoap.org/soap/http" style="document" />"#
        );
        for op in dialect.operations {
            let _ = write!(
                out,
                r#"<wsdl:operation name="{0}"><{prefix}:operation soapAction="{ns}{0}" style="document" /><wsdl:input><{prefix}:body use="literal" /></wsdl:input><wsdl:output><{prefix}:body use="literal" /></wsdl:output></wsdl:operation>"#,
                op.name
            );
        }
        out.push_str("</wsdl:binding>");
    }
    let location = escape(endpoint);
    let _ = write!(
        out,
        r#"<wsdl:service name="ECGridOS"><wsdl:port name="ECGridOSPort" binding="tns:ECGridOSSoap"><soap:address location="{location}" /></wsdl:port><wsdl:port name="ECGridOSPort12" binding="tns:ECGridOSSoap12"><soap12:address location="{location}" /></wsdl:port></wsdl:service></wsdl:definitions>"#
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::DOCUMENTED;

    #[test]
    fn wsdl_is_well_formed_and_names_what_clients_expect() {
        let text = wsdl(&DOCUMENTED, "http://127.0.0.1:1/v4.1/prod/ECGridOS.asmx");
        let doc = roxmltree::Document::parse(&text).unwrap();
        let names: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name(("http://schemas.xmlsoap.org/wsdl/", "port")))
            .filter_map(|n| n.attribute("name"))
            .collect();
        assert_eq!(names, ["ECGridOSPort", "ECGridOSPort12"]);
        assert!(text.contains(
            r#"<s:element minOccurs="1" maxOccurs="1" name="MaxRecords" type="s:short" />"#
        ));
        assert!(text.contains(
            r#"<s:element minOccurs="0" maxOccurs="1" name="UserName" type="s:string" />"#
        ));
        assert!(text.contains(r#"soapAction="http://www.ecgridos.net/SessionLog""#));
        assert_eq!(
            text.matches(r#"<s:complexType name="SessionIDInfo">"#)
                .count(),
            1
        );
        // The type named like its operation gets another Java class name (wsimport).
        assert!(text.contains(
            r#"<s:complexType name="ECGridIDInfo"><s:annotation><s:appinfo><jaxb:class name="ECGridIDInfoRecord" />"#
        ));
        assert!(text.contains(r#"<s:complexType name="SessionIDInfo"><s:sequence>"#));
    }
}
