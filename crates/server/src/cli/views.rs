//! The directory's records as the commands print them: every field an operator may see, in
//! camelCase as REST names them. Password and recovery-answer hashes are never shown.

use edigrid_core::store::User;
use edigrid_core::{Address, Contacts, Mailbox, Network, TradingPartner};
use edigrid_domain::X12Delimiters;

use super::output::Record;

pub(super) fn network(n: &Network) -> Record {
    Record::new()
        .int("networkId", n.id.0)
        .text("name", &n.name)
        .text("uniqueId", &n.unique_id)
        .text("location", &n.location)
        .group("address", address(&n.address))
        .text("phone", &n.phone)
        .text("adminEmail", &n.admin_email)
        .group(
            "websites",
            Record::new()
                .text("home", &n.websites.home)
                .text("support", &n.websites.support)
                .text("login", &n.websites.login),
        )
        .text("status", n.status)
        .group("contacts", contacts(&n.contacts))
        .group("x12", x12(&n.x12))
        .bool("deleteOnDownload", n.delete_on_download)
        .time("created", Some(&n.created))
        .time("modified", Some(&n.modified))
}

pub(super) fn mailbox(m: &Mailbox) -> Record {
    let c = &m.config;
    Record::new()
        .int("mailboxId", m.id.0)
        .int("networkId", m.network_id.0)
        .text("name", &m.name)
        .text("uniqueId", &m.unique_id)
        .text("description", &m.description)
        .group("address", address(&m.address))
        .text("phone", &m.phone)
        .text("adminEmail", &m.admin_email)
        .text("status", m.status)
        .group("contacts", contacts(&m.contacts))
        .bool("managed", m.managed)
        .text("useType", m.use_type)
        .group(
            "config",
            Record::new()
                .int("inboxTimeoutMinutes", c.inbox_timeout_minutes)
                .group("x12", x12(&c.x12))
                .bool("deleteOnDownload", c.delete_on_download)
                .int("ebcdicFilter", c.ebcdic_filter)
                .bool("ftpAsciiFilter", c.ftp_ascii_filter)
                .bool("lowPassFilter", c.low_pass_filter)
                .bool("mailbagPassThrough", c.mailbag_pass_through)
                .bool("stripDirectedEnvelope", c.strip_directed_envelope)
                .text("notifyEmail", &c.notify_email)
                .bool("notifyOnInbox", c.notify_on_inbox),
        )
        .text("defaultAs2Id", &m.default_as2_id)
        .time("created", Some(&m.created))
        .time("modified", Some(&m.modified))
}

pub(super) fn user(u: &User) -> Record {
    let p = &u.person;
    Record::new()
        .int("userId", u.id.0)
        .text("login", &u.login)
        .int("networkId", u.network_id.0)
        .int("mailboxId", u.mailbox_id.0)
        .text("authLevel", u.auth_level)
        .text("status", u.status)
        .text("firstName", &p.first_name)
        .text("lastName", &p.last_name)
        .text("company", &p.company)
        .text("email", &p.email)
        .text("phone", &p.phone)
        .text("cellPhone", &p.cell_phone)
        .text("cellCarrier", p.cell_carrier)
        .int("timeZoneOffset", p.time_zone_offset)
        .text("recoveryQuestion", &p.recovery_question)
        .opt_int("idleTimeoutSecs", u.idle_timeout_secs)
        .opt_int("maxSessions", u.max_sessions)
        .int("failedLogins", u.failed_logins)
        .time("lockedUntil", u.locked_until.as_ref())
        .time("lastLogin", u.last_login.as_ref())
        .time("created", Some(&u.created))
        .time("modified", Some(&u.modified))
}

pub(super) fn partner(p: &TradingPartner) -> Record {
    Record::new()
        .int("ecGridId", p.ecgrid_id.0)
        .int("networkId", p.network_id.0)
        .int("mailboxId", p.mailbox_id.0)
        .text("qualifier", &p.qualifier)
        .text("id", &p.id)
        .text("description", &p.description)
        .text("status", p.status)
        .text("dataEmail", &p.data_email)
        .text("routingGroup", p.routing_group)
        .bool("isDefault", p.is_default)
        .int("ownerUserId", p.owner.0)
        .bool("van", p.van)
        .bool("simulated", p.simulated)
        .time("created", Some(&p.created))
        .time("modified", Some(&p.modified))
}

fn address(a: &Address) -> Record {
    Record::new()
        .text("address1", &a.address1)
        .text("address2", &a.address2)
        .text("city", &a.city)
        .text("state", &a.state)
        .text("zip", &a.zip)
        .text("country", &a.country)
}

/// The seven contacts' UserIDs; 0 where none is set.
fn contacts(c: &Contacts) -> Record {
    Record::new()
        .int("owner", c.owner.0)
        .int("errors", c.errors.0)
        .int("interconnects", c.interconnects.0)
        .int("notices", c.notices.0)
        .int("reports", c.reports.0)
        .int("accounting", c.accounting.0)
        .int("customerService", c.customer_service.0)
}

/// The delimiters as byte values; 0 where none is set.
fn x12(d: &X12Delimiters) -> Record {
    Record::new()
        .int("segmentTerminator", d.segment)
        .int("elementSeparator", d.element)
        .int("subElementSeparator", d.sub_element)
}
