//! Operating endpoints: `/healthz` (the process answers), `/readyz` (the database answers),
//! `/metrics` (Prometheus text), and the middleware that times every HTTP request.

use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use edigrid_core::Core;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Seconds; from well under a millisecond (a session check) to seconds (a queued login).
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's Prometheus recorder, installed once (metrics are process-wide).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
            }
            handle
        })
        .clone()
}

/// Folds recorded histogram samples into their buckets every few seconds. The recorder
/// otherwise keeps every sample until `/metrics` is scraped: memory would grow with traffic
/// on a server nobody scrapes.
pub fn spawn_metrics_upkeep() -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {
        let handle = metrics_handle();
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            ticks.tick().await;
            handle.run_upkeep();
        }
    })
}

pub fn router(core: Core) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(core)
}

async fn readyz(State(core): State<Core>) -> Response {
    match core.store().count_users().await {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics_text(State(core): State<Core>) -> Response {
    let now = core.clock().now();
    match core.store().count_all_open_sessions(now).await {
        Ok(n) => metrics::gauge!("edigrid_open_sessions").set(n as f64),
        Err(e) => tracing::warn!(error = %e, "counting open sessions failed"),
    }
    (
        [("content-type", "text/plain; version=0.0.4")],
        metrics_handle().render(),
    )
        .into_response()
}

/// Counts and times every HTTP request by route (the matched pattern, never the raw path)
/// and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    RequestMetrics::global().record(method, route, response.status(), started.elapsed());
    response
}

/// The method as a label: anything but the usual methods is `other`, so that a client cannot
/// make up new series.
fn method_label(method: &Method) -> &'static str {
    [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
    ]
    .iter()
    .find(|known| *known == method)
    .map_or("other", |known| known.as_str())
}

/// Handles of the HTTP request metrics, resolved once per method, route and status: looking
/// a metric's key up on every request cost more CPU than validating a session. The label
/// sets are few (routes are the router's patterns), so a list scanned in order will do.
struct RequestMetrics {
    series: RwLock<Vec<RequestSeries>>,
}

struct RequestSeries {
    method: &'static str,
    route: Box<str>,
    status: StatusCode,
    count: metrics::Counter,
    duration: metrics::Histogram,
}

impl RequestSeries {
    fn is(&self, method: &str, route: &str, status: StatusCode) -> bool {
        self.status == status && self.method == method && &*self.route == route
    }

    fn record(&self, elapsed: Duration) {
        self.count.increment(1);
        self.duration.record(elapsed.as_secs_f64());
    }
}

impl RequestMetrics {
    fn global() -> &'static RequestMetrics {
        static METRICS: OnceLock<RequestMetrics> = OnceLock::new();
        METRICS.get_or_init(|| RequestMetrics {
            series: RwLock::new(Vec::new()),
        })
    }

    fn record(&self, method: &'static str, route: &str, status: StatusCode, elapsed: Duration) {
        let series = self.series.read().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = series.iter().find(|s| s.is(method, route, status)) {
            return found.record(elapsed);
        }
        drop(series);
        let mut series = self.series.write().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = series.iter().find(|s| s.is(method, route, status)) {
            return found.record(elapsed);
        }
        let route_label = route.to_string();
        let added = RequestSeries {
            method,
            route: route.into(),
            status,
            count: metrics::counter!("edigrid_http_requests_total", "method" => method, "route" => route_label.clone(), "status" => status.as_u16().to_string()),
            duration: metrics::histogram!("edigrid_http_request_duration_seconds", "method" => method, "route" => route_label),
        };
        added.record(elapsed);
        series.push(added);
    }
}
