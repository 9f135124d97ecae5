//! The REST catalogue (SPEC-VAN 12): every endpoint page of the upstream documentation
//! (`ecgrid-docs/rest-api/*/*.md`, 119 pages, one endpoint each) with what edigrid does
//! with it, and the migration table's paths (`getting-started/migrating-soap-to-rest.md`)
//! where they differ from the pages'. An entry is served (its handler is in a
//! `*_routes.rs` file and in the OpenAPI document) or refused on purpose: the router answers
//! it with `501 NotImplemented` naming the operation, and the OpenAPI document lists it so.
//! Paths in no catalogue stay `404`.

use axum::routing::{MethodFilter, MethodRouter, on};
#[cfg(test)]
use utoipa::openapi::path::PathItem;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, OpenApi, Ref, Required, ResponseBuilder};

use crate::RestState;
use crate::envelope::ApiError;

/// The HTTP methods the catalogue uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Delete => MethodFilter::DELETE,
        }
    }

    fn http(self) -> HttpMethod {
        match self {
            Method::Get => HttpMethod::Get,
            Method::Post => HttpMethod::Post,
            Method::Put => HttpMethod::Put,
            Method::Delete => HttpMethod::Delete,
        }
    }
}

/// What edigrid does with an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    Served,
    /// Refused on purpose, for this reason.
    Refused(&'static str),
}

use Coverage::Refused;
use Method::{Delete, Get, Post, Put};

const SERVED: Coverage = Coverage::Served;

/// Areas not built yet; they will be served.
pub const NOT_BUILT: &str = "not built yet (issue 13/14/15)";
/// Features that need systems edigrid does not have (SPEC-VAN 12).
pub const OUTSIDE_WORLD: &str = "needs the outside world";

/// One endpoint page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// As the page gives it, without its query string.
    pub path: &'static str,
    /// The page, `area/file` without `.md`.
    pub page: &'static str,
    /// The page's title: the operation's name.
    pub operation: &'static str,
    pub coverage: Coverage,
}

impl Endpoint {
    /// The first part of the page: `users`, `parcels`, ... (the OpenAPI tag).
    pub fn area(&self) -> &'static str {
        self.page.split('/').next().unwrap_or(self.page)
    }

    /// `METHOD /path`.
    pub fn route(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

const fn entry(
    method: Method,
    path: &'static str,
    page: &'static str,
    operation: &'static str,
    coverage: Coverage,
) -> Endpoint {
    Endpoint {
        method,
        path,
        page,
        operation,
        coverage,
    }
}

/// Every endpoint page, in the order of their files.
pub const CATALOGUE: [Endpoint; 119] = [
    entry(
        Put,
        "/v2/auth/password",
        "auth/change-password",
        "Change Password",
        SERVED,
    ),
    entry(Post, "/v2/auth/login", "auth/login", "Login", SERVED),
    entry(Post, "/v2/auth/logout", "auth/logout", "Logout", SERVED),
    entry(
        Post,
        "/v2/auth/refresh",
        "auth/refresh-token",
        "Refresh Token",
        SERVED,
    ),
    entry(Post, "/v2/auth/session", "auth/session", "Session", SERVED),
    entry(Get, "/v2/auth/version", "auth/version", "Version", SERVED),
    entry(
        Post,
        "/v2/callbacks/create",
        "callbacks/create-callback",
        "Create Callback",
        SERVED,
    ),
    entry(
        Delete,
        "/v2/callbacks",
        "callbacks/delete-callback",
        "Delete Callback",
        SERVED,
    ),
    entry(
        Post,
        "/v2/callbacks/event-list",
        "callbacks/event-list",
        "Event List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/callbacks/get-event-by-id",
        "callbacks/get-event-by-id",
        "Get Event by ID",
        SERVED,
    ),
    entry(
        Get,
        "/v2/callbacks/get-queue-by-id",
        "callbacks/get-queue-by-id",
        "Get Queue by ID",
        SERVED,
    ),
    entry(
        Post,
        "/v2/callbacks/queue-list",
        "callbacks/queue-list",
        "Queue List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/callbacks/test",
        "callbacks/test-callback",
        "Test Callback",
        SERVED,
    ),
    entry(
        Post,
        "/v2/callbacks/update",
        "callbacks/update-callback",
        "Update Callback",
        SERVED,
    ),
    entry(
        Post,
        "/v2/carboncopies/create",
        "carbon-copies/create-carbon-copy",
        "Create Carbon Copy",
        SERVED,
    ),
    entry(
        Delete,
        "/v2/carboncopies/{id}",
        "carbon-copies/delete-carbon-copy",
        "Delete Carbon Copy",
        SERVED,
    ),
    entry(
        Get,
        "/v2/carboncopies/{id}",
        "carbon-copies/get-carbon-copy",
        "Get Carbon Copy",
        SERVED,
    ),
    entry(
        Post,
        "/v2/carboncopies/list",
        "carbon-copies/list-carbon-copies",
        "List Carbon Copies",
        SERVED,
    ),
    entry(
        Put,
        "/v2/carboncopies/update",
        "carbon-copies/update-carbon-copy",
        "Update Carbon Copy",
        SERVED,
    ),
    entry(
        Post,
        "/v2/certificates/add-private",
        "certificates/add-private",
        "Add Private Certificate",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/certificates/add-public",
        "certificates/add-public",
        "Add Public Certificate",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/certificates/create",
        "certificates/create-certificate",
        "Create Certificate",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/certificates/renew",
        "certificates/renew-certificate",
        "Renew Certificate",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/certificates/terminate",
        "certificates/terminate-certificate",
        "Terminate Certificate",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/comms/pair",
        "comms/comm-pair",
        "Comm Pair",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/comms/create",
        "comms/create-comm",
        "Create Comm",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/comms/find",
        "comms/find-comm",
        "Find Comm",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Get,
        "/v2/comms/{id}",
        "comms/get-comm",
        "Get Comm",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/comms/list",
        "comms/list-comms",
        "List Comms",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/comms/set-pair",
        "comms/set-pair",
        "Set Pair",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Put,
        "/v2/comms/update",
        "comms/update-comm",
        "Update Comm",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Put,
        "/v2/comms/update-config",
        "comms/update-config",
        "Update Comm Config",
        Refused(OUTSIDE_WORLD),
    ),
    entry(Post, "/v2/ids/tp-add-van", "ids/add-van", "Add VAN", SERVED),
    entry(Post, "/v2/ids", "ids/create-id", "Create ID", SERVED),
    entry(Delete, "/v2/ids/{id}", "ids/delete-id", "Delete ID", SERVED),
    entry(Post, "/v2/ids/find", "ids/find-id", "Find ID", SERVED),
    entry(Get, "/v2/ids/{id}", "ids/get-id", "Get ID", SERVED),
    entry(
        Post,
        "/v2/ids/tp-get-mailbox-default",
        "ids/get-mailbox-default",
        "Get Mailbox Default",
        SERVED,
    ),
    entry(Post, "/v2/ids/list", "ids/list-ids", "List IDs", SERVED),
    entry(
        Post,
        "/v2/ids/tp-move",
        "ids/move-tp",
        "Move Trading Partner",
        SERVED,
    ),
    entry(
        Post,
        "/v2/ids/update-config",
        "ids/update-config",
        "Update Config",
        SERVED,
    ),
    entry(
        Post,
        "/v2/ids/tp-update-data-email",
        "ids/update-data-email",
        "Update Data Email",
        SERVED,
    ),
    entry(
        Post,
        "/v2/ids/tp-update-description",
        "ids/update-description",
        "Update Description",
        SERVED,
    ),
    entry(Put, "/v2/ids/{id}", "ids/update-id", "Update ID", SERVED),
    entry(
        Post,
        "/v2/ids/tp-x12-delimiters",
        "ids/x12-delimiters",
        "X12 Delimiters",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/cancel/{id}",
        "interchanges/cancel-interchange",
        "Cancel Interchange",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/get-date",
        "interchanges/get-date",
        "Get Interchange Date",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/get-header",
        "interchanges/get-header",
        "Get Interchange Header",
        SERVED,
    ),
    entry(
        Get,
        "/v2/interchanges/{id}",
        "interchanges/get-interchange",
        "Get Interchange",
        SERVED,
    ),
    entry(
        Get,
        "/v2/interchanges/get-manifest/{id}",
        "interchanges/get-manifest",
        "Get Interchange Manifest",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/inbox-list",
        "interchanges/inbox-list",
        "Interchange Inbox List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/outbox-list",
        "interchanges/outbox-list",
        "Interchange Outbox List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/interchanges/resend/{id}",
        "interchanges/resend-interchange",
        "Resend Interchange",
        SERVED,
    ),
    entry(
        Post,
        "/v2/keys/create",
        "keys/create-key",
        "Create Key",
        SERVED,
    ),
    entry(Delete, "/v2/keys", "keys/delete-key", "Delete Key", SERVED),
    entry(Post, "/v2/keys/get-key", "keys/get-key", "Get Key", SERVED),
    entry(Post, "/v2/keys/list", "keys/list-keys", "List Keys", SERVED),
    entry(
        Post,
        "/v2/mailboxes/create",
        "mailboxes/create-mailbox",
        "Create Mailbox",
        SERVED,
    ),
    entry(
        Delete,
        "/v2/mailboxes/{id}",
        "mailboxes/delete-mailbox",
        "Delete Mailbox",
        SERVED,
    ),
    entry(
        Get,
        "/v2/mailboxes/{id}",
        "mailboxes/get-mailbox",
        "Get Mailbox",
        SERVED,
    ),
    entry(
        Post,
        "/v2/mailboxes/list",
        "mailboxes/list-mailboxes",
        "List Mailboxes",
        SERVED,
    ),
    entry(
        Post,
        "/v2/mailboxes/update-config",
        "mailboxes/update-config",
        "Update Mailbox Config",
        SERVED,
    ),
    entry(
        Post,
        "/v2/mailboxes/update",
        "mailboxes/update-mailbox",
        "Update Mailbox",
        SERVED,
    ),
    entry(
        Post,
        "/v2/mailboxes/x12-delimiters",
        "mailboxes/x12-delimiters",
        "Set X12 Delimiters",
        SERVED,
    ),
    entry(
        Post,
        "/v2/networks/get-contact",
        "networks/get-contact",
        "Get Network Contact",
        SERVED,
    ),
    entry(
        Get,
        "/v2/networks/{id}",
        "networks/get-network",
        "Get Network",
        SERVED,
    ),
    entry(
        Post,
        "/v2/networks/list",
        "networks/list-networks",
        "List Networks",
        SERVED,
    ),
    entry(
        Post,
        "/v2/networks/update-config",
        "networks/update-config",
        "Update Network Config",
        SERVED,
    ),
    entry(
        Put,
        "/v2/networks",
        "networks/update-network",
        "Update Network",
        SERVED,
    ),
    entry(
        Post,
        "/v2/networks/x12-delimiters",
        "networks/x12-delimiters",
        "Set X12 Delimiters",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/acknowledgment-note",
        "parcels/acknowledgment-note",
        "Acknowledgment Note",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/cancel/{id}",
        "parcels/cancel-parcel",
        "Cancel Parcel",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/confirm",
        "parcels/confirm-download",
        "Confirm Download",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/download",
        "parcels/download-parcel",
        "Download Parcel",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/find-mailbagcontrolid",
        "parcels/find-mailbag-control-id",
        "Find Mailbag Control ID",
        SERVED,
    ),
    entry(
        Get,
        "/v2/parcels/manifest/{id}",
        "parcels/get-manifest",
        "Get Manifest",
        SERVED,
    ),
    entry(
        Get,
        "/v2/parcels/{id}",
        "parcels/get-parcel",
        "Get Parcel",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/inbox-list",
        "parcels/inbox-list",
        "Inbox List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/outbox-list",
        "parcels/outbox-list",
        "Outbox List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/pending-inbox-list",
        "parcels/pending-inbox-list",
        "Pending Inbox List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/reset-to-inbox/{id}",
        "parcels/reset-to-inbox",
        "Reset to Inbox",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/send-test-file",
        "parcels/send-test-file",
        "Send Test File",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/set-mailbagcontrolid",
        "parcels/set-mailbag-control-id",
        "Set Mailbag Control ID",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/update",
        "parcels/update-parcel",
        "Update Parcel",
        SERVED,
    ),
    entry(
        Post,
        "/v2/parcels/upload",
        "parcels/upload-parcel",
        "Upload Parcel",
        SERVED,
    ),
    entry(
        Post,
        "/v2/partners/note",
        "partners/add-note",
        "Add Note",
        SERVED,
    ),
    entry(
        Post,
        "/v2/partners/count",
        "partners/count-partners",
        "Count Partners",
        SERVED,
    ),
    entry(
        Post,
        "/v2/partners",
        "partners/create-partner",
        "Create Partner",
        SERVED,
    ),
    entry(
        Delete,
        "/v2/partners/{id}",
        "partners/delete-partner",
        "Delete Partner",
        SERVED,
    ),
    entry(
        Get,
        "/v2/partners/{id}",
        "partners/get-partner",
        "Get Partner",
        SERVED,
    ),
    entry(
        Post,
        "/v2/partners/notelist",
        "partners/list-notes",
        "List Notes",
        SERVED,
    ),
    entry(
        Post,
        "/v2/partners/list",
        "partners/list-partners",
        "List Partners",
        SERVED,
    ),
    entry(
        Post,
        "/v2/portals/create",
        "portals/create-portal",
        "Create Portal",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Get,
        "/v2/portals/by-mailbox/{mailboxId}",
        "portals/get-portal-by-mailbox",
        "Get Portal by Mailbox",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/reports/instant-stats",
        "reports/instant-stats",
        "Instant Stats",
        SERVED,
    ),
    entry(
        Post,
        "/v2/reports/interchange-stats",
        "reports/interchange-stats",
        "Interchange Stats",
        SERVED,
    ),
    entry(
        Get,
        "/v2/reports/mailbox-interchange-stats",
        "reports/mailbox-interchange-stats",
        "Mailbox Interchange Stats",
        SERVED,
    ),
    entry(
        Get,
        "/v2/reports/mailbox-stats",
        "reports/mailbox-stats",
        "Mailbox Stats",
        SERVED,
    ),
    entry(
        Post,
        "/v2/reports/monthly",
        "reports/monthly-report",
        "Monthly Report",
        SERVED,
    ),
    entry(
        Post,
        "/v2/reports/bydate",
        "reports/report-by-date",
        "Report by Date",
        SERVED,
    ),
    entry(
        Get,
        "/v2/reports/{ShowInactive}",
        "reports/report-list",
        "Report List",
        SERVED,
    ),
    entry(
        Post,
        "/v2/reports/traffic-stats",
        "reports/traffic-stats",
        "Traffic Stats",
        SERVED,
    ),
    entry(
        Get,
        "/v2/status-lists",
        "status-lists/get-status-lists",
        "Get Status Lists",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users",
        "users/create-user",
        "Create User",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/key-generate/{id}",
        "users/generate-api-key",
        "Generate API Key",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/generate-password",
        "users/generate-password",
        "Generate Password",
        SERVED,
    ),
    entry(
        Get,
        "/v2/users/key/{id}",
        "users/get-api-key",
        "Get API Key",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/by-name",
        "users/get-by-name",
        "Get User by Name",
        SERVED,
    ),
    entry(Get, "/v2/users/me", "users/get-me", "Get Me", SERVED),
    entry(Get, "/v2/users/{id}", "users/get-user", "Get User", SERVED),
    entry(
        Post,
        "/v2/users/list",
        "users/list-users",
        "List Users",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/reset/{id}",
        "users/reset-sessions",
        "Reset Sessions",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/send-sms",
        "users/send-sms",
        "Send SMS",
        Refused(OUTSIDE_WORLD),
    ),
    entry(
        Post,
        "/v2/users/set-network-mailbox",
        "users/set-network-mailbox",
        "Set Network Mailbox",
        SERVED,
    ),
    entry(Post, "/v2/users/role", "users/set-role", "Set Role", SERVED),
    entry(
        Delete,
        "/v2/users/{id}",
        "users/terminate-user",
        "Terminate User",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/update-config",
        "users/update-config",
        "Update Config",
        SERVED,
    ),
    entry(
        Post,
        "/v2/users/password",
        "users/update-password",
        "Update Password",
        SERVED,
    ),
    entry(Put, "/v2/users", "users/update-user", "Update User", SERVED),
];

/// A path of the migration table that differs from its endpoint page's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alias {
    pub method: Method,
    pub path: &'static str,
    /// The page of the endpoint it stands for.
    pub of: &'static str,
}

const fn alias(method: Method, path: &'static str, of: &'static str) -> Alias {
    Alias { method, path, of }
}

/// The migration table's paths that differ from the pages', with the page each stands for.
/// `NetworkAdd` (`POST /v2/networks`) has no endpoint page: it stands for [`NETWORK_ADD`].
pub const ALIASES: [Alias; 19] = [
    alias(Get, "/v2/networks", "networks/list-networks"),
    alias(Post, "/v2/networks", NETWORK_ADD),
    alias(Put, "/v2/networks/{id}", "networks/update-network"),
    alias(Get, "/v2/mailboxes", "mailboxes/list-mailboxes"),
    alias(Post, "/v2/mailboxes", "mailboxes/create-mailbox"),
    alias(Get, "/v2/ids", "ids/list-ids"),
    alias(Get, "/v2/ids/find", "ids/find-id"),
    alias(Post, "/v2/ids/{id}/move-tp", "ids/move-tp"),
    alias(Get, "/v2/users", "users/list-users"),
    alias(Put, "/v2/users/{id}", "users/update-user"),
    alias(Post, "/v2/users/{id}/set-role", "users/set-role"),
    alias(Get, "/v2/users/{id}/api-key", "users/get-api-key"),
    alias(
        Post,
        "/v2/users/{id}/generate-api-key",
        "users/generate-api-key",
    ),
    alias(Get, "/v2/partners", "partners/list-partners"),
    alias(Get, "/v2/partners/count", "partners/count-partners"),
    alias(
        Post,
        "/v2/parcels/{id}/reset-to-inbox",
        "parcels/reset-to-inbox",
    ),
    alias(Post, "/v2/parcels/{id}/cancel", "parcels/cancel-parcel"),
    alias(
        Post,
        "/v2/interchanges/{id}/resend",
        "interchanges/resend-interchange",
    ),
    alias(
        Post,
        "/v2/interchanges/{id}/cancel",
        "interchanges/cancel-interchange",
    ),
];

/// edigrid's own routes, which no upstream page has (the `Sandbox` tag, SPEC-VAN 21); all
/// served.
pub const OWN_ROUTES: [(Method, &str); 2] = [
    (Put, "/v2/sandbox/partners/{ecGridId}"),
    (Get, "/v2/sandbox/partners"),
];

/// What `POST /v2/networks` stands for: the migration table's `NetworkAdd`, which has no
/// endpoint page (networks are otherwise made by the CLI).
pub const NETWORK_ADD: &str = "networks/create-network";

impl Alias {
    /// The catalogue entry it stands for (`None` for `NetworkAdd`, which has no page).
    pub fn endpoint(&self) -> Option<&'static Endpoint> {
        CATALOGUE.iter().find(|e| e.page == self.of)
    }

    /// Served, or refused like the entry it stands for.
    pub fn coverage(&self) -> Coverage {
        self.endpoint().map_or(SERVED, |e| e.coverage)
    }
}

/// One refused route: where, which operation, why.
struct Refusal {
    method: Method,
    path: &'static str,
    area: &'static str,
    page: &'static str,
    operation: &'static str,
    reason: &'static str,
}

/// Every route answered with `501`: the refused entries and the aliases of refused entries.
fn refusals() -> Vec<Refusal> {
    let entries = CATALOGUE.iter().filter_map(|e| match e.coverage {
        Refused(reason) => Some(Refusal {
            method: e.method,
            path: e.path,
            area: e.area(),
            page: e.page,
            operation: e.operation,
            reason,
        }),
        Coverage::Served => None,
    });
    let aliases = ALIASES
        .iter()
        .filter_map(|a| match (a.coverage(), a.endpoint()) {
            (Refused(reason), Some(e)) => Some(Refusal {
                method: a.method,
                path: a.path,
                area: e.area(),
                page: e.page,
                operation: e.operation,
                reason,
            }),
            _ => None,
        });
    entries.chain(aliases).collect()
}

/// The router of the refused routes, one method router per path.
pub fn refused_routes() -> Vec<(&'static str, MethodRouter<RestState>)> {
    let mut routes: Vec<(&'static str, MethodRouter<RestState>)> = Vec::new();
    for r in refusals() {
        let name = format!("{} ({}, {})", r.operation, r.method.as_str(), r.page);
        let reason = r.reason;
        let handler = on(r.method.filter(), move || {
            let name = name.clone();
            async move { ApiError::not_implemented(&name, reason) }
        });
        match routes.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => routes.push((r.path, handler)),
        }
    }
    routes
}

/// Adds the refused routes to the OpenAPI document: each answers `501` whatever it is sent,
/// so none declares a body or credentials. Their operation ids start with `refused_`.
pub fn document_refusals(doc: &mut OpenApi) {
    for r in refusals() {
        let mut operation = OperationBuilder::new()
            .tag(r.area)
            .summary(Some(format!("{} (not served)", r.operation)))
            .description(Some(format!(
                "Refused on purpose: {}. Answers `501` with errorCode `NotImplemented`, whatever the request ({}).",
                r.reason, r.page
            )))
            .operation_id(Some(format!(
                "refused_{}_{}",
                r.method.as_str().to_ascii_lowercase(),
                r.path
                    .trim_start_matches('/')
                    .replace(['/', '-', '{', '}'], "_")
            )))
            .response(
                "501",
                ResponseBuilder::new()
                    .description("Not implemented by this server")
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build(),
            );
        for name in path_parameters(r.path) {
            operation = operation.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        doc.paths
            .add_path_operation(r.path, vec![r.method.http()], operation.build());
    }
}

/// The `{name}`s of a path.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// The README's rows: `METHOD /path (page)` and what edigrid does with it, in catalogue
/// order.
pub fn rows() -> Vec<(String, Coverage)> {
    CATALOGUE
        .iter()
        .map(|e| (format!("{} ({})", e.route(), e.page), e.coverage))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation<'a>(
        doc: &'a OpenApi,
        method: Method,
        path: &str,
    ) -> Option<&'a utoipa::openapi::path::Operation> {
        let item: &PathItem = doc.paths.paths.get(path)?;
        match method {
            Method::Get => item.get.as_ref(),
            Method::Post => item.post.as_ref(),
            Method::Put => item.put.as_ref(),
            Method::Delete => item.delete.as_ref(),
        }
    }

    #[test]
    fn the_catalogue_has_every_page_once_with_its_reason() {
        let mut routes: Vec<String> = CATALOGUE.iter().map(Endpoint::route).collect();
        routes.sort();
        routes.dedup();
        assert_eq!(routes.len(), 119);
        let count = |c: Coverage| CATALOGUE.iter().filter(|e| e.coverage == c).count();
        assert_eq!(count(SERVED), 103);
        assert_eq!(count(Refused(NOT_BUILT)), 0);
        assert_eq!(count(Refused(OUTSIDE_WORLD)), 16);
        for a in ALIASES {
            assert!(
                a.endpoint().is_some() || a.of == NETWORK_ADD,
                "{} {} stands for no page",
                a.method.as_str(),
                a.path
            );
            assert!(
                !CATALOGUE
                    .iter()
                    .any(|e| e.method == a.method && e.path == a.path),
                "{} {} is a page's own path",
                a.method.as_str(),
                a.path
            );
        }
    }

    #[test]
    fn the_openapi_document_has_every_route_as_served_or_refused() {
        let doc = crate::openapi();
        let refused_only = |op: &utoipa::openapi::path::Operation| {
            op.responses
                .responses
                .keys()
                .map(String::as_str)
                .eq(["501"])
        };
        let mut listed = 0;
        let routes = CATALOGUE
            .iter()
            .map(|e| (e.method, e.path, e.coverage))
            .chain(ALIASES.iter().map(|a| (a.method, a.path, a.coverage())))
            .chain(OWN_ROUTES.iter().map(|(m, p)| (*m, *p, SERVED)));
        for (method, path, coverage) in routes {
            let op = operation(&doc, method, path)
                .unwrap_or_else(|| panic!("{} {path} is not documented", method.as_str()));
            assert_eq!(
                refused_only(op),
                coverage != SERVED,
                "{} {path}: {coverage:?}",
                method.as_str()
            );
            listed += 1;
        }
        let documented: usize = doc
            .paths
            .paths
            .values()
            .map(|item| {
                [&item.get, &item.post, &item.put, &item.delete, &item.patch]
                    .iter()
                    .filter(|op| op.is_some())
                    .count()
            })
            .sum();
        assert_eq!(
            documented, listed,
            "the document has routes that are in no catalogue"
        );
    }
}
