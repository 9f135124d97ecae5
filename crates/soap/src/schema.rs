//! The XML Schema model from which requests are read, responses written, and the WSDL and
//! help pages generated: one description per type, nothing repeated by hand.

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy)]
pub enum XsdType {
    String,
    Int,
    Short,
    Float,
    Boolean,
    DateTime,
    Enum(&'static EnumType),
    Complex(&'static ComplexType),
    /// `ArrayOf{Item}`: a wrapper holding zero or more `{Item}` elements.
    Array(&'static ComplexType),
}

#[derive(Debug)]
pub struct EnumType {
    pub name: &'static str,
    pub values: &'static [&'static str],
}

#[derive(Debug)]
pub struct ComplexType {
    pub name: &'static str,
    pub fields: &'static [Field],
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: XsdType,
    /// Other element names accepted for this parameter on input.
    pub aliases: &'static [&'static str],
    /// Optional even though its type is a value type (ASP.NET writes those `minOccurs="1"`).
    pub optional: bool,
}

impl Field {
    pub const fn new(name: &'static str, ty: XsdType) -> Field {
        Field {
            name,
            ty,
            aliases: &[],
            optional: false,
        }
    }

    pub const fn optional(mut self) -> Field {
        self.optional = true;
        self
    }

    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Field {
        self.aliases = aliases;
        self
    }

    /// ASP.NET's rule: reference types (strings, objects, arrays) may be absent; value
    /// types (numbers, booleans, dates, enumerations) must be present.
    pub fn min_occurs(&self) -> u8 {
        match self.ty {
            XsdType::String | XsdType::Complex(_) | XsdType::Array(_) => 0,
            _ if self.optional => 0,
            _ => 1,
        }
    }
}

impl XsdType {
    /// The QName used in the WSDL (`s:` is XML Schema, `tns:` ours).
    pub fn qname(&self) -> String {
        match self {
            XsdType::String => "s:string".into(),
            XsdType::Int => "s:int".into(),
            XsdType::Short => "s:short".into(),
            XsdType::Float => "s:float".into(),
            XsdType::Boolean => "s:boolean".into(),
            XsdType::DateTime => "s:dateTime".into(),
            XsdType::Enum(e) => format!("tns:{}", e.name),
            XsdType::Complex(c) => format!("tns:{}", c.name),
            XsdType::Array(c) => format!("tns:ArrayOf{}", c.name),
        }
    }

    /// A placeholder value for the help page's sample messages.
    pub fn sample(&self) -> &'static str {
        match self {
            XsdType::String => "string",
            XsdType::Int => "int",
            XsdType::Short => "short",
            XsdType::Float => "float",
            XsdType::Boolean => "boolean",
            XsdType::DateTime => "dateTime",
            XsdType::Enum(e) => e.values.first().copied().unwrap_or(""),
            XsdType::Complex(_) | XsdType::Array(_) => "",
        }
    }
}

/// A value on its way out, shaped by a [`XsdType`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i32),
    Short(i16),
    Float(f32),
    Bool(bool),
    DateTime(DateTime<Utc>),
    /// A `dateTime` with no value, written as ASP.NET writes `DateTime.MinValue`.
    UnsetDateTime,
    Enum(&'static str),
    /// Fields by name; the writer puts them in the type's order and omits absent ones.
    Record(Vec<(&'static str, Value)>),
    List(Vec<Value>),
}

/// How ASP.NET writes an unset `DateTime` (`DateTime.MinValue`, no zone).
pub const UNSET_DATETIME: &str = "0001-01-01T00:00:00";

/// `dateTime` as written: UTC, whole seconds, `Z`.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
