//! Every flag of `sleuth`, defined once; help and errors are generated from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use retriever::Kind;

/// sleuth — answers on-call questions from your team's docs, Terraform and cluster.
#[derive(Debug, Parser)]
#[command(name = "sleuth", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index Confluence, Notion, Terraform and Markdown exports (directories or .zip files).
    ///
    /// Re-running is incremental: unchanged files are skipped by content hash and files that
    /// disappeared from under the given paths are removed from the index.
    Index(IndexArgs),
    /// Search the index and print ranked hits.
    ///
    /// With no index yet at the default location, the bundled demo workspace is indexed first.
    Search(SearchArgs),
    /// Find what is wrong in a cluster: every analyzer rule over one capture, findings grouped by
    /// root object and ranked by severity, each with evidence and a next step.
    ///
    /// Reads a live cluster (kubeconfig context) or a snapshot (sleuth's own, a `kubectl
    /// cluster-info dump`, or a support bundle). With neither flag and no kubeconfig, the bundled
    /// demo snapshot is used.
    Diagnose(DiagnoseArgs),
    /// Capture a read-only snapshot of a cluster into a directory, for later or offline analysis.
    ///
    /// Lists every kind that matters for troubleshooting once (paginated), Secrets as metadata
    /// only and ConfigMaps as keys and sizes, plus current and previous container logs (bounded
    /// tail). `--snapshot` converts an existing dump or bundle to sleuth's layout instead.
    Snapshot(SnapshotArgs),
    /// Ask one question about your systems; the answer cites the documents and cluster objects it
    /// is based on and suggests a labelled script.
    ///
    /// With no model configured the deterministic offline policy answers. With no kubeconfig the
    /// bundled demo snapshot is the cluster; with no index yet the demo workspace is indexed.
    Ask(AskArgs),
    /// Chat about your systems in the terminal: each answer cites its sources and labels its
    /// scripts; /help lists the slash commands.
    ///
    /// With no arguments on a fresh machine it opens on the bundled demo workspace (documents
    /// indexed on first use, the demo snapshot as the cluster).
    Chat(ChatArgs),
    /// Read-only queries against a cluster or snapshot: list, get, describe, events, logs,
    /// related objects, rollout history.
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Explain a causal root-cause graph (rcagraph/v1 JSON or a DOT digraph) in plain language:
    /// which change most likely started it, how it spread, how sure we are, what to check next.
    ///
    /// Invalid graphs are refused with every problem, one per line (file, node or edge, field,
    /// reason), and exit status 2. With a model configured (SLEUTH_MODEL) the narrative may be
    /// rewritten by it, and is kept only if it still names the top root cause and invents no
    /// object; otherwise sleuth's own text is shown.
    Explain(ExplainArgs),
    /// Serve the Slack bot (Events API and /sleuth slash command) and the JSON API.
    ///
    /// Needs SLACK_SIGNING_SECRET (every Slack request is verified) and SLACK_BOT_TOKEN (replies
    /// go to the thread via chat.postMessage; SLACK_API_URL redirects the Web API). With
    /// --api-only, only /v1/ask, /v1/explain, /healthz, /readyz, /metrics and /openapi.json are
    /// served; SLEUTH_API_TOKEN, when set, is required as a bearer token on /v1/*.
    Serve(ServeArgs),
    /// Serve sleuth's read-only tools to an AI client over the Model Context Protocol.
    ///
    /// Standard input/output by default (what Claude Desktop/Code, VS Code, Cursor and Zed
    /// start); `--http ADDR` serves streamable HTTP at `/mcp` instead, where SLEUTH_API_TOKEN is
    /// required as a bearer token off loopback. Tools: document search, list/get/describe,
    /// events, logs, related, diagnose, rollout history, changes, investigate, build and
    /// explain graph; resources: findings, the change timeline and every indexed document;
    /// prompts: investigate a failing workload, explain a graph. Nothing it serves can write to
    /// the cluster or read a local file named in a tool argument.
    Mcp(McpArgs),
    /// Show the effective settings and where each comes from (flag, environment, the config file
    /// `$XDG_CONFIG_HOME/sleuth/config.toml`, or the default); secrets are masked.
    Config(ConfigArgs),
    /// Build a causal graph (rcagraph/v1) from what a cluster recorded: rollouts and their
    /// diffs, scaling, warning events, OOM kills, memory growth, rescheduling and `diagnose`
    /// findings, linked by explicit rules.
    ///
    /// Pipe it into `sleuth explain -` to read it; with neither --snapshot nor --context and no
    /// kubeconfig, the bundled demo snapshot is used.
    Graph(GraphArgs),
    /// What changed, and when: the change timeline of a cluster or snapshot.
    ///
    /// Rollouts of Deployments, StatefulSets and DaemonSets with their diffs (image, env,
    /// resources, args, probes, referenced ConfigMaps and Secrets), rollbacks, scaling and
    /// autoscaling, NetworkPolicies, Services, Ingresses, HPAs, PDBs, quotas, ConfigMaps and
    /// Secrets created or edited (Secret values are never read), Helm releases, and nodes that
    /// joined, left or were cordoned. Times are relative to the capture (a snapshot) or now
    /// (live). Writes by controllers keeping their own books are left out unless --all.
    Changes(ChangesArgs),
}

/// `sleuth changes`
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// The cluster and the namespaces to read.
    #[command(flatten)]
    pub scope: ScopeFlags,

    /// How far back from the capture time (`30m`, `2h`, `1d`).
    #[arg(long, value_name = "DUR", default_value = "24h", value_parser = crate::graphs::parse_since)]
    pub since: jiff::SignedDuration,

    /// Also show bookkeeping writes by controllers (leader election, CA bundles, status).
    #[arg(long)]
    pub all: bool,

    /// Print the timeline as JSON (`{"start", "end", "changes": [...]}`); same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Output: a table (text), JSON, or a picture (svg, png: one lane per workload or kind of
    /// object, the first symptom of the incident as a red line).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ChangesFormat,

    /// Write the output to this file instead of standard output (needed for png at a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Pictures: draw every lane (by default the twelve changed last, the rest counted).
    #[arg(long)]
    pub full: bool,

    /// No progress messages.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Output formats of `sleuth changes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChangesFormat {
    /// A table.
    Text,
    /// `{"start", "end", "changes": [...]}`.
    Json,
    /// The timeline as a self-contained SVG picture.
    Svg,
    /// The same picture as a PNG image.
    Png,
}

/// Output formats of `sleuth explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A coloured tree of the causal chain and the narrative, for a terminal.
    Text,
    /// The narrative and a Mermaid block, for Markdown and Slack.
    Markdown,
    /// Mermaid flowchart source.
    Mermaid,
    /// Graphviz DOT (with --full, reads back as the same graph).
    Dot,
    /// A self-contained SVG picture.
    Svg,
    /// The same picture as a PNG image (give -o FILE, or redirect standard output).
    Png,
    /// `{"root_causes": [...], "symptoms": [...], "narrative": "...", "warnings": [...]}`.
    Json,
}

/// `sleuth explain`
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The graph file (JSON or DOT), or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    pub file: String,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: GraphFormat,

    /// Same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Draw every node and edge. By default pictures (text, markdown, mermaid, dot, svg) show
    /// the top cause's story, the next two hypotheses and the symptoms, with evidence of one
    /// kind grouped ("3 Pods: Evicted") and the rest counted in a note.
    #[arg(long)]
    pub full: bool,

    /// Write the output to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Never ask a model to rewrite the narrative, even when one is configured.
    #[arg(long)]
    pub no_model: bool,
}

/// What the tools read: the index, the cluster and the default namespace (shared by `ask`,
/// `chat`, `serve` and `mcp`).
#[derive(Debug, Clone, Args)]
pub struct SourceFlags {
    /// Where the index lives.
    #[command(flatten)]
    pub location: IndexLocation,

    /// The cluster to read.
    #[command(flatten)]
    pub cluster: ClusterFlags,

    /// Namespace tools use when a question or call names none (`/ns` changes it in the chat).
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
}

/// What the agent works with: what its tools read, and the model (shared by `ask`, `chat` and
/// `serve`).
#[derive(Debug, Clone, Args)]
pub struct AgentFlags {
    /// The index, the cluster and the default namespace.
    #[command(flatten)]
    pub sources: SourceFlags,

    /// Model to use (any OpenAI-compatible server; see OPENAI_BASE_URL) [env: SLEUTH_MODEL; none: offline].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
}

/// `sleuth graph`
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The cluster and the namespaces to read.
    #[command(flatten)]
    pub scope: ScopeFlags,

    /// How far back from the capture time to take evidence (`30m`, `2h`, `1h30m`, `1d`).
    #[arg(long, value_name = "DUR", default_value = "2h", value_parser = crate::graphs::parse_since)]
    pub since: jiff::SignedDuration,

    /// Write the graph to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Emit DOT instead of JSON.
    #[arg(long)]
    pub dot: bool,

    /// No progress messages.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Which cluster, and which of its namespaces, to read (`diagnose`, `snapshot`, `graph`).
#[derive(Debug, Clone, Default, Args)]
pub struct ScopeFlags {
    /// The cluster to read.
    #[command(flatten)]
    pub cluster: ClusterFlags,

    /// Only these namespaces (repeatable) [default: the context's namespace live, all in a snapshot].
    #[arg(short, long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,

    /// Every namespace.
    #[arg(short = 'A', long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,
}

/// Which cluster to read.
#[derive(Debug, Clone, Default, Args)]
pub struct ClusterFlags {
    /// Read this snapshot (directory, dump output file or support-bundle .tar.gz) instead of a live cluster.
    #[arg(long, value_name = "PATH", conflicts_with = "context")]
    pub snapshot: Option<PathBuf>,

    /// kubeconfig context of the live cluster [default: the current context].
    #[arg(long, value_name = "CONTEXT")]
    pub context: Option<String>,
}

/// `sleuth diagnose`
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The cluster and the namespaces to read.
    #[command(flatten)]
    pub scope: ScopeFlags,

    /// Only one object and what it owns (`deployment/web`, `node/ip-10-0-1-7`).
    #[arg(long, value_name = "KIND/NAME")]
    pub target: Option<String>,

    /// Hide a known issue: RULE or RULE:PATTERN, e.g. `CM-1:monitoring/*` (repeatable).
    #[arg(long, value_name = "RULE[:PATTERN]")]
    pub suppress: Vec<analyzers::Suppression>,

    /// Hide findings below this severity (info, warning, error, critical).
    #[arg(long, value_name = "SEVERITY", default_value = "info")]
    pub min_severity: SeverityArg,

    /// Print `{"findings": [...], "summary": {...}}`.
    #[arg(long)]
    pub json: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A severity as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    /// Everything.
    Info,
    /// Warnings and worse.
    Warning,
    /// Errors and worse.
    Error,
    /// Only critical findings.
    Critical,
}

/// `sleuth ask`
#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question.
    #[arg(value_name = "QUESTION", required = true, num_args = 1..)]
    pub question: Vec<String>,

    /// Index, cluster, namespace and model.
    #[command(flatten)]
    pub agent: AgentFlags,

    /// Print the answer contract as JSON (answer, sources, scripts, tool_calls, conversation_id).
    #[arg(long)]
    pub json: bool,
}

/// `sleuth chat`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Index, cluster, namespace and model.
    #[command(flatten)]
    pub agent: AgentFlags,
}

/// `sleuth snapshot`
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Directory to write (created if needed).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,

    /// The cluster and the namespaces to read.
    #[command(flatten)]
    pub scope: ScopeFlags,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `sleuth cluster …`
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Objects of a kind as a compact table.
    List {
        /// Kind (`pods`, `deploy`, `svc`, `nodes`, …).
        kind: String,
        /// Label selector (`app=web,tier!=db`).
        #[arg(short = 'l', long, value_name = "SELECTOR")]
        selector: Option<String>,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// One object as YAML (managedFields dropped, secrets redacted).
    Get {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// Status, conditions, containers and the object's own events.
    Describe {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// Events, oldest first.
    Events {
        /// Only events about this object (`pod/web-1` or a name).
        #[arg(long, value_name = "[KIND/]NAME")]
        object: Option<String>,
        /// Only the last DURATION before the capture (`30m`, `2h`).
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// Only warnings.
        #[arg(long)]
        warnings: bool,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// A container's log.
    Logs {
        /// Pod name.
        pod: String,
        /// Container [default: the pod's first container].
        #[arg(short, long)]
        container: Option<String>,
        /// The previous (crashed) instance.
        #[arg(short, long)]
        previous: bool,
        /// Last N lines.
        #[arg(long, value_name = "N", default_value_t = 200)]
        tail: usize,
        /// Only lines containing this text (case-insensitive).
        #[arg(long, value_name = "TEXT")]
        grep: Option<String>,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// Owners, selected pods and their nodes, routes, claims and volumes around an object.
    Related {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
    /// A Deployment's revisions with image, env and config changes.
    History {
        /// Deployment name.
        deployment: String,
        /// Cluster, namespace and output format.
        #[command(flatten)]
        at: At,
    },
}

/// Cluster and namespace of a query.
#[derive(Debug, Clone, Args)]
pub struct At {
    /// The cluster to read.
    #[command(flatten)]
    pub cluster: ClusterFlags,
    /// Namespace [default: the context's live; all namespaces in a snapshot for lists].
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Where the index lives.
#[derive(Debug, Clone, Args)]
pub struct IndexLocation {
    /// Index directory [default: $SLEUTH_INDEX, else $XDG_DATA_HOME/sleuth/index].
    #[arg(long, value_name = "DIR", global = true)]
    pub index: Option<PathBuf>,
}

/// `sleuth index`
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Export directories, files or .zip archives.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Where the index lives.
    #[command(flatten)]
    pub location: IndexLocation,

    /// Treat inputs as this kind instead of detecting it (confluence, notion, terraform, markdown).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Kind>,

    /// Skip files larger than this many megabytes (Confluence XML is streamed and exempt).
    #[arg(long, value_name = "MB", default_value_t = 100)]
    pub max_file_size: u64,

    /// Discard the existing index and build it from scratch.
    #[arg(long)]
    pub rebuild: bool,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `sleuth search`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A question or keywords (tantivy query syntax is understood: "exact phrase", title:ingress, -excluded).
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,

    /// Where the index lives.
    #[command(flatten)]
    pub location: IndexLocation,

    /// Only hits of this kind (confluence, notion, terraform, markdown).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<Kind>,

    /// Only pages of this Confluence space (key or name).
    #[arg(long, value_name = "SPACE")]
    pub space: Vec<String>,

    /// Only rows and pages of this Notion database.
    #[arg(long, value_name = "DATABASE")]
    pub database: Vec<String>,

    /// Only Terraform objects of this module (`eks`, `module.eks`, or `root`).
    #[arg(long, value_name = "MODULE")]
    pub module: Vec<String>,

    /// Number of hits.
    #[arg(short = 'k', long = "limit", value_name = "N", default_value_t = 5)]
    pub limit: usize,

    /// Print hits as a JSON array.
    #[arg(long)]
    pub json: bool,

    /// Say why each hit ranks where it does: its places in the order by sections and as a
    /// whole page, how near in meaning its nearest section is, how much of the question its
    /// title holds (what the reranker weighed; with --json, a `features` object per hit).
    #[arg(long)]
    pub explain: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn flags_are_consistent() {
        Cli::command().debug_assert();
    }
}

/// `sleuth serve`. Settings left unset here come from the config file's `[serve]` table, then
/// the defaults shown (see `serve::settings`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port and prints it) [default: 127.0.0.1:3000].
    #[arg(long, value_name = "ADDR", env = "SLEUTH_ADDR")]
    pub addr: Option<String>,

    /// Serve only the JSON API (no Slack secrets needed).
    #[arg(long)]
    pub api_only: bool,

    /// Answer about the bundled demo cluster and documents when no kubeconfig, snapshot or index
    /// is given (without it the server says what is missing and never falls back to the demo).
    #[arg(long)]
    pub demo: bool,

    /// Serve the JSON API without a bearer token on a non-loopback address (by default the server
    /// refuses to start there unless SLEUTH_API_TOKEN is set).
    #[arg(long)]
    pub insecure_no_auth: bool,

    /// Index, cluster, namespace and model.
    #[command(flatten)]
    pub agent: AgentFlags,

    /// Where conversations are kept [default: $XDG_DATA_HOME/sleuth/conversations].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// A conversation (Slack thread, API conversation_id) expires after this many idle minutes
    /// [default: 1440].
    #[arg(long, value_name = "MIN")]
    pub idle_minutes: Option<u64>,

    /// At most this many conversations are kept (the oldest go first) [default: 5000].
    #[arg(long, value_name = "N")]
    pub max_conversations: Option<usize>,

    /// Answers computed at once, in all [default: 16].
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<usize>,

    /// Answers computed at once for one user (Slack user, X-Sleuth-User, or client address)
    /// [default: 2].
    #[arg(long, value_name = "N")]
    pub max_per_user: Option<usize>,

    /// Longest an answer may take, in seconds [default: 120].
    #[arg(long, value_name = "S")]
    pub deadline_seconds: Option<u64>,

    /// Largest request body, in KiB [default: 1024].
    #[arg(long, value_name = "KIB")]
    pub body_limit_kb: Option<usize>,

    /// On shutdown, how long answers in flight may take to finish, in seconds [default: 30].
    #[arg(long, value_name = "S")]
    pub grace_seconds: Option<u64>,
}

/// `sleuth mcp`
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Serve streamable HTTP on this address (path `/mcp`; `127.0.0.1:0` picks a free port and
    /// prints it) instead of standard input/output.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,

    /// Over HTTP: serve the bundled demo cluster and documents when no kubeconfig, snapshot or
    /// index is given (without it the server says what is missing). Over stdio the demo is the
    /// fallback, as for `ask`.
    #[arg(long)]
    pub demo: bool,

    /// Serve HTTP without a bearer token on a non-loopback address (by default the server
    /// refuses to start there unless SLEUTH_API_TOKEN is set).
    #[arg(long)]
    pub insecure_no_auth: bool,

    /// The index, the cluster and the default namespace.
    #[command(flatten)]
    pub sources: SourceFlags,
}

/// `sleuth config`
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
