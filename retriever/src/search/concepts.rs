//! The words documentation uses for what an on-call engineer describes: "the pods fail their
//! probes" is answered by a page on *health checks*, "controller can't list pods, forbidden" by
//! one on *RBAC*, "try it locally step by step" by a *tutorial*. Abbreviations have one other
//! form (see `query_text`); a situation has many ways to be told, and pages title it by the
//! name of the mechanism. Each concept below is a set of phrasings (matched as whole words of
//! the question) and the mechanism's names, appended to the lexical query at a fraction of a
//! question word's weight, so that they find a page the question's own words miss and rank
//! pages the question's words already found, without outweighing those words.
//!
//! The table is about operating software on Kubernetes and clouds in general: no product's
//! vocabulary, only the trade's.

/// How much an added name weighs against a word of the question (tantivy's boost).
const WEIGHT: f32 = 0.4;

/// Phrasings of a situation (lower case, whole words, in order) and the names documentation
/// gives the mechanism that handles it.
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
        ],
        &["tutorial", "quickstart", "getting started"],
    ),
    (
        &["probe", "probes", "liveness", "readiness", "unhealthy", "healthy"],
        &["health check", "health checks"],
    ),
    (
        &[
            "forbidden",
            "permission denied",
            "access denied",
            "not authorized",
            "unauthorized",
            "least privilege",
            "permissions",
            "permission",
            "not allowed to",
        ],
        &["rbac", "role", "authorization"],
    ),
    (
        &[
            "cpu usage",
            "memory usage",
            "spends its cpu",
            "spends its time",
            "spending cpu",
            "memory leak",
            "leaking memory",
            "heap",
            "cpu profile",
        ],
        &["profiling", "pprof"],
    ),
    (
        &["slow", "slower", "latency", "throughput", "per second", "load test", "speed up", "faster"],
        &["performance", "benchmark", "tuning"],
    ),
    (
        &[
            "reject",
            "rejects",
            "rejected",
            "refuse",
            "refused",
            "deny",
            "denied",
            "before they are applied",
            "before it is applied",
            "before applying",
        ],
        &["admission", "validation", "webhook"],
    ),
    (
        &[
            "restore",
            "restored",
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
            "remove it from the cluster",
            "remove from the cluster",
        ],
        &["uninstall", "uninstalling", "removal"],
    ),
    (
        &["new version", "newer version", "update to", "bump the version", "upgrading"],
        &["upgrade", "migration"],
    ),
    (&["migrate", "move from", "switch from", "coming from", "moving from"], &["migration", "migrating"]),
    (
        &["dashboard", "dashboards", "grafana", "observe", "keep an eye"],
        &["monitoring", "observability", "metrics"],
    ),
    (
        &["log level", "verbose", "verbosity", "more logs", "debug logs", "debug output"],
        &["logging", "log level"],
    ),
    (
        &["https", "ssl", "certificate", "certificates", "certs", "encrypt traffic", "encrypted traffic"],
        &["tls"],
    ),
    (
        &["password", "passwords", "credentials", "api key", "api keys", "log in", "sign in", "login"],
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
        ],
        &["proxy", "air gapped", "private registry", "mirror"],
    ),
    (
        &[
            "different nodes",
            "different zones",
            "same node",
            "same nodes",
            "across zones",
            "spread",
            "availability zones",
            "zones",
        ],
        &["affinity", "anti affinity", "topology", "scheduling"],
    ),
    (
        &["specific nodes", "certain nodes", "dedicated nodes", "only on nodes", "some nodes"],
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
            "node dies",
            "redundant",
            "redundancy",
            "single point of failure",
        ],
        &["high availability", "failover", "replicas"],
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
        ],
        &["multi cluster", "multicluster", "federation"],
    ),
    (
        &["another team", "other teams", "each team", "several teams", "multiple teams", "tenants", "tenant"],
        &["multi tenancy", "tenancy", "delegation"],
    ),
    (&["outside the cluster", "outside of the cluster", "outside kubernetes"], &["external"]),
    (
        &["ready made", "prebuilt", "pre built", "out of the box", "off the shelf"],
        &["library", "examples", "catalog"],
    ),
    (&["env var", "env vars", "environment variable", "environment variables"], &["environment", "env"]),
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
    (
        &["rotate", "rotated", "expire", "expires", "expiring", "expired", "renew", "renewed"],
        &["rotation", "renewal", "expiry"],
    ),
    (
        &["old data", "delete old", "clean up old", "keep for", "how long", "disk fills", "fills up"],
        &["retention", "compaction", "pruning"],
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
        ],
        &["storage", "capacity", "volume expansion", "resize"],
    ),
    (
        &["can't reach", "cannot reach", "unreachable", "connection refused", "timed out", "no route"],
        &["connectivity", "network", "troubleshooting"],
    ),
    (
        &["keeps restarting", "restarting", "crash", "crashes", "crashing"],
        &["crashloopbackoff", "troubleshooting"],
    ),
    (
        &["fit together", "how it works", "under the hood", "internals", "big picture"],
        &["architecture", "design", "overview"],
    ),
    (
        &["which version", "which versions", "supported versions", "compatible", "work with version"],
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
    (&["who changed", "who did", "audit trail", "track changes", "who deleted"], &["audit", "audit log"]),
    (
        &["notify", "notified", "notification", "slack", "email me", "paged", "page me"],
        &["notifications", "alerting"],
    ),
    (
        &["every night", "nightly", "every day", "every hour", "periodically", "on a schedule", "cron"],
        &["schedule", "scheduled", "cron"],
    ),
    (
        &["at once", "at the same time", "concurrent", "concurrently", "in parallel", "at most"],
        &["parallelism", "concurrency"],
    ),
    (
        &[
            "gradually",
            "gradual",
            "percent of traffic",
            "some of the traffic",
            "part of the traffic",
            "small share",
        ],
        &["canary", "traffic splitting", "progressive delivery"],
    ),
    (&["revert", "go back to the previous", "previous version"], &["rollback"]),
    (
        &["how big", "how many nodes", "sizing", "capacity planning", "how much hardware"],
        &["sizing", "capacity", "resource requirements"],
    ),
];

/// The names of the mechanisms the question describes (its words, lower case, in order), none
/// the question already says, each once.
pub(super) fn of_question(words: &[&str]) -> Vec<&'static str> {
    let has = |phrase: &str| {
        let parts: Vec<&str> =
            phrase.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        words.windows(parts.len()).any(|w| w == parts.as_slice())
    };
    let mut out: Vec<&'static str> = Vec::new();
    for (phrasings, names) in CONCEPTS {
        if !phrasings.iter().any(|p| has(p)) {
            continue;
        }
        for name in *names {
            if !has(name) && !out.contains(name) {
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

    fn words(text: &str) -> Vec<&str> {
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
    }

    #[test]
    fn a_described_situation_asks_for_its_mechanisms_names_weighed_less() {
        assert_eq!(of_question(&words("pods fail their probes")), ["health check", "health checks"]);
        assert_eq!(as_query("health check"), "\"health check\"^0.4");
        assert_eq!(as_query("rbac"), "rbac^0.4");
        // A phrasing is matched as whole words, in order, punctuation as a word break.
        assert_eq!(
            of_question(&words("controller can't list pods, forbidden")),
            ["rbac", "role", "authorization"]
        );
        assert!(of_question(&words("the probed endpoint")).is_empty(), "no part of a word");
        assert!(of_question(&words("by step")).is_empty(), "no part of a phrasing");
        assert!(of_question(&words("how do I configure the ingress")).is_empty());
    }

    #[test]
    fn a_name_the_question_says_or_two_concepts_share_is_asked_for_once() {
        // "restore" is both a phrasing and a name: the question says it already.
        assert_eq!(of_question(&words("restore last night")), ["recovery", "backup"]);
        // "troubleshooting" is a name of two concepts the question describes.
        let both = of_question(&words("pods keep restarting and cannot reach the database"));
        assert_eq!(both.iter().filter(|t| **t == "troubleshooting").count(), 1, "{both:?}");
    }

    #[test]
    fn every_phrasing_and_name_is_lower_case_words() {
        for (phrasings, names) in CONCEPTS {
            for text in phrasings.iter().chain(names.iter()) {
                assert!(!text.is_empty() && *text == text.to_lowercase(), "{text}");
                assert!(!text.contains(['"', '^', ':']), "{text}: no query syntax");
            }
        }
    }
}
