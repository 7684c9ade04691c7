//! The words documentation uses for what an on-call engineer describes: "the pods fail their
//! probes" is answered by a page on *health checks*, "controller can't list pods, forbidden" by
//! one on *RBAC*, "try it locally step by step" by a *tutorial*. Abbreviations have one other
//! form (see `query_text`); a situation has many ways to be told, and pages title it by the
//! name of the mechanism. Each concept below is a set of phrasings and the mechanism's names,
//! appended to the lexical query at a fraction of a question word's weight, so that they find a
//! page the question's own words miss and rank pages the question's words already found,
//! without outweighing those words.
//!
//! A phrasing is matched on stemmed words, in order ("probes" is "probe", "restarting" is
//! "restart"), and `*` in it stands for one to three words of any kind ("remove * from the
//! cluster" is "remove kubevirt from the cluster"). The table is about operating software on
//! Kubernetes and clouds in general: no product's vocabulary, only the trade's.

use std::sync::LazyLock;

use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

/// How much an added name weighs against a word of the question (tantivy's boost).
const WEIGHT: f32 = 0.4;

/// How many words a `*` of a phrasing stands for, at most.
const GAP: usize = 3;

/// Phrasings of a situation and the names documentation gives the mechanism that handles it.
const CONCEPTS: &[(&[&str], &[&str])] = &[
    (
        &[
            "step by step",
            "walkthrough",
            "walk through",
            "walk me through",
            "hands on",
            "first steps",
            "try it locally",
            "try it out",
            "try out",
            "play with",
        ],
        &["tutorial", "quickstart", "getting started"],
    ),
    (
        &[
            "probe",
            "liveness",
            "readiness",
            "unhealthy",
            "healthy",
            "stops answering",
            "stops responding",
            "stop responding",
        ],
        &["health check", "liveness", "readiness"],
    ),
    (
        &[
            "forbidden",
            "permission denied",
            "access denied",
            "not authorized",
            "unauthorized",
            "least privilege",
            "permission",
            "not allowed to",
            "who can",
            "only admins",
            "but not create",
            "but not delete",
            "but not change",
            "read only access",
        ],
        &["rbac", "role", "authorization"],
    ),
    (
        &[
            "profile",
            "profiling",
            "cpu usage",
            "memory usage",
            "spends its cpu",
            "spends its time",
            "spending cpu",
            "memory leak",
            "leaking memory",
            "heap dump",
        ],
        &["profiling", "pprof"],
    ),
    (
        &["slow", "latency", "throughput", "per second", "load test", "speed up", "faster"],
        &["performance", "benchmark", "tuning"],
    ),
    (
        &[
            "reject",
            "refuse",
            "deny",
            "before they are applied",
            "before it is applied",
            "before applying",
            "before it is stored",
            "before they are stored",
        ],
        &["admission", "validation", "webhook"],
    ),
    (
        &[
            "restore",
            "recover",
            "undo",
            "point in time",
            "dropped a table",
            "deleted by mistake",
            "accidentally deleted",
            "lost data",
        ],
        &["recovery", "backup", "restore"],
    ),
    (
        &[
            "uninstall",
            "get rid of",
            "tear down",
            "teardown",
            "remove * from the cluster",
            "delete * from the cluster",
            "remove it completely",
            "clean removal",
        ],
        &["uninstall", "uninstalling", "removal", "deletion"],
    ),
    (
        &["new version", "newer version", "new release", "update to", "bump the version"],
        &["upgrade", "migration"],
    ),
    (&["migrate", "move from", "switch from", "coming from", "moving from"], &["migration", "migrating"]),
    (
        &["dashboard", "grafana", "observe", "keep an eye", "web ui", "ui", "web console", "graph"],
        &["monitoring", "observability", "metrics", "dashboard", "visualization"],
    ),
    (
        &["log level", "verbose", "verbosity", "more logs", "debug logs", "debug output"],
        &["logging", "log level", "verbosity"],
    ),
    (
        &[
            "https",
            "ssl",
            "certificate",
            "certs",
            "encrypt traffic",
            "encrypted traffic",
            "encrypt the traffic",
        ],
        &["tls"],
    ),
    (
        &[
            "our own certificate",
            "own certificates",
            "custom certificate",
            "bring our own",
            "bring your own",
            "built in certificates",
        ],
        &["cert manager", "custom certificates"],
    ),
    (
        &["password", "credentials", "api key", "log in", "sign in", "login", "token", "identity provider"],
        &["authentication", "credentials"],
    ),
    (
        &[
            "behind a proxy",
            "corporate proxy",
            "firewall",
            "air gapped",
            "airgapped",
            "no internet",
            "disconnected",
            "offline",
            "cannot pull",
            "can't pull",
            "cannot reach the registry",
            "docker hub",
            "rate limited by docker",
        ],
        &["proxy", "air gapped", "private registry", "mirror"],
    ),
    (
        &[
            "different nodes",
            "different zones",
            "same node",
            "across zones",
            "spread",
            "availability zone",
            "zone",
            "same rack",
            "rack",
        ],
        &["affinity", "anti affinity", "topology", "scheduling"],
    ),
    (
        &[
            "specific nodes",
            "certain nodes",
            "dedicated nodes",
            "only on nodes",
            "some nodes",
            "nodes with a * label",
            "nodes with label",
        ],
        &["node selector", "affinity", "taints", "tolerations"],
    ),
    (
        &[
            "how much memory",
            "how much cpu",
            "memory limit",
            "cpu limit",
            "limit memory",
            "limit cpu",
            "limit its memory",
            "limit its cpu",
        ],
        &["resources", "requests", "limits"],
    ),
    (
        &[
            "survive",
            "node failure",
            "goes down",
            "went down",
            "node dies",
            "redundant",
            "redundancy",
            "single point of failure",
        ],
        &["high availability", "failover", "replicas"],
    ),
    (
        &["without downtime", "no downtime", "zero downtime", "hitless", "while it runs", "while running"],
        &["zero downtime", "live", "graceful", "rolling"],
    ),
    (
        &[
            "several clusters",
            "multiple clusters",
            "many clusters",
            "across clusters",
            "other clusters",
            "another cluster",
            "each cluster",
            "worker clusters",
            "management cluster",
        ],
        &["multi cluster", "multicluster", "federation"],
    ),
    (
        &[
            "another team",
            "other teams",
            "each team",
            "several teams",
            "multiple teams",
            "per team",
            "tenant",
        ],
        &["multi tenancy", "tenancy", "delegation", "quota"],
    ),
    (
        &["outside the cluster", "outside of the cluster", "outside kubernetes", "on a vm", "bare metal"],
        &["external"],
    ),
    (
        &["ready made", "prebuilt", "pre built", "out of the box", "off the shelf", "predefined"],
        &["library", "examples", "catalog", "common"],
    ),
    (&["env var", "environment variable"], &["environment", "env"]),
    (
        &[
            "shut down",
            "shut it down",
            "shutdown",
            "turn off",
            "turn it off",
            "stop temporarily",
            "over the weekend",
            "scale to zero",
        ],
        &["suspend", "hibernation", "hibernate", "pause"],
    ),
    (&["dry run", "preview", "what would change", "without applying"], &["dry run", "diff"]),
    (&["rotate", "expire", "expiring", "renew"], &["rotation", "renewal", "expiry"]),
    (
        &[
            "old data",
            "delete old",
            "clean up old",
            "keep for",
            "how long to keep",
            "disk fills",
            "fills up",
            "pile up",
            "delete them after",
        ],
        &["retention", "garbage collection", "cleanup", "ttl"],
    ),
    (
        &[
            "disk full",
            "out of space",
            "no space left",
            "volume full",
            "storage full",
            "more disk",
            "bigger disk",
            "grow a volume",
        ],
        &["storage", "capacity", "volume expansion", "resize"],
    ),
    (
        &["can't reach", "cannot reach", "unreachable", "connection refused", "timed out", "no route"],
        &["connectivity", "network", "troubleshooting"],
    ),
    (
        &["hang", "takes too long", "take too long", "give up after", "wait too long", "stuck waiting"],
        &["timeout", "timeouts"],
    ),
    (
        &["keeps restarting", "restart loop", "restarts over and over", "crash"],
        &["crashloopbackoff", "troubleshooting"],
    ),
    (
        &["fit together", "how it works", "under the hood", "internals", "big picture"],
        &["architecture", "design", "overview"],
    ),
    (
        &["which version", "supported versions", "compatible", "work with version"],
        &["compatibility", "supported versions"],
    ),
    (
        &[
            "from source",
            "compile",
            "hack on",
            "contribute",
            "development environment",
            "run its tests",
            "run the tests",
        ],
        &["development", "developer", "contributing", "building"],
    ),
    (&["stream changes", "replicate", "copy changes", "change data capture", "cdc"], &["replication"]),
    (
        &["copy * traffic", "copy * requests", "duplicate * traffic", "shadow traffic", "shadow requests"],
        &["mirroring", "mirror"],
    ),
    (
        &[
            "percent of",
            "percentage of",
            "share of traffic",
            "part of the traffic",
            "some of the traffic",
            "gradually",
            "gradual",
        ],
        &["canary", "traffic splitting", "weight", "progressive delivery"],
    ),
    (
        &["same backend", "same pod", "same server", "same instance", "same replica", "sticky"],
        &["session persistence", "sticky sessions", "session affinity"],
    ),
    (&["who changed", "who did", "audit trail", "track changes", "who deleted"], &["audit", "audit log"]),
    (
        &["notify", "notification", "slack", "email me", "page me", "page someone"],
        &["notifications", "alerting"],
    ),
    (&["every night", "every day", "every hour", "on a schedule", "cron"], &["schedule", "cron"]),
    (
        &["at once", "at the same time", "concurrent", "in parallel", "at most"],
        &["parallelism", "concurrency"],
    ),
    (&["revert", "go back to the previous", "previous version"], &["rollback"]),
    (
        &[
            "how big",
            "how many nodes",
            "capacity planning",
            "how much hardware",
            "predefined sizes",
            "t shirt sizes",
        ],
        &["sizing", "capacity", "resource requirements", "instance types"],
    ),
    (
        &[
            "when they do not name",
            "when none is given",
            "if none is set",
            "when not set",
            "automatically when",
        ],
        &["default"],
    ),
    (&["long running web service", "long running service", "stateless app"], &["deployment"]),
];

/// One part of a phrasing: a stemmed word, or `*` (one to [`GAP`] words).
#[derive(Debug, PartialEq)]
enum Part {
    Word(String),
    Gap,
}

/// The table analysed once: each concept's phrasings as parts, and its names as stemmed words
/// (to tell one the question already says) beside their text.
struct Concept {
    phrasings: Vec<Vec<Part>>,
    names: Vec<(Vec<String>, &'static str)>,
}

static TABLE: LazyLock<Vec<Concept>> = LazyLock::new(|| {
    let mut analyzer = analyzer();
    CONCEPTS
        .iter()
        .map(|(phrasings, names)| Concept {
            phrasings: phrasings
                .iter()
                .map(|p| {
                    p.split_whitespace()
                        .flat_map(|w| {
                            if w == "*" {
                                vec![Part::Gap]
                            } else {
                                stemmed(&mut analyzer, w).into_iter().map(Part::Word).collect()
                            }
                        })
                        .collect()
                })
                .collect(),
            names: names.iter().map(|n| (stemmed(&mut analyzer, n), *n)).collect(),
        })
        .collect()
});

/// Words as phrasings are compared: split at anything not a letter or digit, lower case,
/// stemmed; no stop words dropped ("at once" is not "once").
pub(super) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// `text`'s words as [`analyzer`] reads them.
pub(super) fn stemmed(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    crate::phrases::analysed(analyzer, text)
}

/// Whether `parts` occur in `words` from `at` on.
fn matches_at(words: &[String], at: usize, parts: &[Part]) -> bool {
    match parts.split_first() {
        None => true,
        Some((Part::Word(w), rest)) => {
            words.get(at).is_some_and(|x| x == w) && matches_at(words, at + 1, rest)
        }
        Some((Part::Gap, rest)) => {
            (1..=GAP).any(|n| at + n <= words.len() && matches_at(words, at + n, rest))
        }
    }
}

/// Whether `parts` occur anywhere in `words`.
fn occurs(words: &[String], parts: &[Part]) -> bool {
    !parts.is_empty() && (0..words.len()).any(|at| matches_at(words, at, parts))
}

/// The names of the mechanisms the question describes (`words`: its words as [`stemmed`]
/// reads them), none the question already says, each once.
pub(super) fn of_question(words: &[String]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for concept in TABLE.iter() {
        if !concept.phrasings.iter().any(|p| occurs(words, p)) {
            continue;
        }
        for (stems, name) in &concept.names {
            let said = words.windows(stems.len()).any(|w| w == stems.as_slice());
            if !said && !out.contains(name) {
                out.push(name);
            }
        }
    }
    out
}

/// A name as query syntax, weighed [`WEIGHT`] of a question's word (a phrase quoted).
pub(super) fn as_query(name: &str) -> String {
    if name.contains(' ') { format!("\"{name}\"^{WEIGHT}") } else { format!("{name}^{WEIGHT}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(text: &str) -> Vec<&'static str> {
        of_question(&stemmed(&mut analyzer(), text))
    }

    #[test]
    fn a_described_situation_asks_for_its_mechanisms_names_weighed_less() {
        assert_eq!(described("pods fail their probes"), ["health check", "liveness", "readiness"]);
        assert_eq!(as_query("health check"), "\"health check\"^0.4");
        assert_eq!(as_query("rbac"), "rbac^0.4");
        // Punctuation breaks words; stems match ("forbidden" as written, "probes" as "probe").
        assert_eq!(described("controller can't list pods, forbidden"), ["rbac", "role", "authorization"]);
        assert!(described("the probationary period").is_empty(), "a stem of its own");
        assert!(described("by step").is_empty(), "no part of a phrasing");
        assert!(described("how do I configure the ingress").is_empty());
    }

    #[test]
    fn a_gap_stands_for_one_to_three_words() {
        assert!(described("remove kubevirt from the cluster").contains(&"uninstall"));
        assert!(described("remove the virt operator from the cluster").contains(&"uninstall"));
        assert!(!described("remove it safely from one of the nodes of the cluster").contains(&"uninstall"));
        assert!(!described("remove from the cluster").contains(&"uninstall"), "a gap is one word at least");
    }

    #[test]
    fn a_name_the_question_says_or_two_concepts_share_is_asked_for_once() {
        // "restore" is both a phrasing and a name: the question says it already.
        assert_eq!(described("restore last night"), ["recovery", "backup"]);
        // "troubleshooting" is a name of two concepts the question describes.
        let both = described("pods keep restarting and cannot reach the database");
        assert_eq!(both.iter().filter(|t| **t == "troubleshooting").count(), 1, "{both:?}");
    }

    #[test]
    fn every_phrasing_and_name_is_lower_case_words_and_no_phrasing_is_only_a_gap() {
        for (phrasings, names) in CONCEPTS {
            for text in phrasings.iter().chain(names.iter()) {
                assert!(!text.is_empty() && *text == text.to_lowercase(), "{text}");
                assert!(!text.contains(['"', '^', ':']), "{text}: no query syntax");
            }
        }
        for concept in TABLE.iter() {
            for p in &concept.phrasings {
                assert!(p.iter().any(|part| matches!(part, Part::Word(_))), "{p:?}");
                assert_ne!(p.first(), Some(&Part::Gap), "{p:?}: a gap between words only");
                assert_ne!(p.last(), Some(&Part::Gap), "{p:?}: a gap between words only");
            }
        }
    }
}
