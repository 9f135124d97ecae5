//! The user and session half of the store in memory: users as the trait says, sessions
//! only as far as ending them; what the directory never calls is left out.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use edigrid_domain::{SecretHash, UserId, UserStatus, login_key};

use super::mem_store::{MemStore, missing};
use crate::policy::OverCapPolicy;
use crate::store::*;

#[async_trait]
impl Store for MemStore {
    async fn insert_user(&self, new: &NewUser) -> StoreResult<UserId> {
        let mut s = self.state();
        if s.users
            .values()
            .any(|u| login_key(&u.login) == login_key(&new.login))
        {
            return Err(StoreError::Conflict("login".into()));
        }
        if !s.mailboxes.contains_key(&new.mailbox_id.0) {
            return Err(missing("mailbox"));
        }
        let id = UserId(s.users.keys().max().copied().unwrap_or(0) + 1);
        let user = User {
            id,
            login: new.login.clone(),
            password_hash: new.password_hash.clone(),
            network_id: new.network_id,
            mailbox_id: new.mailbox_id,
            auth_level: new.auth_level,
            status: new.status,
            person: new.person.clone(),
            idle_timeout_secs: None,
            max_sessions: None,
            recovery_answer_hash: new.recovery_answer_hash.clone(),
            created: new.created,
            modified: new.created,
            last_login: None,
            failed_logins: 0,
            locked_until: None,
        };
        s.users.insert(id.0, user);
        Ok(id)
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.user_reads
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(self.state().users.get(&id.0).cloned())
    }
    async fn user_by_login(&self, login: &str) -> StoreResult<Option<User>> {
        let key = login_key(login);
        Ok(self
            .state()
            .users
            .values()
            .find(|u| login_key(&u.login) == key)
            .cloned())
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        Ok(self.state().users.values().cloned().collect())
    }
    async fn count_users(&self) -> StoreResult<u64> {
        Ok(self.state().users.len() as u64)
    }
    async fn set_password_hash(&self, id: UserId, hash: &str) -> StoreResult<()> {
        let mut s = self.state();
        s.users.get_mut(&id.0).ok_or(missing("user"))?.password_hash = hash.into();
        Ok(())
    }
    async fn set_status(&self, id: UserId, status: UserStatus) -> StoreResult<()> {
        let mut s = self.state();
        s.users.get_mut(&id.0).ok_or(missing("user"))?.status = status;
        Ok(())
    }
    async fn record_login_failure(
        &self,
        id: UserId,
        _threshold: u32,
        _locked_until: DateTime<Utc>,
    ) -> StoreResult<LoginFailureOutcome> {
        let mut s = self.state();
        s.users.get_mut(&id.0).ok_or(missing("user"))?.failed_logins += 1;
        Ok(LoginFailureOutcome::Counted)
    }
    async fn record_login_success(&self, _: UserId, _: DateTime<Utc>) -> StoreResult<()> {
        unimplemented!()
    }
    async fn create_session(
        &self,
        _: &SessionRecord,
        _: u32,
        _: OverCapPolicy,
        _: DateTime<Utc>,
    ) -> StoreResult<CreateSessionOutcome> {
        unimplemented!()
    }
    async fn session(&self, hash: &SecretHash) -> StoreResult<Option<SessionRecord>> {
        Ok(self
            .state()
            .sessions
            .iter()
            .find(|s| s.hash == *hash)
            .cloned())
    }
    async fn extend_session(
        &self,
        _: &SecretHash,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn end_session(
        &self,
        _: &SecretHash,
        _: EndReason,
        _: DateTime<Utc>,
    ) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn end_user_sessions(
        &self,
        user: UserId,
        except: Option<&SecretHash>,
        reason: EndReason,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut ended = 0;
        for s in self.state().sessions.iter_mut() {
            if s.user_id == user && s.ended.is_none() && Some(&s.hash) != except {
                s.ended = Some(now);
                s.end_reason = Some(reason);
                ended += 1;
            }
        }
        Ok(ended)
    }
    async fn count_open_sessions(&self, user: UserId, now: DateTime<Utc>) -> StoreResult<u64> {
        let s = self.state();
        Ok(s.sessions
            .iter()
            .filter(|r| r.user_id == user && r.is_open_at(now))
            .count() as u64)
    }
    async fn count_all_open_sessions(&self, _: DateTime<Utc>) -> StoreResult<u64> {
        unimplemented!()
    }
    async fn user_sessions(&self, _: UserId, _: u32) -> StoreResult<Vec<SessionRecord>> {
        unimplemented!()
    }
    async fn all_sessions(&self, _: u32) -> StoreResult<Vec<SessionRecord>> {
        unimplemented!()
    }
    async fn sessions_with_prefix(&self, _: &str) -> StoreResult<Vec<SessionRecord>> {
        unimplemented!()
    }
    async fn purge_sessions(&self, _: DateTime<Utc>) -> StoreResult<u64> {
        unimplemented!()
    }
    async fn rotate_token_generation(
        &self,
        _: &SecretHash,
        _: i32,
        _: DateTime<Utc>,
    ) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn set_api_key(&self, _: UserId, _: &ApiKeyRecord) -> StoreResult<()> {
        unimplemented!()
    }
    async fn api_key_of(&self, _: UserId) -> StoreResult<Option<ApiKeyRecord>> {
        unimplemented!()
    }
    async fn api_key_owner(&self, _: &SecretHash) -> StoreResult<Option<(User, ApiKeyRecord)>> {
        unimplemented!()
    }
    async fn clear_lockout(&self, _: UserId) -> StoreResult<()> {
        unimplemented!()
    }
    async fn set_max_sessions(&self, _: UserId, _: Option<i32>) -> StoreResult<()> {
        unimplemented!()
    }
    async fn locked_out_users(&self, _: DateTime<Utc>) -> StoreResult<Vec<User>> {
        unimplemented!()
    }
    async fn user_sessions_created_between(
        &self,
        _: UserId,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: u32,
    ) -> StoreResult<Vec<SessionRecord>> {
        unimplemented!()
    }
    async fn append_session_calls(&self, _: &[SessionCalls], _: u32) -> StoreResult<()> {
        unimplemented!()
    }
    async fn session_events(&self, _: &SecretHash) -> StoreResult<Vec<SessionEvent>> {
        unimplemented!()
    }
    async fn session_calls(&self, _: &SecretHash) -> StoreResult<u64> {
        unimplemented!()
    }
    async fn take_login_attempt(
        &self,
        _: &str,
        _: DateTime<Utc>,
        _: i64,
        _: i64,
    ) -> StoreResult<Option<i64>> {
        unimplemented!()
    }
    async fn forget_login_attempts(&self, _: DateTime<Utc>) -> StoreResult<u64> {
        unimplemented!()
    }
    async fn setting(&self, _: &str) -> StoreResult<Option<String>> {
        unimplemented!()
    }
    async fn init_setting(&self, _: &str, _: &str) -> StoreResult<String> {
        unimplemented!()
    }
}
