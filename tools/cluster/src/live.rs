//! The live cluster: a kube client that can only read.
//!
//! [`ReadOnlyLayer`] sits outermost in the client's HTTP stack and refuses every request whose
//! method is not GET before it is encoded, authenticated or sent; nothing else in sleuth can
//! change that, because every client is built by [`connect`]. Lists are paginated
//! (`limit`/`continue`), each kind is listed once per scope, Secrets are listed as metadata
//! only (`PartialObjectMetadataList`), and a 403 or 404 on one kind is recorded on the capture
//! instead of failing it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Method, Request};
use kube::Client;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use serde::Deserialize;
use serde_json::value::RawValue;
use tower::{BoxError, Layer, Service};

use crate::data::{ClusterData, LogKey, LogText};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::scope::{Progress, Scope};

/// Page size of list requests.
pub const PAGE_SIZE: u32 = 500;
/// Lists in flight at once.
const CONCURRENCY: usize = 6;

/// Refuses every request that is not a GET, before it leaves the process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOnlyLayer;

/// The service [`ReadOnlyLayer`] wraps around the client's stack.
#[derive(Debug, Clone)]
pub struct ReadOnly<S> {
    inner: S,
}

/// The error a refused request fails with.
#[derive(Debug, thiserror::Error)]
#[error("read-only: sleuth refused {method} {path}; it never changes a cluster")]
pub struct WriteRefused {
    /// The HTTP method that was refused.
    pub method: Method,
    /// The API path.
    pub path: String,
}

impl<S> Layer<S> for ReadOnlyLayer {
    type Service = ReadOnly<S>;
    fn layer(&self, inner: S) -> ReadOnly<S> {
        ReadOnly { inner }
    }
}

impl<S, B> Service<Request<B>> for ReadOnly<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        if req.method() != Method::GET {
            let refused = WriteRefused { method: req.method().clone(), path: req.uri().path().to_string() };
            tracing::warn!(%refused.method, path = %refused.path, "write refused");
            return Box::pin(async move { Err(Box::new(refused) as BoxError) });
        }
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map_err(Into::into) })
    }
}

/// How to reach the cluster.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// kubeconfig context; the current one when `None` (or in-cluster config without a kubeconfig).
    pub context: Option<String>,
    /// Override of the namespace the context names.
    pub namespace: Option<String>,
}

/// A connected, read-only cluster.
#[derive(Clone)]
pub struct Live {
    client: Client,
    url: String,
    context: Option<String>,
    namespace: String,
    /// What this turn already read (shared by clones).
    pub(crate) memo: crate::memo::Memo,
}

/// Build the read-only client for `opts` (no request is made yet).
pub async fn connect(opts: &LiveOptions) -> Result<Live> {
    let config = match &opts.context {
        Some(context) => {
            let o = KubeConfigOptions { context: Some(context.clone()), ..KubeConfigOptions::default() };
            Config::from_kubeconfig(&o)
                .await
                .map_err(|e| Error::Config(format!("context {context:?}: {e}")))?
        }
        None => Config::infer().await.map_err(|e| Error::Config(e.to_string()))?,
    };
    let context = opts.context.clone().or_else(|| Kubeconfig::read().ok().and_then(|k| k.current_context));
    from_config(config, context, opts.namespace.clone())
}

/// A read-only client from an explicit configuration (tests point this at a local server).
pub fn from_config(mut config: Config, context: Option<String>, namespace: Option<String>) -> Result<Live> {
    config.connect_timeout = Some(Duration::from_secs(5));
    config.read_timeout = Some(Duration::from_secs(60));
    let url = config.cluster_url.to_string();
    let namespace = namespace.unwrap_or_else(|| config.default_namespace.clone());
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| Error::Config(format!("cannot build the HTTP client for {url}: {e}")))?
        .with_layer(&ReadOnlyLayer)
        .build();
    Ok(Live { client, url, context, namespace, memo: crate::memo::Memo::default() })
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    metadata: PageMeta,
    #[serde(default)]
    items: Vec<Box<RawValue>>,
}

#[derive(Deserialize, Default)]
struct PageMeta {
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
}

#[derive(Deserialize)]
struct MetaOnly {
    metadata: Box<RawValue>,
}

enum ListError {
    /// The kind cannot be read here (403, 404): recorded, the capture goes on.
    Unreadable(String),
    /// The server cannot be used at all.
    Fatal(Error),
}

impl Live {
    /// The client (read-only), for callers that need raw access in tests.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The namespace of the context (or `-n`).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn map_err(&self, path: &str, e: kube::Error) -> ListError {
        match e {
            kube::Error::Api(status) => match status.code {
                403 => ListError::Unreadable(format!("forbidden: {}", status.message)),
                404 => ListError::Unreadable("not served by this API server".to_string()),
                code => ListError::Fatal(Error::Api { path: path.to_string(), code, reason: status.message }),
            },
            kube::Error::Service(e) if e.is::<WriteRefused>() => {
                ListError::Fatal(Error::ReadOnly(e.to_string()))
            }
            other => {
                ListError::Fatal(Error::Unreachable { url: self.url.clone(), reason: error_chain(&other) })
            }
        }
    }

    async fn get_text(&self, path_and_query: &str, accept: Option<&str>) -> Result<String, kube::Error> {
        let mut req = Request::get(path_and_query);
        if let Some(a) = accept {
            req = req.header(http::header::ACCEPT, a);
        }
        let req = req.body(Vec::new()).map_err(kube::Error::HttpError)?;
        self.client.request_text(req).await
    }

    /// Every item of one kind in one namespace (or all), page by page.
    async fn list(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        selector: Option<&str>,
        fields: Option<&str>,
    ) -> Result<Vec<Box<RawValue>>, ListError> {
        let path = kind.collection_path(namespace);
        let meta_only = kind == Kind::Secret;
        let accept = meta_only.then_some("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        let mut items = Vec::new();
        let mut cont: Option<String> = None;
        loop {
            let mut query = format!("{path}?limit={PAGE_SIZE}");
            if let Some(s) = selector.filter(|s| !s.is_empty()) {
                query.push_str(&format!("&labelSelector={}", encode(s)));
            }
            if let Some(f) = fields.filter(|f| !f.is_empty()) {
                query.push_str(&format!("&fieldSelector={}", encode(f)));
            }
            if let Some(c) = &cont {
                query.push_str(&format!("&continue={}", encode(c)));
            }
            let text = self.get_text(&query, accept).await.map_err(|e| self.map_err(&path, e))?;
            let page: Page = serde_json::from_str(&text).map_err(|e| {
                ListError::Fatal(Error::Api {
                    path: path.clone(),
                    code: 200,
                    reason: format!("unreadable list: {e}"),
                })
            })?;
            if meta_only {
                // Metadata-only items say `PartialObjectMetadata`; keep just the metadata.
                for item in page.items {
                    if let Ok(m) = serde_json::from_str::<MetaOnly>(item.get()) {
                        items.push(
                            RawValue::from_string(format!("{{\"metadata\":{}}}", m.metadata.get()))
                                .expect("valid JSON"),
                        );
                    }
                }
            } else {
                items.extend(page.items);
            }
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(c) => cont = Some(c),
                None => return Ok(items),
            }
        }
    }

    /// One consistent capture of `kinds` in `scope`: one paginated list per kind (per namespace
    /// when several are named).
    pub async fn load(&self, kinds: &[Kind], scope: &Scope, progress: &dyn Progress) -> Result<ClusterData> {
        let mut data = ClusterData::default();
        data.info.source = format!("live cluster at {}", self.url);
        data.info.context = self.context.clone();
        data.info.namespaces = scope.namespaces.clone();
        data.info.captured_at = Some(jiff::Timestamp::now());
        let mut jobs: Vec<(Kind, Option<String>)> = Vec::new();
        for &kind in kinds {
            if kind.info().namespaced && !scope.namespaces.is_empty() {
                jobs.extend(scope.namespaces.iter().map(|ns| (kind, Some(ns.clone()))));
            } else {
                jobs.push((kind, None));
            }
        }
        progress.begin(jobs.len() as u64);
        let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let mut set = tokio::task::JoinSet::new();
        for (i, (kind, ns)) in jobs.into_iter().enumerate() {
            let me = self.clone();
            let sem = Arc::clone(&sem);
            let selector = scope.label_selector.clone();
            let fields = scope.fields.get(&kind).cloned();
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let result = me.list(kind, ns.as_deref(), selector.as_deref(), fields.as_deref()).await;
                (i, kind, ns, result)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (i, kind, ns, result) =
                joined.map_err(|e| Error::Config(format!("capture task failed: {e}")))?;
            progress.advance(&format!(
                "{}{}",
                kind.name(),
                ns.as_deref().map(|n| format!(" in {n}")).unwrap_or_default()
            ));
            results.push((i, kind, ns, result));
        }
        results.sort_by_key(|r| r.0);
        for (_, kind, ns, result) in results {
            match result {
                Ok(items) => {
                    let refs: Vec<&RawValue> = items.iter().map(AsRef::as_ref).collect();
                    data.insert_raw(kind, &refs, &kind.collection_path(ns.as_deref()));
                }
                Err(ListError::Unreadable(reason)) => data.mark_unreadable(kind, reason),
                Err(ListError::Fatal(e)) => return Err(e),
            }
        }
        // A kind unreadable in one namespace cannot prove absence anywhere.
        let unreadable: Vec<Kind> = data.unreadable.keys().copied().collect();
        data.captured.retain(|k| !unreadable.contains(k));
        let (time, version) = self.server_time_and_version().await;
        data.info.server_version = version;
        // The server's clock, not ours: ages and grace periods are judged as the cluster sees them.
        if let Some(t) = time {
            data.info.captured_at = Some(t);
        }
        Ok(data)
    }

    /// The `Date` of the server's answer to `/version`, and its `gitVersion`.
    async fn server_time_and_version(&self) -> (Option<jiff::Timestamp>, Option<String>) {
        let Ok(req) = Request::get("/version").body(kube::client::Body::empty()) else { return (None, None) };
        let Ok(resp) = self.client.send(req).await else { return (None, None) };
        let time = resp
            .headers()
            .get(http::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| jiff::fmt::rfc2822::parse(d).ok())
            .map(|z| z.timestamp());
        let body = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .map(http_body_util::Collected::to_bytes)
            .ok();
        let version = body
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("gitVersion").and_then(|g| g.as_str()).map(String::from));
        (time, version)
    }

    /// One container's log (bounded tail), or why it cannot be read.
    pub async fn logs(&self, key: &LogKey, tail: Option<u32>) -> LogText {
        let mut query = format!(
            "/api/v1/namespaces/{}/pods/{}/log?container={}",
            crate::kind::path_segment(&key.namespace),
            crate::kind::path_segment(&key.pod),
            encode(&key.container)
        );
        if key.previous {
            query.push_str("&previous=true");
        }
        if let Some(t) = tail {
            query.push_str(&format!("&tailLines={t}"));
        }
        query.push_str(&format!("&limitBytes={}", 4 * 1024 * 1024));
        match self.get_text(&query, None).await {
            Ok(text) => LogText::Text(text),
            Err(kube::Error::Api(s)) if s.code == 403 => {
                LogText::Unavailable(format!("forbidden: {}", s.message))
            }
            Err(kube::Error::Api(s)) => LogText::Unavailable(s.message),
            Err(e) => LogText::Unavailable(error_chain(&e)),
        }
    }
}

/// An error and its causes on one line ("… : connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
