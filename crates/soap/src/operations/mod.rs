//! The operation tables: each dialect lists its operations (name, parameters, result,
//! handler), from which dispatch, the WSDL and the help pages are derived. An operation
//! served in both dialects has one entry in each, shaped for it, calling the same service.
//! The documented dialect's table is written here; the deployed dialect's shapes come from
//! its WSDL (`deployed_schema`), and its table only names a handler for each one served.

mod deployed;
mod documented;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use edigrid_core::{Caller, ClientInfo, Core, EndedSession, LoginRequest, Protocol};
use edigrid_domain::{Error, SecretHash, SessionId};

use crate::args::Args;
use crate::schema::{Field, Value, XsdType};

pub use deployed::{DEPLOYED, DEPLOYED_NS, V3_NS};
pub use documented::{DOCUMENTED, ECGRIDOS_NS, SESSION_ID_INFO};

/// What a handler gets: the services, the caller's address and its arguments.
pub struct Call {
    pub core: Core,
    pub client: IpAddr,
    pub args: Args,
    /// The session the call acted in, once known: its call event is recorded there.
    pub acted_in: Arc<OnceLock<SecretHash>>,
}

pub type Reply = Pin<Box<dyn Future<Output = Result<Value, Error>> + Send>>;

#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: &'static [Field],
    pub result: XsdType,
    pub handler: fn(Call) -> Reply,
}

/// An operation of a dialect's contract that edigrid refuses on purpose, and why.
pub type Refusal = (&'static str, &'static str);

/// A namespace (or several) and the operations served in it.
#[derive(Debug)]
pub struct Dialect {
    /// The namespace our WSDL and help pages use for this dialect.
    pub ns: &'static str,
    /// Other namespaces whose requests this dialect serves, answered in their own.
    pub also: &'static [&'static str],
    pub operations: &'static [Operation],
    /// Operations of this dialect's contract that edigrid does not serve, with the reason:
    /// they get a "not supported" fault rather than "unknown operation".
    pub unsupported: &'static [Refusal],
}

impl Dialect {
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.iter().find(|op| op.name == name)
    }

    pub fn serves(&self, ns: &str) -> bool {
        self.ns == ns || self.also.contains(&ns)
    }

    pub fn is_unsupported(&self, name: &str) -> bool {
        self.unsupported.iter().any(|(op, _)| *op == name)
    }
}

/// Every dialect served, found by the namespace of the request's operation element.
pub fn dialects() -> [&'static Dialect; 2] {
    [&DOCUMENTED, &DEPLOYED]
}

pub fn find_dialect(ns: &str) -> Option<&'static Dialect> {
    dialects().into_iter().find(|d| d.serves(ns))
}

macro_rules! handler {
    ($f:ident) => {
        |call| Box::pin($f(call))
    };
}
pub(crate) use handler;

/// `Version`, the same shape in every dialect.
pub(crate) const VERSION: Operation = Operation {
    name: "Version",
    doc: "The version of the ECGridOS API served.",
    params: &[],
    result: XsdType::String,
    handler: handler!(version),
};

pub(crate) async fn version(_call: Call) -> Result<Value, Error> {
    Ok(version_value())
}

/// Logs in (each dialect maps its own element names to the request) and notes the new
/// session for the call's event record.
pub(crate) async fn open_session(call: &Call, request: LoginRequest) -> Result<SessionId, Error> {
    let client = ClientInfo {
        address: call.client,
        protocol: Protocol::Soap,
    };
    let (id, _) = call.core.login(request, client).await?;
    let _ = call.acted_in.set(id.hash());
    Ok(id)
}

/// Ends the session in the SessionID slot, if it is open, and notes it for the call's
/// event record.
pub(crate) async fn end_session(call: &Call) -> Result<Option<EndedSession>, Error> {
    let ended = call
        .core
        .logout(call.args.str("SessionID"), call.client)
        .await?;
    if let Some(ended) = &ended {
        let _ = call.acted_in.set(ended.hash);
    }
    Ok(ended)
}

/// Accepts what the caller put in the SessionID slot and notes the session for the call's
/// event record.
pub(crate) async fn authenticate(call: &Call) -> Result<Caller, Error> {
    let caller = call
        .core
        .authenticate(call.args.str("SessionID"), call.client)
        .await?;
    if let Some(session) = &caller.session {
        let _ = call.acted_in.set(session.hash);
    }
    Ok(caller)
}

pub(crate) const SESSION_ID: Field = Field::new("SessionID", XsdType::String);

pub(crate) fn version_value() -> Value {
    Value::Str("4.1".into())
}
