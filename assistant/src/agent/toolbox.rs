//! The tools the agent can call (DESIGN §3), each with a JSON schema, a description from
//! `prompts`, and an output in two forms: text for a model (cut to a budget by the loop) and
//! structured data for the offline policy and the trace.

use std::sync::Arc;

use super::params::{self, given, schema};
use analyzers::Options;
use cluster::query::{self, EventFilter};
use cluster::source::NoProgress;
use cluster::{ClusterSource, Kind, LogKey, LogText, Scope};
use retriever::{SearchQuery, Searcher};
use serde::Serialize;
use serde_json::{Value, json};

/// A tool as the model sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ToolSpec {
    /// Function name.
    pub name: &'static str,
    /// What it does (from `prompts/templates/tools/`).
    pub description: String,
    /// JSON schema of its arguments.
    pub parameters: Value,
}

/// Where an answer's fact came from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Source {
    /// Document title or object reference.
    pub title: String,
    /// `confluence`, `notion`, `terraform`, `markdown` or `cluster`.
    pub kind: String,
    /// Path, URL or `Kind/namespace/name`.
    pub location: String,
    /// A short excerpt.
    pub snippet: String,
}

/// What `search_docs` found, as data: the hits, and the names the question gives (flags,
/// identifiers, quoted strings) that no document holds — hits for such a question share only
/// its other words, and an answer should say so rather than quote them as the answer.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct DocsFound {
    /// The best passages, best first.
    pub hits: Vec<retriever::Hit>,
    /// Names of the question no document holds, as the question wrote them.
    pub unheld: Vec<String>,
}

/// What one tool call returned.
#[derive(Debug, Clone, Serialize)]
pub struct ToolOutput {
    /// Whether it worked.
    pub ok: bool,
    /// Text for a model (the whole of it; the loop cuts it to the budget).
    pub text: String,
    /// Structured result (hits, findings, …) for the offline policy.
    pub data: Value,
    /// Sources it can be cited by.
    pub sources: Vec<Source>,
    /// The causal graph the call explained or built, for front ends that draw it (Slack, MCP);
    /// drawn only there, and not part of the trace's JSON.
    #[serde(skip)]
    pub graph: Option<Arc<rcagraph::Explanation>>,
}

impl ToolOutput {
    pub(crate) fn error(text: impl Into<String>) -> ToolOutput {
        ToolOutput { ok: false, text: text.into(), data: Value::Null, sources: Vec::new(), graph: None }
    }
}

/// The tools, bound to a document index and a cluster (either may be absent).
#[derive(Clone)]
pub struct ToolBox {
    /// The document index.
    pub searcher: Option<Arc<Searcher>>,
    /// The cluster (live or snapshot).
    pub cluster: Option<ClusterSource>,
    /// Namespace used when a tool call names none.
    pub namespace: Option<String>,
    /// Which of the cluster and the documents are the bundled demo's: every answer says so.
    pub demo: DemoParts,
    /// Whether tools may read the local file system on a question's say-so.
    pub mode: Mode,
}

/// Which half of what the tools read is the bundled demo's: a laptop without a kubeconfig reads
/// the demo cluster beside the user's own documents, and the answer must not call those
/// documents made up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoParts {
    /// The cluster is the bundled demo snapshot.
    pub cluster: bool,
    /// The index holds the bundled demo workspace's documents only.
    pub documents: bool,
}

impl DemoParts {
    /// Whether anything read is the demo's.
    pub fn any(self) -> bool {
        self.cluster || self.documents
    }

    /// What is the demo's, in words (`cluster and documents`, `cluster`, `documents`).
    pub fn what(self) -> Option<&'static str> {
        match (self.cluster, self.documents) {
            (true, true) => Some("cluster and documents"),
            (true, false) => Some("cluster"),
            (false, true) => Some("documents"),
            (false, false) => None,
        }
    }

    /// The first line of every answer that reads the demo: what is made up, and how to point
    /// sleuth at the real thing.
    pub fn note(self) -> Option<String> {
        let what = self.what()?;
        let mut how = Vec::new();
        if self.cluster {
            how.push("at your cluster with `--context` or `--snapshot`");
        }
        if self.documents {
            how.push("at your documents with `sleuth index`");
        }
        Some(format!(
            "> **Demo:** the {what} this answer reads {} the bundled demo workspace's (a made-up company's), not yours. Point sleuth {}.",
            if self.documents { "are" } else { "is" },
            how.join(" and ")
        ))
    }
}

/// Who the toolbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One person on their own machine (`ask`, `chat`): a graph may be named by its file.
    Local,
    /// Many users through a server (`serve`): no tool reads the server's files or stdin; graphs
    /// come as content, never as paths.
    Server,
}

/// What a server says when asked to read one of its files.
pub const NO_FILES: &str = "this server reads no files on a question's say-so: paste the graph itself (rcagraph/v1 JSON or a DOT digraph)";

impl ToolBox {
    /// Every tool this box can serve, each with the JSON schema of its typed arguments.
    pub fn specs(&self) -> Vec<ToolSpec> {
        let spec = |name: &'static str, parameters: Value| ToolSpec {
            name,
            description: prompts::tool_description(name).unwrap_or_default(),
            parameters,
        };
        let mut v = Vec::new();
        if self.searcher.is_some() {
            v.push(spec("search_docs", schema::<params::SearchDocs>()));
        }
        if self.cluster.is_some() {
            v.extend([
                spec("list_resources", schema::<params::ListResources>()),
                spec("get_resource", schema::<params::Object>()),
                spec("describe", schema::<params::Object>()),
                spec("events", schema::<params::Events>()),
                spec("logs", schema::<params::Logs>()),
                spec("diagnose", schema::<params::Diagnose>()),
                spec("related", schema::<params::Object>()),
                spec("build_graph", schema::<params::BuildGraph>()),
                spec("investigate", schema::<params::Investigate>()),
                spec("changes", schema::<params::Changes>()),
                spec("rollout_history", schema::<params::RolloutHistory>()),
            ]);
        }
        v.push(spec(
            "explain_graph",
            match self.mode {
                Mode::Local => schema::<params::ExplainGraph>(),
                Mode::Server => schema::<params::ExplainGraphContent>(),
            },
        ));
        v
    }

    /// Run one tool.
    pub async fn call(&self, name: &str, args: &Value) -> ToolOutput {
        match self.run(name, args).await {
            Ok(out) => out,
            Err(e) => {
                let why = self.missing_namespace(args).await.unwrap_or_else(|| format!("{e:#}"));
                ToolOutput::error(format!("{name} failed: {why}"))
            }
        }
    }

    /// When a call that named a namespace failed: whether the namespace is the reason. Asked
    /// only on failure, so a call that works costs no extra request; `None` when the namespace
    /// exists or its existence cannot be proved (Namespaces not captured or not readable).
    async fn missing_namespace(&self, args: &Value) -> Option<String> {
        let ns = args.get("namespace").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty())?;
        let data = self.load(&[Kind::Namespace], &Scope::default()).await.ok()?;
        if !data.captured.contains(&Kind::Namespace) || data.objects.namespaces.is_empty() {
            return None;
        }
        let names: Vec<String> =
            data.objects.namespaces.iter().filter_map(|n| n.metadata.name.clone()).collect();
        (!names.iter().any(|n| n == ns))
            .then(|| format!("namespace {ns:?} does not exist; the namespaces are: {}", names.join(", ")))
    }

    fn cluster(&self) -> anyhow::Result<&ClusterSource> {
        self.cluster
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("no cluster is configured (use --snapshot or --context)"))
    }

    /// The namespace a call names, else the toolbox's current one.
    fn ns(&self, given_ns: Option<String>) -> Option<String> {
        given(given_ns).or_else(|| self.namespace.clone())
    }

    async fn load(&self, kinds: &[Kind], scope: &Scope) -> anyhow::Result<Arc<cluster::ClusterData>> {
        Ok(self.cluster()?.load(Some(kinds), scope, &NoProgress).await?)
    }

    async fn run(&self, name: &str, args: &Value) -> anyhow::Result<ToolOutput> {
        super::args::check(args).map_err(anyhow::Error::msg)?;
        let cluster_source = |k: Kind, ns: Option<&str>, n: &str| Source {
            title: format!(
                "{k} {}{n}",
                ns.filter(|_| k.info().namespaced).map(|n| format!("{n}/")).unwrap_or_default()
            ),
            kind: "cluster".into(),
            location: format!(
                "{k}/{}{n}",
                ns.filter(|_| k.info().namespaced).map(|n| format!("{n}/")).unwrap_or_default()
            ),
            snippet: String::new(),
        };
        Ok(match name {
            "search_docs" => {
                let searcher = self
                    .searcher
                    .as_ref()
                    .ok_or_else(|| anyhow::anyhow!("no document index is configured"))?;
                let p: params::SearchDocs = params::parse(name, args)?;
                let kind = given(p.kind)
                    .map(|k| k.parse::<retriever::Kind>())
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let limit = p.k.unwrap_or(5).clamp(1, 20) as usize;
                let unheld = searcher.unheld_names(&p.query)?;
                let hits =
                    searcher.search(&SearchQuery { text: p.query, kind, scopes: Vec::new(), limit })?;
                let mut text = String::new();
                if !unheld.is_empty() && !hits.is_empty() {
                    text.push_str(&format!(
                        "No document mentions {}: these hits share only other words of the query.\n",
                        crate::output::code_list(&unheld)
                    ));
                }
                for (i, h) in hits.iter().enumerate() {
                    text.push_str(&format!("{}. {} [{}] — {}\n", i + 1, h.title, h.kind, h.location));
                    if !h.heading.is_empty() {
                        text.push_str(&format!("   section: {}\n", h.heading));
                    }
                    text.push_str(&format!("   {}\n", h.text.replace('\n', " ")));
                }
                if hits.is_empty() {
                    text.push_str("no matching documents\n");
                }
                let sources = hits
                    .iter()
                    .map(|h| Source {
                        title: h.title.clone(),
                        kind: h.kind.clone(),
                        location: crate::output::display_location(&h.location),
                        snippet: h.snippet.clone(),
                    })
                    .collect();
                let data = serde_json::to_value(DocsFound { hits, unheld })?;
                ToolOutput { ok: true, text, data, sources, graph: None }
            }
            "list_resources" => {
                let p: params::ListResources = params::parse(name, args)?;
                let k = p.kind.parse::<Kind>()?;
                let ns = self.ns(p.namespace).filter(|_| k.info().namespaced);
                let selector = given(p.selector);
                let data = self
                    .load(
                        &[k],
                        &Scope { label_selector: selector.clone(), ..Scope::namespace(ns.as_deref()) },
                    )
                    .await?;
                let t = query::list(&data, k, ns.as_deref(), selector.as_deref())?;
                ToolOutput {
                    ok: true,
                    text: t.render(),
                    data: serde_json::to_value(&t)?,
                    sources: Vec::new(),
                    graph: None,
                }
            }
            "get_resource" | "describe" | "related" => {
                let p: params::Object = params::parse(name, args)?;
                let k = p.kind.parse::<Kind>()?;
                let n = p.name;
                let ns = self.ns(p.namespace).filter(|_| k.info().namespaced);
                let scope = Scope::namespace(ns.as_deref());
                // `related` follows links to the object's siblings: it needs the whole kind.
                let scope = if name == "related" { scope } else { scope.about(k, &n) };
                let read = match name {
                    "get_resource" => query::Query::Get,
                    "describe" => query::Query::Describe,
                    _ => query::Query::Related,
                };
                let data = self.load(&query::kinds_read(read, k), &scope).await?;
                let text = match name {
                    "get_resource" => query::get(&data, k, ns.as_deref(), &n)?,
                    "describe" => query::describe(&data, k, ns.as_deref(), &n)?,
                    _ => query::related(&data, k, ns.as_deref(), &n)?,
                };
                ToolOutput {
                    ok: true,
                    text,
                    data: json!({"kind": k.info().kind, "namespace": ns, "name": n}),
                    sources: vec![cluster_source(k, ns.as_deref(), &n)],
                    graph: None,
                }
            }
            "events" => {
                let p: params::Events = params::parse(name, args)?;
                let ns = given(p.namespace);
                let object = given(p.object).map(|o| match o.split_once('/') {
                    Some((k, n)) => (k.parse::<Kind>().ok(), n.to_string()),
                    None => (None, o),
                });
                let mut scope = Scope::namespace(ns.as_deref());
                if let Some((k, n)) = &object {
                    scope = scope.events_about(*k, n);
                }
                let data = self.load(&[Kind::Event, Kind::EventV1], &scope).await?;
                let filter = EventFilter {
                    namespace: ns,
                    object,
                    since_seconds: p.since_minutes.map(|m| i64::try_from(m).unwrap_or(i64::MAX / 60) * 60),
                    warnings_only: p.warnings_only.unwrap_or(false),
                    reason: None,
                };
                let t = query::events(&data, &filter);
                ToolOutput {
                    ok: true,
                    text: t.render(),
                    data: serde_json::to_value(query::select_events(&data, &filter))?,
                    sources: Vec::new(),
                    graph: None,
                }
            }
            "logs" => {
                let p: params::Logs = params::parse(name, args)?;
                let pod = p.pod;
                // Only the namespace's pods when it is known; all pods only to find the pod's.
                let known = self.ns(p.namespace);
                let data = self
                    .load(&[Kind::Pod], &Scope::namespace(known.as_deref()).about(Kind::Pod, &pod))
                    .await?;
                let ns = known.or_else(|| {
                    data.objects
                        .pods
                        .iter()
                        .find(|p| p.metadata.name.as_deref() == Some(pod.as_str()))
                        .and_then(|p| p.metadata.namespace.clone())
                });
                let ns = ns.ok_or_else(|| anyhow::anyhow!("pod {pod} not found"))?;
                let container = given(p.container)
                    .or_else(|| query::default_container(&data, &ns, &pod))
                    .ok_or_else(|| anyhow::anyhow!("pod {ns}/{pod} not found"))?;
                let tail = p.tail.unwrap_or(100).clamp(1, 2000) as usize;
                let key = LogKey {
                    namespace: ns.clone(),
                    pod: pod.clone(),
                    container,
                    previous: p.previous.unwrap_or(false),
                };
                let cluster = self.cluster.as_ref().expect("checked by load");
                match cluster.log(&key, Some(tail as u32)).await {
                    LogText::Text(t) => {
                        let text = query::cut_log(&t, Some(tail), given(p.grep).as_deref());
                        ToolOutput {
                            ok: true,
                            data: json!({"namespace": ns, "pod": pod, "container": key.container, "previous": key.previous}),
                            text,
                            sources: vec![cluster_source(Kind::Pod, Some(&ns), &pod)],
                            graph: None,
                        }
                    }
                    LogText::Unavailable(why) => ToolOutput::error(format!(
                        "logs of {ns}/{pod} ({}) unavailable: {why}",
                        key.container
                    )),
                }
            }
            "diagnose" => {
                let cluster = self.cluster.as_ref().ok_or_else(|| {
                    anyhow::anyhow!("no cluster is configured (use --snapshot or --context)")
                })?;
                let p: params::Diagnose = params::parse(name, args)?;
                let ns = given(p.namespace);
                let (mut report, _) = analyzers::diagnose::diagnose(
                    cluster,
                    &Scope::namespace(ns.as_deref()),
                    &Options::default(),
                    &NoProgress,
                )
                .await?;
                if let Some(k) = given(p.kind) {
                    let k = k.parse::<Kind>()?;
                    report.findings.retain(|f| f.kind == k.info().kind);
                }
                let mut text = String::new();
                for f in &report.findings {
                    text.push_str(&format!("[{}] {} {}: {}\n", f.severity, f.rule, f.root(), f.message));
                    for e in f.evidence.iter().take(4) {
                        text.push_str(&format!("  - {e}\n"));
                    }
                    if !f.related.is_empty() {
                        text.push_str(&format!("  related: {}\n", f.related.join(", ")));
                    }
                }
                if report.findings.is_empty() {
                    text.push_str("no findings\n");
                }
                ToolOutput {
                    ok: true,
                    text,
                    data: serde_json::to_value(&report)?,
                    sources: Vec::new(),
                    graph: None,
                }
            }
            "investigate" => {
                let a: params::Investigate = params::parse(name, args)?;
                let names: Vec<String> = a.names.into_iter().filter(|n| !n.trim().is_empty()).collect();
                let p = super::rca::investigate(self.cluster()?, names, given(a.namespace)).await?;
                ToolOutput {
                    ok: true,
                    text: p.text,
                    data: serde_json::to_value(&p.data)?,
                    sources: p.objects.iter().map(|o| object_source(o, "")).collect(),
                    graph: None,
                }
            }
            "changes" => {
                let a: params::Changes = params::parse(name, args)?;
                let since = given(a.since)
                    .map(|d| crate::graphs::parse_since(&d))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!(e))?
                    .unwrap_or(jiff::SignedDuration::from_hours(1));
                let p = super::rca::changes(self.cluster()?, since, given(a.namespace)).await?;
                ToolOutput {
                    ok: true,
                    text: p.text,
                    data: serde_json::to_value(&p.data)?,
                    sources: p.objects.iter().map(|o| object_source(o, "")).collect(),
                    graph: None,
                }
            }
            "rollout_history" => {
                let p: params::RolloutHistory = params::parse(name, args)?;
                let dep = p.deployment;
                let known = self.ns(p.namespace);
                let scope = Scope::namespace(known.as_deref()).about(Kind::Deployment, &dep);
                let data = self.load(&[Kind::Deployment, Kind::ReplicaSet], &scope).await?;
                let ns = known.or_else(|| {
                    data.objects
                        .deployments
                        .iter()
                        .find(|d| d.metadata.name.as_deref() == Some(dep.as_str()))
                        .and_then(|d| d.metadata.namespace.clone())
                });
                let ns = ns.ok_or_else(|| anyhow::anyhow!("Deployment {dep} not found"))?;
                let revs = query::rollout_history(&data, &ns, &dep)?;
                ToolOutput {
                    ok: true,
                    text: query::render_history(&revs, data.now()),
                    data: serde_json::to_value(&revs)?,
                    sources: vec![cluster_source(Kind::Deployment, Some(&ns), &dep)],
                    graph: None,
                }
            }
            "explain_graph" => {
                let p: params::ExplainGraph = params::parse(name, args)?;
                let (name, text) = match (given(p.graph), given(p.path)) {
                    (Some(g), _) => ("the graph".to_string(), g),
                    (None, Some(_)) if self.mode == Mode::Server => anyhow::bail!(NO_FILES),
                    // Standard input belongs to the front end (the chat's prompt), not to a tool.
                    (None, Some(p)) if p == "-" => anyhow::bail!("a graph path cannot be `-` here"),
                    (None, Some(p)) => crate::graphs::read_input(&p)?,
                    (None, None) => anyhow::bail!("missing argument: graph (or path)"),
                };
                match rcagraph::explain(&text) {
                    Ok(expl) => graph_output(expl, &name),
                    Err(invalid) => ToolOutput {
                        ok: false,
                        text: format!(
                            "{name} is not a valid rcagraph/v1 graph:\n{}",
                            crate::graphs::error_lines(&name, &invalid)
                        ),
                        data: serde_json::json!({"errors": invalid.issues}),
                        sources: Vec::new(),
                        graph: None,
                    },
                }
            }
            "build_graph" => {
                let cluster = self.cluster.as_ref().ok_or_else(|| {
                    anyhow::anyhow!("no cluster is configured (use --snapshot or --context)")
                })?;
                let p: params::BuildGraph = params::parse(name, args)?;
                let since = given(p.since)
                    .map(|d| crate::graphs::parse_since(&d))
                    .transpose()
                    .map_err(|e| anyhow::anyhow!(e))?
                    .unwrap_or(jiff::SignedDuration::from_hours(2));
                let ns = given(p.namespace);
                let graph =
                    crate::graphs::build_from(cluster, &Scope::namespace(ns.as_deref()), since).await?;
                let expl = rcagraph::Explanation::new(rcagraph::Parsed { graph, warnings: Vec::new() });
                let graph = serde_json::to_value(&expl.graph)?;
                let mut out = graph_output(expl, "the graph built from the cluster");
                out.data["graph"] = graph;
                out
            }
            // A tool that panics, for the agent loop's test of what a panicked tool becomes.
            #[cfg(test)]
            "test_panic" => panic!("boom"),
            other => ToolOutput::error(format!("unknown tool {other:?}")),
        })
    }

    /// Names a question may mention (workloads, services, claims, nodes, pods, namespaces) and
    /// the trouble words the capture holds (warning reasons, waiting and termination reasons,
    /// pod phases other than Running).
    pub async fn vocabulary(&self) -> Vocabulary {
        let mut v = Vocabulary::default();
        let Ok(data) = self
            .load(
                &[
                    Kind::Deployment,
                    Kind::StatefulSet,
                    Kind::DaemonSet,
                    Kind::CronJob,
                    Kind::Service,
                    Kind::Ingress,
                    Kind::PersistentVolumeClaim,
                    Kind::Node,
                    Kind::Namespace,
                    Kind::Pod,
                    Kind::Event,
                    Kind::EventV1,
                ],
                &Scope::default(),
            )
            .await
        else {
            return v;
        };
        let o = &data.objects;
        let mut add = |kind: &str, m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
            if let (Some(n), ns) = (m.name.clone(), m.namespace.clone().unwrap_or_default()) {
                v.workloads.push((kind.to_string(), ns, n));
            }
        };
        o.deployments.iter().for_each(|d| add("Deployment", &d.metadata));
        o.stateful_sets.iter().for_each(|d| add("StatefulSet", &d.metadata));
        o.daemon_sets.iter().for_each(|d| add("DaemonSet", &d.metadata));
        o.cron_jobs.iter().for_each(|d| add("CronJob", &d.metadata));
        o.services.iter().for_each(|d| add("Service", &d.metadata));
        o.ingresses.iter().for_each(|d| add("Ingress", &d.metadata));
        o.pvcs.iter().for_each(|d| add("PersistentVolumeClaim", &d.metadata));
        o.nodes.iter().for_each(|d| add("Node", &d.metadata));
        v.namespaces = data.namespace_names().into_iter().collect();
        let mut statuses = std::collections::BTreeSet::new();
        for p in &o.pods {
            if let Some(n) = &p.metadata.name {
                v.pods.push(n.to_lowercase());
            }
            let Some(st) = &p.status else { continue };
            if let Some(phase) = st.phase.as_deref().filter(|ph| !matches!(*ph, "Running" | "Succeeded")) {
                statuses.insert(phase.to_lowercase());
            }
            for c in st.container_statuses.iter().flatten().chain(st.init_container_statuses.iter().flatten())
            {
                for s in [&c.state, &c.last_state].into_iter().flatten() {
                    if let Some(w) = &s.waiting
                        && let Some(r) = &w.reason
                    {
                        statuses.insert(r.to_lowercase());
                    }
                    if let Some(t) =
                        s.terminated.as_ref().and_then(|t| t.reason.as_deref()).filter(|r| *r != "Completed")
                    {
                        statuses.insert(t.to_lowercase());
                    }
                }
            }
        }
        for e in cluster::events::all(&data).iter().filter(|e| e.type_ == "Warning") {
            statuses.insert(e.reason.to_lowercase());
        }
        v.statuses = statuses;
        v
    }
}

/// An explained graph as a tool result: the narrative for a model, the JSON contract and the
/// Mermaid rendering for front ends, and the graph's Kubernetes objects as sources.
fn graph_output(expl: rcagraph::Explanation, name: &str) -> ToolOutput {
    let mut text = expl.markdown();
    if !expl.warnings.is_empty() {
        text.push_str(&format!("\n{} warning(s) about {name}:\n", expl.warnings.len()));
        for w in expl.warnings.iter().take(10) {
            text.push_str(&format!("- {w}\n"));
        }
    }
    let mut data = serde_json::to_value(expl.json()).unwrap_or(Value::Null);
    data["mermaid"] = Value::String(expl.render(rcagraph::Format::Mermaid, false, rcagraph::View::Collapsed));
    data["next_steps"] = serde_json::to_value(&expl.narrative.next_steps).unwrap_or(Value::Null);
    // What the top cause is about, so a policy can look for the team's documents on it.
    if let Some(e) = expl
        .analysis
        .top()
        .and_then(|t| expl.graph.nodes.iter().find(|n| n.id == t.node_id))
        .and_then(|n| n.entity.as_ref())
    {
        data["top_entity"] = serde_json::json!({"kind": e.kind, "namespace": e.namespace, "name": e.name});
    }
    let mut sources: Vec<Source> = Vec::new();
    if let Some(top) = expl.analysis.top() {
        for id in &top.paths[0].node_ids {
            let Some(e) = expl.graph.nodes.iter().find(|n| &n.id == id).and_then(|n| n.entity.as_ref())
            else {
                continue;
            };
            if e.system.as_deref().unwrap_or("kubernetes") != "kubernetes" {
                continue;
            }
            let src = Source {
                title: e.display(),
                kind: "cluster".into(),
                location: e.reference(),
                snippet: String::new(),
            };
            if !sources.contains(&src) {
                sources.push(src);
            }
        }
    }
    ToolOutput { ok: true, text, data, sources, graph: Some(Arc::new(expl)) }
}

/// A cluster object as a source an answer cites.
pub(crate) fn object_source(o: &analyzers::rules::ObjRef, snippet: &str) -> Source {
    let title = if o.namespace.is_empty() {
        format!("{} {}", o.kind, o.name)
    } else {
        format!("{} {}/{}", o.kind, o.namespace, o.name)
    };
    Source {
        title,
        kind: "cluster".into(),
        location: o.to_string(),
        snippet: prompts::ellipsis(snippet, 200),
    }
}

/// Object names the offline policy recognises in a question.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// (kind, namespace, name) of workloads, services, claims and nodes.
    pub workloads: Vec<(String, String, String)>,
    /// Namespaces.
    pub namespaces: Vec<String>,
    /// Pod names, lowercase.
    pub pods: Vec<String>,
    /// Trouble words of this capture, lowercase: warning reasons, waiting and termination
    /// reasons, pod phases other than Running.
    pub statuses: std::collections::BTreeSet<String>,
}

impl Vocabulary {
    /// Whether `word` (lowercase) is a trouble word of this capture or any cluster's.
    pub fn is_status(&self, word: &str) -> bool {
        const ALWAYS: &[&str] = &[
            "crashloopbackoff",
            "oomkilled",
            "imagepullbackoff",
            "errimagepull",
            "createcontainerconfigerror",
            "createcontainererror",
            "containercreating",
            "evicted",
            "failedscheduling",
            "backoff",
            "unschedulable",
            "terminating",
            "invalidimagename",
            "runcontainererror",
            "failedmount",
        ];
        self.statuses.contains(word) || ALWAYS.contains(&word)
    }
}

#[cfg(test)]
mod demo_tests {
    use super::DemoParts;

    #[test]
    fn the_demo_note_names_only_what_is_made_up() {
        assert_eq!(DemoParts::default().note(), None);
        let both = DemoParts { cluster: true, documents: true }.note().unwrap_or_default();
        assert!(both.contains("the cluster and documents this answer reads are"), "{both}");
        assert!(both.contains("`--snapshot` and at your documents with `sleuth index`"), "{both}");
        let cluster = DemoParts { cluster: true, documents: false }.note().unwrap_or_default();
        assert!(
            cluster.contains("the cluster this answer reads is") && !cluster.contains("sleuth index"),
            "{cluster}"
        );
        let docs = DemoParts { cluster: false, documents: true }.note().unwrap_or_default();
        assert!(
            docs.contains("the documents this answer reads are") && !docs.contains("--context"),
            "{docs}"
        );
    }
}
