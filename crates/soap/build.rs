//! Generates the deployed dialect's wire shapes from the deployed WSDL (`data/`), so that an
//! operation of that dialect adds only its handler: every operation of the SOAP port type in
//! WSDL order (name, documentation, parameters, result), every complex type and enumeration
//! those reach, and where the WSDL's addresses are (the endpoint rewrites them when it serves
//! the file). The output is `$OUT_DIR/deployed_schema.rs`, included by
//! `src/deployed_schema.rs`; its items are `static`s, so types may refer to each other in
//! cycles.

use std::collections::{BTreeSet, HashMap};
use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use roxmltree::{Document, Node};

const WSDL_FILE: &str = "data/ECGridOS-v4.1-deployed.wsdl";
const XSD: &str = "http://www.w3.org/2001/XMLSchema";
const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
/// The binding namespaces whose `address` elements carry the service's location.
const ADDRESS_NAMESPACES: [&str; 3] = [
    "http://schemas.xmlsoap.org/wsdl/soap/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
    "http://schemas.xmlsoap.org/wsdl/http/",
];

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> Res<()> {
    println!("cargo:rerun-if-changed={WSDL_FILE}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(WSDL_FILE)?;
    let doc = Document::parse(&text).map_err(|e| format!("{WSDL_FILE}: {e}"))?;
    let code = Generator::new(&doc)?.generate()?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("deployed_schema.rs");
    std::fs::write(out, code)?;
    Ok(())
}

fn is(node: &Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.has_tag_name((ns, name))
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |n| is(n, ns, name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, ns, name).next()
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Res<&'a str> {
    node.attribute(name).ok_or_else(|| {
        format!(
            "<{}> at byte {} has no {name} attribute",
            node.tag_name().name(),
            node.range().start
        )
        .into()
    })
}

/// A type reference `prefix:Local` resolved against the namespaces in scope at `node`.
fn resolve<'a>(node: Node<'a, '_>, qname: &'a str) -> Res<(&'a str, &'a str)> {
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    let prefix = (!prefix.is_empty()).then_some(prefix);
    let ns = node
        .lookup_namespace_uri(prefix)
        .ok_or_else(|| format!("the prefix of {qname:?} is not declared"))?;
    Ok((ns, local))
}

/// The documentation as plain text: markup dropped (`<br />` as a space), blanks collapsed.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn rust_ident(name: &str) -> Res<&str> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(format!("the type name {name:?} is not a Rust identifier").into())
    }
}

struct Generator<'a, 'i> {
    tns: &'a str,
    root: Node<'a, 'i>,
    elements: HashMap<&'a str, Node<'a, 'i>>,
    complex: HashMap<&'a str, Node<'a, 'i>>,
    simple: HashMap<&'a str, Node<'a, 'i>>,
    /// Named types reached from the operations, generated once each.
    reached: BTreeSet<&'a str>,
    pending: Vec<&'a str>,
}

impl<'a, 'i> Generator<'a, 'i> {
    fn new(doc: &'a Document<'i>) -> Res<Self> {
        let root = doc.root_element();
        let tns = attr(root, "targetNamespace")?;
        let types = child(root, WSDL, "types").ok_or("no wsdl:types")?;
        let schema = children(types, XSD, "schema")
            .find(|s| s.attribute("targetNamespace") == Some(tns))
            .ok_or("no schema for the target namespace")?;
        let mut elements = HashMap::new();
        let mut complex = HashMap::new();
        let mut simple = HashMap::new();
        for n in schema.children().filter(Node::is_element) {
            let Some(name) = n.attribute("name") else {
                continue;
            };
            match n.tag_name().name() {
                "element" => elements.insert(name, n),
                "complexType" => complex.insert(name, n),
                "simpleType" => simple.insert(name, n),
                _ => None,
            };
        }
        Ok(Generator {
            tns,
            root,
            elements,
            complex,
            simple,
            reached: BTreeSet::new(),
            pending: Vec::new(),
        })
    }

    /// The Rust `XsdType` expression of a type reference, noting named types to generate.
    fn xsd_type(&mut self, at: Node<'a, 'i>, qname: &'a str) -> Res<String> {
        let (ns, local) = resolve(at, qname)?;
        if ns == XSD {
            return Ok(match local {
                "string" => "XsdType::String",
                "int" => "XsdType::Int",
                "short" => "XsdType::Short",
                "long" => "XsdType::Long",
                "unsignedByte" => "XsdType::UnsignedByte",
                "float" => "XsdType::Float",
                "boolean" => "XsdType::Boolean",
                "dateTime" => "XsdType::DateTime",
                "base64Binary" => "XsdType::Base64Binary",
                other => return Err(format!("XML Schema type {other:?} is not modelled").into()),
            }
            .to_string());
        }
        if ns != self.tns {
            return Err(format!("type {qname:?} is outside the target namespace").into());
        }
        let expr = if self.simple.contains_key(local) {
            format!("XsdType::Enum(&types::{})", rust_ident(local)?)
        } else if let Some(array) = self.array_item(local)? {
            match array {
                ArrayItem::Complex(item) => {
                    self.note(item);
                    format!("XsdType::Array(&types::{})", rust_ident(item)?)
                }
                ArrayItem::Simple => {
                    format!("XsdType::SimpleArray(&types::{})", rust_ident(local)?)
                }
            }
        } else if self.complex.contains_key(local) {
            format!("XsdType::Complex(&types::{})", rust_ident(local)?)
        } else {
            return Err(format!("type {qname:?} is not declared").into());
        };
        // An `ArrayOf{X}` of a complex type is `XsdType::Array(&X)`: no type of its own.
        if !expr.starts_with("XsdType::Array(") {
            self.note(local);
        }
        Ok(expr)
    }

    /// Notes a named type to generate, once.
    fn note(&mut self, name: &'a str) {
        if self.reached.insert(name) {
            self.pending.push(name);
        }
    }

    /// For an `ArrayOf{X}` type: whether it wraps items of a complex type `X` named `X` (the
    /// `XsdType::Array` convention) or of a simple type.
    fn array_item(&self, name: &str) -> Res<Option<ArrayItem<'a>>> {
        let Some(ct) = self.complex.get(name).copied() else {
            return Ok(None);
        };
        let items: Vec<_> = child(ct, XSD, "sequence")
            .map(|s| children(s, XSD, "element").collect())
            .unwrap_or_default();
        let [item] = items.as_slice() else {
            return Ok(None);
        };
        if item.attribute("maxOccurs") != Some("unbounded") {
            return Ok(None);
        }
        let item_name = attr(*item, "name")?;
        let (ns, local) = resolve(*item, attr(*item, "type")?)?;
        if ns == XSD {
            return Ok(Some(ArrayItem::Simple));
        }
        if local != item_name
            || name != format!("ArrayOf{local}")
            || !self.complex.contains_key(local)
        {
            return Err(format!("{name} does not follow the ArrayOf{{X}} convention").into());
        }
        Ok(Some(ArrayItem::Complex(local)))
    }

    /// `&[Field::wsdl(...), ...]` for the elements of a sequence, in order.
    fn fields(&mut self, sequence: Option<Node<'a, 'i>>) -> Res<String> {
        let mut out = String::from("&[");
        for el in sequence
            .into_iter()
            .flat_map(|s| children(s, XSD, "element"))
        {
            let name = attr(el, "name")?;
            let min = el.attribute("minOccurs").unwrap_or("1");
            let max = el.attribute("maxOccurs").unwrap_or("1");
            if max != "1" {
                return Err(format!("element {name:?} repeats outside an ArrayOf type").into());
            }
            let ty = match el.attribute("type") {
                Some(t) => self.xsd_type(el, t)?,
                None if is_dataset(el) => "XsdType::DataSet".to_string(),
                None => return Err(format!("element {name:?} has an inline type").into()),
            };
            let _ = write!(out, "Field::wsdl({name:?}, {ty}, {min}), ");
        }
        out.push(']');
        Ok(out)
    }

    fn operations(&mut self) -> Res<(String, Vec<&'a str>)> {
        let port_type = children(self.root, WSDL, "portType")
            .find(|pt| {
                // The SOAP port type: the one the SOAP binding implements.
                children(self.root, WSDL, "binding").any(|b| {
                    child(b, "http://schemas.xmlsoap.org/wsdl/soap/", "binding").is_some()
                        && b.attribute("type")
                            .and_then(|t| resolve(b, t).ok())
                            .is_some_and(|(_, local)| Some(local) == pt.attribute("name"))
                })
            })
            .ok_or("no port type with a SOAP binding")?;
        let mut out = String::from("pub static OPERATIONS: &[OperationShape] = &[\n");
        let mut names = Vec::new();
        for op in children(port_type, WSDL, "operation") {
            let name = attr(op, "name")?;
            let doc = child(op, WSDL, "documentation")
                .and_then(|d| d.text())
                .map(plain_text)
                .unwrap_or_default();
            let request = self
                .elements
                .get(name)
                .copied()
                .ok_or_else(|| format!("no request element for {name}"))?;
            let params = self.fields(sequence_of(request))?;
            let response = self
                .elements
                .get(format!("{name}Response").as_str())
                .copied()
                .ok_or_else(|| format!("no response element for {name}"))?;
            let result_el = sequence_of(response)
                .and_then(|s| child(s, XSD, "element"))
                .ok_or_else(|| format!("{name}Response has no result"))?;
            let result = match result_el.attribute("type") {
                Some(t) => self.xsd_type(result_el, t)?,
                None if is_dataset(result_el) => "XsdType::DataSet".to_string(),
                None => return Err(format!("{name}'s result has an inline type").into()),
            };
            let _ = writeln!(
                out,
                "    OperationShape {{ name: {name:?}, doc: {doc:?}, params: {params}, result: {result} }},"
            );
            names.push(name);
        }
        out.push_str("];\n");
        Ok((out, names))
    }

    fn types(&mut self) -> Res<String> {
        let mut lines = Vec::new();
        while let Some(name) = self.pending.pop() {
            let ident = rust_ident(name)?;
            let mut out = String::new();
            if let Some(st) = self.simple.get(name).copied() {
                let values: Vec<&str> = st
                    .descendants()
                    .filter(|n| is(n, XSD, "enumeration"))
                    .map(|n| attr(n, "value"))
                    .collect::<Res<_>>()?;
                if values.is_empty() {
                    return Err(format!("simple type {name} is not an enumeration").into());
                }
                let _ = writeln!(
                    out,
                    "    pub static {ident}: EnumType = EnumType {{ name: {name:?}, values: &{values:?} }};"
                );
                lines.push((name, out));
                continue;
            }
            let ct = self.complex.get(name).copied().ok_or("unknown type")?;
            match self.array_item(name)? {
                Some(ArrayItem::Complex(_)) => {
                    return Err(format!("{name} is generated as an array").into());
                }
                Some(ArrayItem::Simple) => {
                    let item = child(ct, XSD, "sequence")
                        .and_then(|s| child(s, XSD, "element"))
                        .ok_or("empty array")?;
                    let item_name = attr(item, "name")?;
                    let ty = self.xsd_type(item, attr(item, "type")?)?;
                    let _ = writeln!(
                        out,
                        "    pub static {ident}: SimpleArray = SimpleArray {{ name: {name:?}, item: {item_name:?}, ty: {ty} }};"
                    );
                }
                None => {
                    let kids: Vec<_> = ct.children().filter(Node::is_element).collect();
                    if kids.iter().any(|k| !is(k, XSD, "sequence")) {
                        return Err(format!("complex type {name} is not a plain sequence").into());
                    }
                    let fields = self.fields(child(ct, XSD, "sequence"))?;
                    let _ = writeln!(
                        out,
                        "    pub static {ident}: ComplexType = ComplexType {{ name: {name:?}, fields: {fields} }};"
                    );
                }
            }
            lines.push((name, out));
        }
        lines.sort();
        Ok(lines.into_iter().map(|(_, line)| line).collect())
    }

    /// Byte ranges, in the file, of the `location` values of the service's addresses.
    fn address_locations(&self) -> Res<String> {
        let mut out = String::from("pub static ADDRESS_LOCATIONS: &[(usize, usize)] = &[");
        let service = child(self.root, WSDL, "service").ok_or("no wsdl:service")?;
        let mut count = 0;
        for address in service
            .descendants()
            .filter(|n| ADDRESS_NAMESPACES.iter().any(|ns| is(n, ns, "address")))
        {
            let location = address
                .attribute_node("location")
                .ok_or("an address without a location")?;
            let range = location.range_value();
            let _ = write!(out, "({}, {}), ", range.start, range.end);
            count += 1;
        }
        if count == 0 {
            return Err("the service has no addresses".into());
        }
        out.push_str("];\n");
        Ok(out)
    }

    fn generate(mut self) -> Res<String> {
        let (operations, names) = self.operations()?;
        let types = self.types()?;
        let mut out = String::from(
            "// Generated by build.rs from data/ECGridOS-v4.1-deployed.wsdl. Do not edit.\n\n",
        );
        let _ = writeln!(
            out,
            "/// The WSDL's target namespace.\npub const TARGET_NAMESPACE: &str = {:?};\n",
            self.tns
        );
        out.push_str("/// Every operation of the SOAP port type, in WSDL order.\n");
        out.push_str(&operations);
        let _ = writeln!(
            out,
            "\n/// The names of [`OPERATIONS`], in WSDL order.\npub static OPERATION_NAMES: &[&str] = &{names:?};\n"
        );
        out.push_str("/// Where the `location` attribute values of the service's addresses are in [`WSDL`].\n");
        out.push_str(&self.address_locations()?);
        out.push_str(
            "\n/// The named types the operations reach, named as in the WSDL.\n#[allow(non_upper_case_globals)]\npub mod types {\n    use super::types;\n    use crate::schema::{ComplexType, EnumType, Field, SimpleArray, XsdType};\n\n",
        );
        out.push_str(&types);
        out.push_str("}\n");
        Ok(out)
    }
}

enum ArrayItem<'a> {
    Complex(&'a str),
    Simple,
}

fn sequence_of<'a, 'i>(element: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    child(element, XSD, "complexType").and_then(|ct| child(ct, XSD, "sequence"))
}

/// A .NET DataSet: an inline sequence of `<s:element ref="s:schema"/>` and `<s:any/>`.
fn is_dataset(element: Node) -> bool {
    let Some(seq) = sequence_of(element) else {
        return false;
    };
    let kids: Vec<_> = seq.children().filter(Node::is_element).collect();
    matches!(kids.as_slice(), [schema, any]
        if is(schema, XSD, "element")
            && schema.attribute("ref").and_then(|r| resolve(*schema, r).ok()) == Some((XSD, "schema"))
            && is(any, XSD, "any"))
}
