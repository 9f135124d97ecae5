use edigrid_domain::AuthLevel;

use crate::store::User;

/// Whether `caller` may see `target`'s sessions (and act on them): operators see everyone,
/// network admins their network, mailbox admins their mailbox, others only themselves.
pub fn may_view_user(caller: &User, target: &User) -> bool {
    if caller.id == target.id {
        return true;
    }
    match caller.auth_level {
        AuthLevel::Root | AuthLevel::TechOps | AuthLevel::NetOps => true,
        AuthLevel::NetworkAdmin => caller.network_id == target.network_id,
        AuthLevel::MailboxAdmin => caller.mailbox_id == target.mailbox_id,
        _ => false,
    }
}

/// Whether the caller's authority reaches users of every network, so that telling them a
/// user does not exist reveals nothing they could not already see.
pub(crate) fn sees_all_users(caller: &User) -> bool {
    matches!(
        caller.auth_level,
        AuthLevel::Root | AuthLevel::TechOps | AuthLevel::NetOps
    )
}
