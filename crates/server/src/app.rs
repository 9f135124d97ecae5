//! `Application::build` wires settings, store, services and front ends, and binds the
//! listener (port 0 gives a free port, reported by [`Application::local_addr`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::http::StatusCode;
use axum_server::Server;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use edigrid_core::{Clock, Core};
use edigrid_rest::{RestState, TokenSigner};
use edigrid_soap::{SOAP_PATH, SoapState};
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

use crate::body_limits::BodyLimits;
use crate::settings::Settings;
use crate::upload_budget::UploadBudget;

pub struct Application {
    listener: TcpListener,
    tls: Option<RustlsConfig>,
    router: Router,
    core: Core,
    settings: Settings,
    local_addr: SocketAddr,
}

/// Builds the services on an opened store.
pub async fn build_core(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Core> {
    let store = edigrid_store::open(&settings.database)
        .await
        .with_context(|| format!("opening {}", settings.database))?;
    let core = Core::new(
        store,
        clock,
        settings.session_policy(),
        settings.login_policy(),
    )
    .map_err(|e| anyhow::anyhow!("starting the services: {e}"))?;
    Ok(core.with_parcel_policy(settings.parcel_policy()))
}

impl Application {
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let core = build_core(&settings, clock).await?;
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("listening on {}", settings.listen))?;
        let local_addr = listener.local_addr()?;
        let tls = match (&settings.tls_cert, &settings.tls_key) {
            (Some(cert), Some(key)) => Some(
                RustlsConfig::from_pem_file(cert, key)
                    .await
                    .with_context(|| {
                        format!(
                            "loading TLS certificate {} and key {}",
                            cert.display(),
                            key.display()
                        )
                    })?,
            ),
            _ => None,
        };
        let soap = edigrid_soap::router(SoapState {
            core: core.clone(),
            trusted_proxies: settings.trusted_proxies.clone().into(),
            public_url: settings.public_url.clone(),
            max_body_bytes: settings.max_body_bytes,
            max_upload_body_bytes: settings.upload_body_bytes(),
            https: settings.tls_cert.is_some(),
        });
        let secret = match &settings.jwt_secret {
            Some(secret) => secret.clone().into_bytes(),
            None => core
                .bearer_signing_secret()
                .await
                .map_err(|e| anyhow::anyhow!("loading the token signing secret: {e}"))?,
        };
        let signer = TokenSigner::new(&secret)
            .map_err(|e| anyhow::anyhow!("the token signing secret: {e}"))?;
        let rest = edigrid_rest::router(
            RestState {
                core: core.clone(),
                signer: Arc::new(signer),
                trusted_proxies: settings.trusted_proxies.clone().into(),
            },
            settings.max_body_bytes,
            settings.upload_body_bytes(),
        );
        crate::ops::metrics_handle();
        let body_limits = Arc::new(BodyLimits {
            default: settings.max_body_bytes,
            upload: settings.upload_body_bytes(),
            budget: UploadBudget::new(
                settings.upload_memory_bytes,
                Duration::from_millis(settings.upload_wait_ms),
            ),
        });
        let router = Router::new()
            .merge(soap)
            .merge(rest)
            .merge(crate::ops::router(core.clone()))
            // Inside the timeout: a body read or drained too slowly is cut off by it.
            .layer(axum::middleware::from_fn(move |request, next| {
                crate::body_limits::read_body(body_limits.clone(), request, next)
            }))
            .layer(axum::middleware::from_fn(crate::ops::track_requests))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(settings.request_timeout_secs),
            ));
        Ok(Application {
            listener,
            tls,
            router,
            core,
            settings,
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// The base URL clients reach this server at.
    pub fn base_url(&self) -> String {
        self.settings
            .public_url
            .clone()
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{}", self.local_addr)
            })
    }

    pub fn wsdl_url(&self) -> String {
        format!("{}{SOAP_PATH}?WSDL", self.base_url())
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let housekeeping = spawn_housekeeping(
            self.core.clone(),
            Duration::from_secs(self.settings.housekeeping_interval_secs.max(1)),
        );
        let (stop_call_writer, call_writer_stop) = tokio::sync::oneshot::channel();
        let call_writer = spawn_call_writer(
            self.core.clone(),
            Duration::from_millis(self.settings.call_flush_interval_ms.max(10)),
            call_writer_stop,
        );
        let metrics_upkeep = crate::ops::spawn_metrics_upkeep();
        let callbacks = crate::callbacks::spawn(
            self.core.clone(),
            crate::callbacks::DeliverySettings::of(&self.settings),
        )?;
        let sandbox = (self.settings.sandbox_interval_ms > 0).then(|| {
            spawn_sandbox_answers(
                self.core.clone(),
                Duration::from_millis(self.settings.sandbox_interval_ms),
            )
        });
        tracing::info!(address = %self.local_addr, tls = self.tls.is_some(), "edigrid listening");
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
        });
        let header_timeout = Duration::from_secs(self.settings.header_read_timeout_secs);
        let server = axum_server::from_tcp(self.listener.into_std()?)?.handle(handle);
        let served = match self.tls {
            None => {
                bound_slow_clients(server, header_timeout)
                    .serve(service)
                    .await
            }
            Some(config) => {
                let tls = RustlsAcceptor::new(config).handshake_timeout(header_timeout);
                bound_slow_clients(server.acceptor(tls), header_timeout)
                    .serve(service)
                    .await
            }
        };
        housekeeping.abort();
        callbacks.abort();
        if let Some(sandbox) = sandbox {
            sandbox.abort();
        }
        metrics_upkeep.abort();
        // The writer is stopped between flushes, never in the middle of one (a batch cut
        // off mid-write would be lost), and writes what was recorded since its last tick.
        let _ = stop_call_writer.send(());
        if let Err(e) = call_writer.await {
            tracing::warn!(error = %e, "the recorded-call writer failed");
        }
        served.context("serving HTTP")
    }
}

/// Writes recorded session calls in batches: on every tick, and early when many wait; once
/// more when `stop` fires, then ends.
fn spawn_call_writer(
    core: Core,
    every: Duration,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let stopping = tokio::select! {
                _ = ticks.tick() => false,
                () = core.session_event_backlog() => false,
                _ = &mut stop => true,
            };
            if let Err(e) = core.flush_session_events().await {
                tracing::warn!(error = %e, "writing recorded calls failed; kept for the next try");
            }
            if stopping {
                return;
            }
        }
    })
}

/// How long requests under way may take to finish once shutdown has begun.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A client gets `timeout` to send a request's headers: the first request's counted from
/// the accepted connection (and the TLS handshake gets as long), the next one's on a
/// kept-alive connection from the end of the previous response. So a slow or silent client
/// cannot hold a connection for ever; slow bodies are bounded by the request timeout layer.
fn bound_slow_clients<A>(
    mut server: Server<SocketAddr, A>,
    timeout: Duration,
) -> Server<SocketAddr, A> {
    server.http_builder().http1().header_read_timeout(timeout);
    server.first_request_timeout(timeout)
}

/// Simulated partners answer what they received (SPEC-VAN 21): a pass on every tick. Each
/// answer commits with the consumption of what it answers, so stopping between passes (or
/// in one) loses nothing and answers nothing twice.
fn spawn_sandbox_answers(core: Core, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = core.answer_simulated().await {
                tracing::warn!(error = %e, "simulated partners could not look for parcels");
            }
        }
    })
}

/// Purges session records past retention, so expiry needs no sweeper but storage stays
/// bounded. Expiry itself is enforced on use.
fn spawn_housekeeping(core: Core, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match core.housekeeping().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "purged session records past retention"),
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
            // Downloads past their mailbox's InBoxTimeout go back to the inbox; confirmed
            // content past retention is removed.
            if let Err(e) = core.parcel_housekeeping().await {
                tracing::warn!(error = %e, "parcel housekeeping failed");
            }
            // Expired keys are never read; this removes them.
            match core.purge_expired_keys().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "removed expired keys"),
                Err(e) => tracing::warn!(error = %e, "key housekeeping failed"),
            }
        }
    })
}
