//! What a question is about (its intent) and which objects and namespace it names, read in the
//! capture's own words: the reasons and statuses it contains (CrashLoopBackOff, OOMKilled,
//! Pending, …), its object names, HTTP status codes and the words people use for outages and
//! for changes — not a fixed list of English phrasings alone.

use serde::Serialize;

use crate::agent::toolbox::Vocabulary;

/// What the question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// "why is web down", "CrashLoopBackOff in namespace shop", "api returns 502s".
    Failure,
    /// "what changed in the last hour", "what was deployed today".
    Changes,
    /// "what does api depend on", "where is the users database defined".
    Architecture,
    /// "how do I see the logs of the crashed container".
    Script,
    /// "explain this graph".
    Graph,
}

/// Words of trouble, whatever the cluster.
const FAILURE_WORDS: &[&str] = &[
    "why",
    "down",
    "fail",
    "fails",
    "failing",
    "failed",
    "failure",
    "broken",
    "unreachable",
    "crash",
    "crashes",
    "crashing",
    "crashed",
    "error",
    "errors",
    "erroring",
    "wrong",
    "pending",
    "oom",
    "outage",
    "unavailable",
    "problem",
    "problems",
    "issue",
    "issues",
    "incident",
    "restarting",
    "restarts",
    "slow",
    "unhealthy",
    "notready",
    "evicted",
    "stuck",
    "timeout",
    "timeouts",
    "latency",
    "refused",
    "hanging",
    "degraded",
    "5xx",
    "4xx",
    "killed",
    "dying",
    "dead",
    "flapping",
    "throttled",
    "forbidden",
    "denied",
    "healthy",
    "health",
    "status",
    "can't",
    "cannot",
    "won't",
    "isn't",
    "doesn't",
    "resolve",
    "schedule",
    "happened",
    "going",
];
/// Phrases of trouble.
const FAILURE_PHRASES: &[&str] = &[
    "not working",
    "not ready",
    "timed out",
    "time out",
    "times out",
    "can't reach",
    "cannot reach",
    "can't connect",
    "cannot connect",
    "doesn't work",
    "does not work",
    "won't start",
    "not starting",
    "no endpoints",
    "not available",
    "keeps restarting",
    "no pods",
    "0 replicas",
    "zero replicas",
    "what happened",
    "going on",
];
/// Words that make "graph" the causal graph of an incident.
const GRAPH_WORDS: &[&str] = &[
    "causal", "cause", "causes", "root", "incident", "outage", "explain", "build", "draw", "render", "show",
];
/// Phrasings that ask about design rather than state, even when they name an object.
const ARCHITECTURE_PHRASES: &[&str] = &[
    "depend",
    "defined",
    "who owns",
    "owner",
    "what does",
    "where is",
    "where are",
    "how is",
    "how are",
    "what is the",
    "architecture",
    "documented",
    "runbook for",
    // A release's lifecycle ("which prometheus releases get long term support") is in the
    // documents, even when the software also runs in the cluster.
    "long term support",
    "long-term support",
    "supported version",
    "end of life",
    "compatib",
];
/// What a product documents a list of: "which prometheus metrics show sync errors", "what
/// permissions does the operator need" ask for names its documents give, even when they name
/// trouble or an object of the cluster.
const CATALOG_NOUNS: &[&str] = &[
    "metric",
    "metrics",
    "flag",
    "flags",
    "option",
    "options",
    "setting",
    "settings",
    "annotation",
    "annotations",
    "field",
    "fields",
    "parameter",
    "parameters",
    "permission",
    "permissions",
];
/// Questions about how the software behaves, not about what the cluster is doing.
const BEHAVIOUR_PHRASES: &[&str] =
    &["will it ", "would it ", "does it ", "will they ", "would they ", "do they ", "what happens"];
/// Words that put a change in a window of time.
const HISTORY_WORDS: &[&str] = &[
    "happened",
    "recent",
    "recently",
    "today",
    "yesterday",
    "tonight",
    "overnight",
    "hour",
    "hours",
    "minute",
    "minutes",
    "since",
    "ago",
    "last",
    "past",
    "week",
];
/// How questions about what happened start ("what changed", "did anyone edit", "has anything
/// been deployed"); a change word in a statement ("everything it deployed", "before the app is
/// rolled out") does not make one.
const HISTORY_STARTS: &[&str] = &[
    "what", "who", "when", "did", "was", "were", "has", "have", "anything", "anyone", "someone", "somebody",
];

const CHANGE_WORDS: &[&str] = &[
    "changed",
    "change",
    "changes",
    "deployed",
    "deploy",
    "deploys",
    "deployment's",
    "rolled",
    "rollout",
    "rollouts",
    "released",
    "release",
    "releases",
    "modified",
    "edited",
    "updated",
    "upgraded",
    "new",
];
/// Change words in their base form: a question that starts with one asks how to do it.
const INSTRUCTION_VERBS: &[&str] = &[
    "change",
    "deploy",
    "release",
    "roll",
    "update",
    "upgrade",
    "modify",
    "edit",
    "rotate",
    "set",
    // Instructions that configure something ("give the payments team read-only access"): how
    // to is in the documents, even when they name an object of the cluster.
    "give",
    "grant",
    "allow",
    "let",
    "add",
    "create",
    "restrict",
    "limit",
    "expose",
    "enable",
    "disable",
    "configure",
    "install",
    "use",
    "make",
];
const SCRIPT_STARTS: &[&str] = &[
    "how do i",
    "how can i",
    "how to",
    "what command",
    "which command",
    "give me a command",
    "show me how",
    "command to",
    "script to",
];

fn words(q: &str) -> Vec<&str> {
    q.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '.' && c != '\'')
        .map(|w| w.trim_matches(|c| c == '.' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect()
}

/// An HTTP error status as people type it: `502`, `503s`, `500 errors`.
fn http_error(w: &str) -> bool {
    let digits = w.trim_end_matches('s');
    digits.len() == 3 && digits.starts_with(['4', '5']) && digits.chars().all(|c| c.is_ascii_digit())
}

/// Which intent a question expresses, knowing the reasons and statuses the capture holds and
/// the objects it runs: a question that names an object of the cluster, and is not about its
/// design, is a question about its state.
pub fn intent(question: &str, vocab: &Vocabulary, m: &Mentions) -> Intent {
    let q = question.to_lowercase();
    let words = words(&q);
    // "build the causal graph of the outage", "explain graphs/incident.json"; not "graph
    // experiment events next to our metrics", which asks the documents about dashboards.
    // A `.json` file is a graph to explain only when the question says so ("explain
    // incident.json"): "block layout in object storage and meta.json" names a product's file.
    let graph_file = words.iter().any(|w| w.ends_with(".dot"))
        || (words.iter().any(|w| w.ends_with(".json"))
            && words.iter().any(|w| GRAPH_WORDS.contains(w) || matches!(*w, "graph" | "graphs" | "rca")));
    let causal_graph = words.iter().any(|w| matches!(*w, "graph" | "graphs"))
        && words.iter().any(|w| GRAPH_WORDS.contains(w))
        && (words.iter().any(|w| matches!(*w, "causal" | "cause" | "causes" | "root"))
            || !of_something_else(&words));
    if q.contains("rcagraph") || graph_file || causal_graph {
        return Intent::Graph;
    }
    let trouble = words.iter().any(|w| FAILURE_WORDS.contains(w) || http_error(w) || vocab.is_status(w))
        || FAILURE_PHRASES.iter().any(|p| q.contains(p));
    // "kubectl command to list pods" asks for a command; "kubectl top says metrics not
    // available" reports trouble with kubectl, and "kubectl describe only shows the last hour"
    // says what it does (the documents answer what to use instead).
    let asks_command =
        words.first() == Some(&"kubectl") || words.iter().any(|w| matches!(*w, "command" | "commands"));
    if SCRIPT_STARTS.iter().any(|s| q.trim_start().starts_with(s))
        || (q.contains("kubectl") && !trouble && asks_command)
    {
        return Intent::Script;
    }
    // "the operator was down for an hour, will it catch up", "issuance failed, does it retry":
    // how the software behaves, which its documents say, unless the question names an object
    // or asks why ("why does it keep restarting" is about whatever the chat was on).
    let behaviour = BEHAVIOUR_PHRASES.iter().any(|p| q.contains(p)) && !words.contains(&"why");
    if behaviour && m.entities.is_empty() && m.namespace.is_none() {
        return Intent::Architecture;
    }
    // "which prometheus metrics show sync errors": a question for the names of a product's
    // signals or settings (its first words ask which, a catalog noun follows closely).
    let catalog = matches!(words.first(), Some(&("which" | "what")))
        && words.iter().skip(1).take(3).any(|w| CATALOG_NOUNS.contains(w));
    if catalog {
        return Intent::Architecture;
    }
    // "change the upstream DNS servers", "deploy on every push": an instruction, not history;
    // "only allow the frontend to call payments", "please give…" too.
    let instruction = words
        .iter()
        .find(|w| !matches!(**w, "only" | "just" | "please" | "also"))
        .is_some_and(|w| INSTRUCTION_VERBS.contains(w));
    let change = words.iter().any(|w| CHANGE_WORDS.contains(w)) && !q.contains("depend") && !instruction;
    // An instruction asks how, as a question about design does, even when it names an object.
    let design = ARCHITECTURE_PHRASES.iter().any(|p| q.contains(p)) || instruction;
    // "what was deployed today" asks the cluster's history; "deploy on every git push" asks how
    // to do something, which the documents answer: a change question must name something of the
    // cluster, a time, or a change that happened.
    let change = change
        && (!m.entities.is_empty()
            || m.namespace.is_some()
            || words.first().is_some_and(|w| HISTORY_STARTS.contains(w))
            || words.iter().any(|w| HISTORY_WORDS.contains(w)));
    // "what changed in version 6 of the module", "breaking changes in v21": a release of the
    // software the documents describe, not the cluster's history — unless it names an object.
    let change = change && (!m.entities.is_empty() || !names_a_version(&words));
    match (trouble, change) {
        // "why did X fail after the deploy": the failure, with the changes in its chain.
        (true, _) if (words.contains(&"why") || !change) && !design => Intent::Failure,
        (_, true) if !design => Intent::Changes,
        // A name typed in full asks about the object's state; a shortened one ("order" for
        // `orders`, "in which order") is only a name beside trouble or a change.
        _ if !design && m.entities.iter().any(|e| !m.shortened.contains(e)) => Intent::Failure,
        (true, _) if !words.iter().any(|w| matches!(*w, "depend" | "depends" | "defined")) => Intent::Failure,
        _ => Intent::Architecture,
    }
}

/// Whether the graph a question asks for is of something other than trouble: "draw the graph
/// of objects contour built" (a product's own graph, which its documents show), "the graph of
/// our service dependencies" — not "the graph of this incident", "of the outage".
fn of_something_else(words: &[&str]) -> bool {
    words
        .windows(2)
        .position(|w| matches!(w[0], "graph" | "graphs") && w[1] == "of")
        .is_some_and(|i| !words[i + 2..].iter().any(|w| FAILURE_WORDS.contains(w)))
}

/// Whether words name a version of software: `v21`, `1.28`, `2.9.0`, "version 6", "the last
/// release", "a minor release", the changelog.
fn names_a_version(words: &[&str]) -> bool {
    let release = words.windows(2).any(|w| {
        matches!(
            w[0],
            "last" | "latest" | "new" | "newest" | "next" | "previous" | "this" | "major" | "minor" | "patch"
        ) && matches!(w[1], "release" | "releases" | "version" | "versions")
    });
    if release || words.iter().any(|w| matches!(*w, "changelog" | "changelogs")) {
        return true;
    }
    let number = |w: &str| {
        w.chars().next().is_some_and(|c| c.is_ascii_digit())
            && w.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    words.iter().enumerate().any(|(i, w)| {
        let v = w.strip_prefix('v').is_some_and(|rest| !rest.is_empty() && number(rest));
        let dotted = w.contains('.') && number(w);
        let after_version =
            i > 0 && matches!(words[i - 1], "version" | "versions" | "release" | "v") && number(w);
        v || dotted || after_version
    })
}

/// Objects and namespaces a question names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Names as typed (`web`, `prometheus`, `ip-10-0-3-17`), each matching an object.
    pub entities: Vec<String>,
    /// A word in the subject's place (`why is loki slow`) that names nothing in the cluster.
    pub unknown: Vec<String>,
    /// Namespace named (`in namespace shop`).
    pub namespace: Option<String>,
    /// Those of `entities` that only shorten a name (`checko` for `checkout`, `order` for
    /// `orders`): a word of the question as much as a name.
    pub shortened: Vec<String>,
}

/// Words that are never a subject's name.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "my",
    "our",
    "this",
    "that",
    "it",
    "there",
    "everything",
    "anything",
    "nothing",
    "all",
    "every",
    "some",
    "why",
    "what",
    "how",
    "where",
    "when",
    "which",
    "who",
    "is",
    "are",
    "not",
    "so",
    "very",
    "still",
    "now",
    "again",
    "being",
];

/// The word in the subject's place: `why is X …`, `why does X …`, `is X …`, `X is/keeps/won't …`.
fn subject_word<'a>(words: &[&'a str]) -> Option<&'a str> {
    const VERBS: &[&str] =
        &["is", "are", "does", "do", "did", "can't", "won't", "isn't", "doesn't", "has", "keeps"];
    let skip = |i: usize| {
        let mut i = i;
        while words.get(i).is_some_and(|w| NOT_NAMES.contains(w)) {
            i += 1;
        }
        words.get(i).copied()
    };
    match words {
        ["why", v, ..] if VERBS.contains(v) => skip(2),
        ["is" | "are", ..] => skip(1),
        [w, v, ..] if VERBS.contains(v) => Some(*w).filter(|w| !NOT_NAMES.contains(w)),
        _ => None,
    }
}

/// Words too common to be a name on their own: a cluster running `node-exporter`,
/// `cluster-autoscaler` or `metrics-server` must not turn "node", "cluster" or "metrics" into
/// one of them.
const COMMON: &[&str] = &[
    "node",
    "nodes",
    "cluster",
    "clusters",
    "metrics",
    "metric",
    "ingress",
    "kube",
    "server",
    "servers",
    "service",
    "services",
    "pod",
    "pods",
    "api",
    "app",
    "apps",
    "web",
    "default",
    "system",
    "controller",
    "manager",
    "proxy",
    "dns",
    "the",
    "namespace",
    "deployment",
    "deployments",
    "job",
    "jobs",
    "data",
    "config",
    "operator",
    "agent",
    "exporter",
    "worker",
    "workers",
    "storage",
    "volume",
    "network",
    "policy",
    "what",
    "why",
    "why's",
    "down",
];

/// Words about Kubernetes itself: not a name even when an object is called exactly that.
const GENERIC: &[&str] = &[
    "node",
    "nodes",
    "cluster",
    "clusters",
    "pod",
    "pods",
    "service",
    "services",
    "ingress",
    "namespace",
    "deployment",
    "deployments",
    "kube",
    "kubernetes",
    "k8s",
    "server",
    "metrics",
    "the",
    "what",
    "why",
];

/// Find the objects and namespace a question names: exact object names, a node's first DNS
/// label, or a word that is the first part of one workload's name (`prometheus` for
/// `prometheus-server`) or a unique prefix of it, scored by kind; common words never alone.
pub fn mentions(question: &str, vocab: &Vocabulary) -> Mentions {
    let q = question.to_lowercase();
    let written = words(&q);
    // "checkout's logs" names `checkout`.
    let words: Vec<&str> = written.iter().map(|w| w.strip_suffix("'s").unwrap_or(w)).collect();
    // "how do I collect kiali's logs": what a possessive names is the question's subject.
    let possessor = written
        .iter()
        .filter_map(|w| w.strip_suffix("'s"))
        .find(|w| !NOT_NAMES.contains(w) && !matches!(*w, "let" | "here"));
    let mut entities: Vec<String> = Vec::new();
    let mut shortened: Vec<String> = Vec::new();
    let namespace = vocab
        .namespaces
        .iter()
        .find(|ns| {
            words.contains(&ns.as_str())
                && (q.contains(&format!("namespace {ns}"))
                    || q.contains(&format!("in {ns}"))
                    || !vocab.workloads.iter().any(|(_, _, n)| n == *ns))
        })
        .cloned();
    for w in &words {
        if w.len() < 3 || namespace.as_deref() == Some(*w) {
            continue;
        }
        let exact = vocab.workloads.iter().any(|(kind, _, n)| {
            let n = n.to_lowercase();
            n == *w || (kind == "Node" && n.split('.').next() == Some(*w))
        }) || vocab.pods.iter().any(|p| p == w);
        let common = COMMON.contains(w);
        let generic = GENERIC.contains(w);
        // A shortened name covers most of its first part (`checko` for `checkout`): "store" is
        // a word of its own, not `storefront`.
        let shortens = |first: &str| w.len() >= 5 && first.starts_with(*w) && w.len() * 3 >= first.len() * 2;
        let first_part = |pred: &dyn Fn(&str) -> bool| {
            !common
                && !generic
                && w.len() >= 4
                && vocab.workloads.iter().any(|(kind, _, n)| {
                    let n = n.to_lowercase();
                    kind != "Node" && pred(n.split('-').next().unwrap_or_default())
                })
        };
        let whole = (exact && !generic) || first_part(&|first| first == *w);
        if (whole || first_part(&shortens)) && !entities.iter().any(|e| e == w) {
            entities.push((*w).to_string());
            if !whole {
                shortened.push((*w).to_string());
            }
        }
    }
    // A subject that names nothing the cluster runs: say so rather than answer about others.
    let unknown: Vec<String> = subject_word(&words)
        .or(possessor)
        .filter(|w| {
            !vocab.workloads.is_empty()
                && w.len() >= 3
                && entities.is_empty()
                && namespace.as_deref() != Some(*w)
                && !COMMON.contains(w)
                && !FAILURE_WORDS.contains(w)
                && !vocab.is_status(w)
                && !vocab.namespaces.iter().any(|n| n == w)
        })
        .map(|w| vec![w.to_string()])
        .unwrap_or_default();
    Mentions { entities, unknown, namespace, shortened }
}

pub(super) fn workload_ns(vocab: &Vocabulary, entity: &str) -> Option<String> {
    vocab.workloads.iter().find(|(_, _, n)| n.to_lowercase().starts_with(entity)).map(|(_, ns, _)| ns.clone())
}

/// How far back a "what changed" question looks: `last 30 minutes`, `past 2 hours`, `today`,
/// `since yesterday`; an hour when it does not say.
pub fn since(question: &str) -> jiff::SignedDuration {
    let q = question.to_lowercase();
    let words = words(&q);
    let unit = |w: &str| -> Option<i64> {
        Some(match w.trim_end_matches('s') {
            "minute" | "min" | "m" => 60,
            "hour" | "hr" | "h" => 3600,
            "day" | "d" => 86_400,
            "week" | "w" => 604_800,
            _ => return None,
        })
    };
    for (i, w) in words.iter().enumerate() {
        // `2h`, `30m`.
        if let Ok(d) = crate::graphs::parse_since(w) {
            return d;
        }
        if let Some(u) = unit(w) {
            let n = i
                .checked_sub(1)
                .and_then(|p| match words[p] {
                    "a" | "an" | "last" | "past" | "the" => Some(1),
                    x => x.parse::<i64>().ok(),
                })
                .unwrap_or(1);
            return jiff::SignedDuration::from_secs(n * u);
        }
    }
    if words.iter().any(|w| matches!(*w, "today" | "yesterday" | "overnight")) {
        return jiff::SignedDuration::from_hours(24);
    }
    jiff::SignedDuration::from_hours(1)
}
