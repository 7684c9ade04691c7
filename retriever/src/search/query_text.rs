//! A question's text before it is parsed: the other form of each abbreviation it uses, the
//! names of the situations it describes, and the identifiers in it
//! (`google_container_node_pool.pools`, `cluster.x-k8s.io/paused`), which name a thing exactly
//! and are searched as such.

use tantivy::Term;
use tantivy::query::{PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

/// Kubernetes and cloud abbreviations and their long forms: a question in one form finds
/// pages written in the other. Ambiguous short forms (`ca`, `ns`, `cm`) are left out.
const SYNONYMS: &[(&str, &str)] = &[
    ("oom", "out of memory"),
    ("oomkilled", "out of memory"),
    ("hpa", "horizontal pod autoscaler"),
    ("vpa", "vertical pod autoscaler"),
    ("pvc", "persistent volume claim"),
    ("pv", "persistent volume"),
    ("sa", "service account"),
    ("rbac", "role based access control"),
    ("lb", "load balancer"),
    ("alb", "application load balancer"),
    ("nlb", "network load balancer"),
    ("k8s", "kubernetes"),
    ("crd", "custom resource definition"),
    ("pdb", "pod disruption budget"),
    ("irsa", "iam roles for service accounts"),
    ("asg", "autoscaling group"),
    ("kms", "key management service"),
    ("netpol", "network policy"),
    ("configmap", "config map"),
    ("statefulset", "stateful set"),
    ("daemonset", "daemon set"),
    ("nodegroup", "node group"),
    ("ttl", "time to live"),
    ("mtls", "mutual tls"),
    ("cni", "container network interface"),
    ("csi", "container storage interface"),
    ("cri", "container runtime interface"),
    ("pss", "pod security standards"),
    ("psa", "pod security admission"),
    ("psp", "pod security policy"),
    ("qos", "quality of service"),
    ("dra", "dynamic resource allocation"),
    ("svc", "service"),
    ("ha", "high availability"),
    ("dr", "disaster recovery"),
    ("gc", "garbage collection"),
    ("sg", "security group"),
    ("oidc", "openid connect"),
    ("sso", "single sign on"),
    ("jwt", "json web token"),
    ("slo", "service level objective"),
    ("elb", "elastic load balancer"),
    ("ebs", "elastic block store"),
    ("efs", "elastic file system"),
    ("ecr", "elastic container registry"),
    ("eks", "elastic kubernetes service"),
    ("aks", "azure kubernetes service"),
    ("gke", "google kubernetes engine"),
    ("vpc", "virtual private cloud"),
    ("rps", "requests per second"),
    ("qps", "queries per second"),
    ("tps", "transactions per second"),
    ("sli", "service level indicator"),
    ("sla", "service level agreement"),
    ("rto", "recovery time objective"),
    ("rpo", "recovery point objective"),
    ("acl", "access control list"),
    ("waf", "web application firewall"),
    ("cdn", "content delivery network"),
    ("mfa", "multi factor authentication"),
    ("dlq", "dead letter queue"),
    ("ipam", "ip address management"),
    ("nat", "network address translation"),
    ("sni", "server name indication"),
    ("mtu", "maximum transmission unit"),
    ("fqdn", "fully qualified domain name"),
    ("otel", "opentelemetry"),
    ("e2e", "end to end"),
];

/// Two-letter short forms also read in the plural (`PVs`, `LBs`): the others' plurals are words
/// ("has", "gcs" for Google Cloud Storage).
const TWO_LETTER_PLURALS: &[&str] = &["pv", "lb", "sg"];

/// The particles of English phrasal verbs whose nouns are written as one word: a question says
/// "log in", "fail over", "clean up", "back up", the documentation `login`, `failover`,
/// `cleanup`, `backup`. Only these: joining any two words ("client ip", "read only") matches
/// API fields written in camel case (`clientIP`, `readOnly`) and took reference pages to the
/// top (measured: documentation mean MRR −0.002; with particles only +0.003).
const PARTICLES: &[&str] = &["in", "up", "over", "out", "back", "down", "off", "on"];

/// The question with the other form of each abbreviation or long form it uses appended (as a
/// phrase for long forms), the one-word noun of each phrasal verb, so either spelling matches,
/// and `names` (those of the situations it describes: see [`described`]), weighed less than its
/// own words. Text with query syntax is left alone.
pub(super) fn expanded(text: &str, names: &[&str]) -> String {
    let Some(prose) = prose(text) else {
        return text.to_string();
    };
    let words = words(&prose);
    // A form is said in the singular or the plural (`PVCs`, "persistent volume claims").
    let is = |word: &str, form: &str| word == form || word.strip_suffix('s') == Some(form);
    let has_phrase = |p: &str| {
        let parts: Vec<&str> = p.split(' ').collect();
        words.windows(parts.len()).any(|w| {
            let (last, head) = w.split_last().expect("windows are never empty");
            head == &parts[..parts.len() - 1] && is(last, parts[parts.len() - 1])
        })
    };
    let has_short = |short: &str| {
        let plural = short.len() > 2 || TWO_LETTER_PLURALS.contains(&short);
        words.iter().any(|w| *w == short || (plural && is(w, short)))
    };
    let mut extra: Vec<String> = Vec::new();
    for (short, long) in SYNONYMS {
        if has_short(short) && !has_phrase(long) {
            extra.push(if long.contains(' ') { format!("\"{long}\"") } else { (*long).to_string() });
        } else if has_phrase(long) && !has_short(short) {
            extra.push((*short).to_string());
        }
    }
    // A phrasal verb also asks for its noun: "fail over" for `failover` (see PARTICLES). The
    // noun is made of the verb's plain form: "paused on" and "logs in" name nothing.
    for pair in words.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let plain = !(a.ends_with("ed") || a.ends_with("ing") || a.ends_with('s'));
        if a.len() >= 2 && plain && PARTICLES.contains(&b) && a.chars().all(|c| c.is_ascii_alphabetic()) {
            extra.push(format!("{a}{b}"));
        }
    }
    extra.dedup();
    extra.extend(names.iter().map(|n| super::concepts::as_query(n)));
    if extra.is_empty() { text.to_string() } else { format!("{text} {}", extra.join(" ")) }
}

impl super::Searcher {
    /// The names of the mechanisms a question describes without naming them, which search also
    /// asks for at less weight than the question's words (see `concepts`): what tells a reader
    /// why a page on *health checks* answers "pods fail their probes".
    pub fn described(&self, text: &str) -> Vec<&'static str> {
        described(&camel_case_whole(&self.plain(text)))
    }
}

/// The names documentation gives the situations the question describes (see `concepts`), for
/// what it means as well as for its words; none for text with query syntax.
pub(super) fn described(text: &str) -> Vec<&'static str> {
    prose(text).map(|p| super::concepts::of_question(&p)).unwrap_or_default()
}

/// The question's prose in lower case, or `None` if it uses query syntax (it is searched as
/// written). An identifier's parts are not words of the question: `cluster.x-k8s.io/paused`
/// does not ask about Kubernetes.
fn prose(text: &str) -> Option<String> {
    if text.contains(['"', ':', '(', ')']) {
        return None;
    }
    Some(text.split_whitespace().filter(|t| !is_identifier(t)).collect::<Vec<_>>().join(" ").to_lowercase())
}

/// Prose's words: what lies between characters that are neither letters nor digits.
fn words(prose: &str) -> Vec<&str> {
    prose.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// The question with its camel-case words in lower case: the index holds `CrashLoopBackOff`
/// whole as well as in parts (see [`crate::tokens::Words`]), and a question naming it means
/// that word, not "crash", "loop", "back" and "off" anywhere.
pub(super) fn camel_case_whole(text: &str) -> String {
    if !text.split_whitespace().any(crate::tokens::is_camel_case) {
        return text.to_string();
    }
    text.split(' ')
        .map(|w| if crate::tokens::is_camel_case(w) { w.to_lowercase() } else { w.to_string() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a word of a question is an identifier: letters or digits joined by `_`, `.` or `/`
/// (a resource address, an annotation, a flag's value, a file), not a word with a full stop.
pub(super) fn is_identifier(token: &str) -> bool {
    let t = trimmed(token);
    t.len() >= 4
        && t.chars().next().is_some_and(char::is_alphanumeric)
        && t.chars().any(|c| matches!(c, '_' | '.' | '/'))
        && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
}

/// A word without the quotes and sentence punctuation around it.
pub(super) fn trimmed(token: &str) -> &str {
    token
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ',' | ';' | '?' | '!' | '(' | ')' | '.' | ':'))
}

/// Each identifier of the question as a phrase of the title field: the block or page titled by
/// the identifier the question names (`google_container_node_pool.pools`) is what it asks for,
/// not the many short blocks that mention it. `None` without identifiers.
pub(super) fn title_identifiers(
    analyzer: &mut TextAnalyzer,
    title: Field,
    text: &str,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(tantivy::query::Occur, Box<dyn Query>)> = Vec::new();
    for token in text.split_whitespace().filter(|t| is_identifier(t)) {
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(trimmed(token));
        while let Some(t) = stream.next() {
            terms.push(Term::from_field_text(title, &t.text));
        }
        let query: Box<dyn Query> = match terms.len() {
            0 => continue,
            1 => Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::WithFreqs)),
            _ => Box::new(PhraseQuery::new(terms)),
        };
        clauses.push((tantivy::query::Occur::Should, query));
    }
    (!clauses.is_empty()).then(|| Box::new(tantivy::query::BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// What a question asks of a Terraform configuration's blocks, beyond its words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Asks {
    /// It asks about outputs ("which output has the cluster endpoint"): outputs are answers,
    /// not re-exports of the answer.
    pub outputs: bool,
    /// It asks where a thing is made ("where is the NAT gateway created", "the node group
    /// resource"), not which knob sets it: the block that creates it is the answer, not the
    /// variables and outputs that describe it in fewer, denser words.
    pub where_made: bool,
    /// It asks for a knob ("which variable", "enable", "set"): variables are answers.
    pub knob: bool,
    /// It asks, in words of making, which block makes a thing ("where is the NAT gateway
    /// created", "which resource creates the subnets"): the pages that tell of the thing are
    /// not the answer either.
    pub block_making: bool,
    /// It asks which versions of Terraform or of a provider a configuration needs (it says
    /// "version" or "provider" as written: "versioning" of a bucket is not a version).
    pub versions: bool,
}

/// Words that make a question about a configuration's outputs: outputs by name, and the
/// attributes other configurations and applications take from one (an ARN, an ID, an
/// endpoint).
const OUTPUT_WORDS: &[&str] = &[
    "output",
    "outputs",
    "export",
    "exports",
    "exported",
    "return",
    "returns",
    "arn",
    "arns",
    "id",
    "ids",
    "endpoint",
    "endpoints",
    "consume",
    "consumes",
];
/// Words of making, which with "where" ask for the block that makes a thing.
const MAKING_WORDS: &[&str] = &[
    "create",
    "created",
    "creates",
    "made",
    "make",
    "makes",
    "defined",
    "define",
    "defines",
    "declared",
    "provisioned",
    "provisions",
    "built",
    "builds",
];
/// Words that ask for a knob, not for the thing: such a question wants variables.
const KNOB_WORDS: &[&str] = &[
    "variable",
    "variables",
    "input",
    "inputs",
    "option",
    "options",
    "setting",
    "settings",
    "flag",
    "toggle",
    "whether",
    "enable",
    "disable",
    "configure",
    "configurable",
    "set",
    "change",
    "pass",
    "argument",
    "parameter",
];

/// What `text` asks of a configuration's blocks (see [`Asks`]).
pub(super) fn asks(text: &str) -> Asks {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let resource = words.iter().any(|w| matches!(*w, "resource" | "resources"));
    let making = (words.contains(&"where") && has(MAKING_WORDS)) || resource;
    // "get the kubeconfig out of terraform", "get the role from the module"
    let taking = words.contains(&"get") && words.iter().any(|w| matches!(*w, "out" | "from"));
    let outputs = has(OUTPUT_WORDS) || taking;
    let knob = has(KNOB_WORDS);
    let where_made = making && !knob && !outputs;
    // "resources should not be deleted" says "resources" of Kubernetes, not of a module.
    let block_making = where_made && has(MAKING_WORDS);
    let versions = words.iter().any(|w| matches!(*w, "version" | "versions" | "provider" | "providers"));
    Asks { outputs, where_made, knob, block_making, versions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SearchQuery, Searcher};

    #[test]
    fn the_block_an_identifier_titles_comes_before_the_blocks_that_mention_it() {
        // A long resource block, and short outputs that name it more densely.
        let cluster = crate::test_docs::long_resource("google_container_node_pool", "pools", 40);
        let mut outputs = String::new();
        for i in 0..6 {
            outputs.push_str(&format!(
                "output \"pool_{i}\" {{\n  value = google_container_node_pool.pools[*].name_{i}\n}}\n"
            ));
        }
        let index = crate::test_docs::index_files(&[("cluster.tf", &cluster), ("outputs.tf", &outputs)]);
        let s = Searcher::open(index.path()).unwrap();
        let hits = s.search(&SearchQuery {
            text: "google_container_node_pool.pools".into(),
            limit: 3,
            ..Default::default()
        });
        assert_eq!(hits.unwrap()[0].title, "google_container_node_pool.pools");
    }

    #[test]
    fn questions_of_making_outputs_and_knobs_are_told_apart() {
        let made = Asks { where_made: true, block_making: true, ..Asks::default() };
        let knob = Asks { knob: true, ..Asks::default() };
        for (question, asked) in [
            ("where is the NAT gateway created", made),
            ("Where are the extra node pools defined?", made),
            ("managed node group resource and its scaling settings", knob),
            ("the managed node group resource", Asks { where_made: true, ..Asks::default() }),
            ("which resource creates the subnets", made),
            ("which variable sets where the cluster is created", knob),
            ("which output returns the cluster endpoint", Asks { outputs: true, ..Asks::default() }),
            ("nodes never join the cluster", Asks::default()),
        ] {
            assert_eq!(asks(question), asked, "{question}");
        }
    }

    #[test]
    fn a_kind_written_in_camel_case_is_found_by_its_words_and_named_whole() {
        let index = crate::test_docs::index_files(&[
            ("pdb.md", "# Budgets\n\nCreate a PodDisruptionBudget for the app.\n"),
            ("loops.md", "# Crash loop\n\nA crash in a loop: back off, crash, back off, loop.\n"),
            (
                "crashes.md",
                "# Restarts\n\nThe pod is in CrashLoopBackOff: its container exits, and the kubelet waits longer before each restart.\n",
            ),
        ]);
        let s = Searcher::open(index.path()).unwrap();
        let first = |text: &str| {
            s.search(&SearchQuery { text: text.into(), limit: 1, ..Default::default() }).unwrap()[0]
                .title
                .clone()
        };
        assert_eq!(first("pod disruption budget"), "Budgets");
        assert_eq!(first("CrashLoopBackOff"), "Restarts");
        assert_eq!(
            camel_case_whole("pods in CrashLoopBackOff AND NotReady"),
            "pods in crashloopbackoff AND notready"
        );
    }

    #[test]
    fn identifiers_are_told_from_words() {
        for (token, identifier) in [
            ("google_container_node_pool.pools", true),
            ("cluster.x-k8s.io/paused", true),
            ("`max_unavailable_percentage`?", true),
            ("values.yaml", true),
            ("pods.", false),
            ("e.g", false),
            ("out-of-memory", false),
            ("k8s", false),
            ("/", false),
        ] {
            assert_eq!(is_identifier(token), identifier, "{token}");
        }
        // An identifier's parts do not ask for their long forms.
        assert_eq!(expanded("cluster.x-k8s.io/paused", &[]), "cluster.x-k8s.io/paused");
        assert_eq!(expanded("paused on k8s", &[]), "paused on k8s kubernetes");
    }

    #[test]
    fn a_form_in_the_plural_finds_the_other_form() {
        for (question, searched) in [
            ("stuck PVCs", "stuck PVCs \"persistent volume claim\""),
            ("which security groups apply", "which security groups apply sg"),
            ("old PVs", "old PVs \"persistent volume\""),
            ("more requests per second", "more requests per second rps"),
            // A two-letter form's plural is often a word of its own.
            ("it has high availability", "it has high availability ha"),
            ("read from gcs", "read from gcs"),
        ] {
            assert_eq!(expanded(question, &[]), searched, "{question}");
        }
    }
}
