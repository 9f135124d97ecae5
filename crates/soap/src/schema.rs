//! The XML Schema model from which requests are read, responses written, and the WSDL and
//! help pages generated: one description per type, nothing repeated by hand.

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy)]
pub enum XsdType {
    String,
    Int,
    Short,
    /// `s:long`, 64-bit.
    Long,
    /// `s:unsignedByte`, 0 to 255.
    UnsignedByte,
    Float,
    Boolean,
    DateTime,
    /// `s:base64Binary`: bytes, written and read as base64.
    Base64Binary,
    Enum(&'static EnumType),
    Complex(&'static ComplexType),
    /// `ArrayOf{Item}`: a wrapper holding zero or more `{Item}` elements.
    Array(&'static ComplexType),
    /// An array of a simple type, such as `ArrayOfString` holding `<string>` items.
    SimpleArray(&'static SimpleArray),
    /// A .NET DataSet (`<s:element ref="s:schema"/><s:any/>`): an inline schema followed by
    /// its data, written from a pre-rendered fragment.
    DataSet,
}

#[derive(Debug)]
pub struct SimpleArray {
    /// The array type's name (`ArrayOfString`).
    pub name: &'static str,
    /// The name of each item element (`string`).
    pub item: &'static str,
    /// The items' type, a simple one.
    pub ty: XsdType,
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
    pub occurs: Occurs,
}

/// Whether an element may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    /// ASP.NET's rule, from the type: the documented table, whose WSDL is generated from it.
    ByType,
    /// Optional even though its type is a value type (ASP.NET writes those `minOccurs="1"`).
    Optional,
    /// As a WSDL declares it (`minOccurs`): the deployed dialect's shapes.
    Declared(u8),
}

impl Field {
    pub const fn new(name: &'static str, ty: XsdType) -> Field {
        Field {
            name,
            ty,
            aliases: &[],
            occurs: Occurs::ByType,
        }
    }

    /// A field as a WSDL declares it, with its `minOccurs`.
    pub const fn wsdl(name: &'static str, ty: XsdType, min_occurs: u8) -> Field {
        Field {
            name,
            ty,
            aliases: &[],
            occurs: Occurs::Declared(min_occurs),
        }
    }

    pub const fn optional(mut self) -> Field {
        self.occurs = Occurs::Optional;
        self
    }

    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Field {
        self.aliases = aliases;
        self
    }

    /// The declared `minOccurs` where there is one; otherwise ASP.NET's rule: reference types
    /// (strings, bytes, objects, arrays, DataSets) may be absent; value types (numbers,
    /// booleans, dates, enumerations) must be present.
    pub fn min_occurs(&self) -> u8 {
        match (self.occurs, self.ty) {
            (Occurs::Declared(n), _) => n,
            (
                _,
                XsdType::String
                | XsdType::Base64Binary
                | XsdType::Complex(_)
                | XsdType::Array(_)
                | XsdType::SimpleArray(_)
                | XsdType::DataSet,
            ) => 0,
            (Occurs::Optional, _) => 0,
            (Occurs::ByType, _) => 1,
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
            XsdType::Long => "s:long".into(),
            XsdType::UnsignedByte => "s:unsignedByte".into(),
            XsdType::Float => "s:float".into(),
            XsdType::Boolean => "s:boolean".into(),
            XsdType::DateTime => "s:dateTime".into(),
            XsdType::Base64Binary => "s:base64Binary".into(),
            XsdType::Enum(e) => format!("tns:{}", e.name),
            XsdType::Complex(c) => format!("tns:{}", c.name),
            XsdType::Array(c) => format!("tns:ArrayOf{}", c.name),
            XsdType::SimpleArray(a) => format!("tns:{}", a.name),
            // Declared inline (see the WSDL writer); it has no name of its own.
            XsdType::DataSet => String::new(),
        }
    }

    /// A placeholder value for the help page's sample messages.
    pub fn sample(&self) -> &'static str {
        match self {
            XsdType::String => "string",
            XsdType::Int => "int",
            XsdType::Short => "short",
            XsdType::Long => "long",
            XsdType::UnsignedByte => "unsignedByte",
            XsdType::Float => "float",
            XsdType::Boolean => "boolean",
            XsdType::DateTime => "dateTime",
            XsdType::Base64Binary => "base64Binary",
            XsdType::Enum(e) => e.values.first().copied().unwrap_or(""),
            XsdType::DataSet => "<xsd:schema>schema</xsd:schema>xml",
            XsdType::Complex(_) | XsdType::Array(_) | XsdType::SimpleArray(_) => "",
        }
    }
}

/// A value on its way out, shaped by a [`XsdType`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i32),
    Short(i16),
    Long(i64),
    UnsignedByte(u8),
    Float(f32),
    Bool(bool),
    DateTime(DateTime<Utc>),
    /// `base64Binary` content, written as base64.
    Bytes(Vec<u8>),
    /// A DataSet's content as XML, written as it is: its inline schema followed by its
    /// diffgram. Made by edigrid, never taken from a request.
    DataSet(String),
    /// A `dateTime` with no value, written as ASP.NET writes `DateTime.MinValue`.
    UnsetDateTime,
    Enum(&'static str),
    /// Fields by name; the writer puts them in the type's order and omits absent ones.
    Record(Vec<(&'static str, Value)>),
    /// The items of an `Array` or a `SimpleArray`.
    List(Vec<Value>),
}

/// How ASP.NET writes an unset `DateTime` (`DateTime.MinValue`, no zone).
pub const UNSET_DATETIME: &str = "0001-01-01T00:00:00";

/// `dateTime` as written: UTC, whole seconds, `Z`.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
