use super::*;

fn vocab() -> Vocabulary {
    Vocabulary {
        workloads: vec![
            ("Deployment".into(), "monitoring".into(), "grafana".into()),
            ("StatefulSet".into(), "monitoring".into(), "prometheus-server".into()),
            ("Deployment".into(), "shop".into(), "checkout".into()),
            ("DaemonSet".into(), "monitoring".into(), "node-exporter".into()),
            ("Deployment".into(), "kube-system".into(), "cluster-autoscaler".into()),
            ("Deployment".into(), "kube-system".into(), "metrics-server".into()),
            ("Node".into(), String::new(), "ip-10-0-1-88.eu-west-1.compute.internal".into()),
        ],
        namespaces: vec!["shop".into(), "monitoring".into(), "kube-system".into()],
        pods: vec!["checkout-7d9f-abcde".into()],
        statuses: ["crashloopbackoff", "oomkilled", "pending"].into_iter().map(String::from).collect(),
    }
}

#[test]
fn intents_are_routed() {
    let v = vocab();
    for (q, want) in [
        ("why are grafana and prometheus unreachable?", Intent::Failure),
        ("what is wrong in namespace shop", Intent::Failure),
        ("CrashLoopBackOff in namespace shop", Intent::Failure),
        ("pods are OOMKilled", Intent::Failure),
        ("checkout is returning 502s", Intent::Failure),
        ("requests to checkout time out", Intent::Failure),
        ("why can't storefront reach checkout", Intent::Failure),
        ("what changed in the last hour?", Intent::Changes),
        ("what was deployed today", Intent::Changes),
        ("who changed the checkout deployment", Intent::Changes),
        // How to do something, not what happened: the documents answer it.
        ("deploy immediately on every git push", Intent::Architecture),
        ("run a migration job before the new pods roll out", Intent::Architecture),
        // An instruction that names an object of the cluster is still an instruction.
        ("change the checkout deployment's upstream DNS servers", Intent::Architecture),
        ("give the checkout team read-only access to their own apps only", Intent::Architecture),
        ("only allow the frontend to call checkout", Intent::Architecture),
        ("please give the checkout team read-only access", Intent::Architecture),
        ("kubectl command to list the checkout pods", Intent::Script),
        // Saying what kubectl does is not asking for a command.
        (
            "history of events for a certificate, kubectl describe only shows the last hour",
            Intent::Architecture,
        ),
        // How the software behaves is in its documents, trouble words or not.
        ("the operator was down for an hour, will it catch up on what changed", Intent::Architecture),
        ("issuance failed, does it retry and how long does it wait", Intent::Architecture),
        ("what happens to volumes when a node goes down", Intent::Architecture),
        // Asking why is trouble, whatever "it" is.
        ("why does it keep restarting", Intent::Failure),
        // Trouble with kubectl is trouble.
        ("kubectl top says metrics not available", Intent::Failure),
        // A change word in a statement is not a question about history.
        ("run a migration job before the app is rolled out", Intent::Architecture),
        ("remove the tool but keep everything it deployed running", Intent::Architecture),
        ("did anyone change a configmap yesterday", Intent::Changes),
        // A release of the software, not the cluster's history.
        ("what changed in version 6 of the module", Intent::Architecture),
        ("what changed between 1.27 and 1.28", Intent::Architecture),
        ("breaking changes when upgrading to v21", Intent::Architecture),
        ("what changed in the last 2 hours", Intent::Changes),
        ("what changed in the last release", Intent::Architecture),
        ("what changed in the last release of checkout", Intent::Changes),
        ("what breaking changes can a minor release bring", Intent::Architecture),
        ("what breaks when moving to the new major version", Intent::Architecture),
        // A release's lifecycle, not the history of the cluster where it runs.
        ("which prometheus releases get long term support", Intent::Architecture),
        ("is grafana 9 still a supported version", Intent::Architecture),
        ("which checkout releases are compatible with the new payments api", Intent::Architecture),
        ("what was deployed to checkout in release 42", Intent::Changes),
        // Every cluster has a Service called `kubernetes`: the word names no object.
        ("register another kubernetes cluster as a deploy target", Intent::Architecture),
        ("why did checkout fail after the deploy", Intent::Failure),
        ("what does checkout depend on", Intent::Architecture),
        ("where is the orders database defined", Intent::Architecture),
        ("how do I see the logs of the crashed container", Intent::Script),
        ("explain graphs/incident.json", Intent::Graph),
        // A product's JSON file named in a question about its documents is not a graph.
        ("block layout in object storage and meta.json", Intent::Architecture),
        ("build the causal graph of the outage in namespace monitoring", Intent::Graph),
        ("show me the graph of this incident", Intent::Graph),
        // A graph on a dashboard is not the incident's causal graph.
        ("graph experiment events next to our metrics", Intent::Architecture),
        // The names of a product's signals and settings are in its documents, trouble or not.
        ("which prometheus metrics show sync errors", Intent::Architecture),
        ("what permissions does grafana need", Intent::Architecture),
        ("which pods show errors", Intent::Failure),
        // Nor is a graph of something else: a product's own, which its documents show.
        ("draw the graph of objects contour built", Intent::Architecture),
        ("draw the graph of the outage", Intent::Graph),
    ] {
        assert_eq!(intent(q, &v, &mentions(q, &v)), want, "{q}");
    }
}

#[test]
fn objects_and_namespaces_are_recognised_without_common_words() {
    let v = vocab();
    let m = mentions("Why are Grafana and Prometheus unreachable?", &v);
    assert_eq!(m.entities, ["grafana", "prometheus"]);
    let m = mentions("what is wrong in namespace shop", &v);
    assert_eq!((m.entities.len(), m.namespace.as_deref()), (0, Some("shop")));
    // node-exporter, cluster-autoscaler and metrics-server do not make these words names.
    let m = mentions("why is the node not ready, and are cluster metrics missing?", &v);
    assert!(m.entities.is_empty(), "{:?}", m.entities);
    // A node by its first DNS label, a pod by its full name.
    let m = mentions("what is wrong with node ip-10-0-1-88", &v);
    assert_eq!(m.entities, ["ip-10-0-1-88"]);
    // A shortened name is one; a word that only begins one is not ("store" is not `storefront`).
    let v2 = Vocabulary {
        workloads: vec![
            ("Deployment".into(), "shop".into(), "storefront".into()),
            ("Deployment".into(), "kube-system".into(), "kubernetes-dashboard".into()),
        ],
        ..vocab()
    };
    assert!(mentions("generate a password and store it as a secret", &v2).entities.is_empty());
    // Words about Kubernetes itself are not the first part of a name either.
    assert!(mentions("give an app a bucket through a kubernetes claim", &v2).entities.is_empty());
    assert_eq!(mentions("kubernetes-dashboard is down", &v2).entities, ["kubernetes-dashboard"]);
    assert_eq!(mentions("why is storefr slow", &v2).entities, ["storefr"]);
    // A shortened name alone, with neither trouble nor a change, is a word of the question.
    let v3 = Vocabulary { workloads: vec![("Deployment".into(), "shop".into(), "orders".into())], ..vocab() };
    for (q, want) in [
        ("which kafka versions can we upgrade to in which order", Intent::Architecture),
        ("why is order failing", Intent::Failure),
        ("orders in namespace shop", Intent::Failure),
    ] {
        assert_eq!(intent(q, &v3, &mentions(q, &v3)), want, "{q}");
    }
    assert_eq!(mentions("why is order failing", &v3).shortened, ["order"]);
    let m = mentions("why does checkout-7d9f-abcde restart", &v);
    assert!(m.entities.contains(&"checkout-7d9f-abcde".to_string()), "{:?}", m.entities);
}

#[test]
fn a_possessive_names_the_subject_known_or_not() {
    let v = vocab();
    let m = mentions("how do I see checkout's logs", &v);
    assert_eq!((m.entities.as_slice(), m.unknown.len()), (["checkout".to_string()].as_slice(), 0));
    // Software the cluster does not run is the subject all the same: its documents answer.
    let m = mentions("how do I collect kiali's logs for a bug report", &v);
    assert_eq!((m.entities.len(), m.unknown.as_slice()), (0, ["kiali".to_string()].as_slice()));
    // Contractions are not possessives.
    for q in ["what's the log level of it's sidecar", "let's see the logs", "how do I see the logs"] {
        assert!(mentions(q, &v).unknown.is_empty(), "{q}");
    }
}

#[test]
fn the_window_of_a_changes_question_is_read_from_it() {
    for (q, secs) in [
        ("what changed in the last hour?", 3600),
        ("what changed in the last 30 minutes", 1800),
        ("what was deployed in the past 2 hours", 7200),
        ("what changed since 90m", 5400),
        ("what changed today", 86_400),
        ("what changed?", 3600),
    ] {
        assert_eq!(since(q).as_secs(), secs, "{q}");
    }
}

#[test]
fn how_to_questions_no_cluster_script_knows_go_to_the_documents() {
    use super::script::{Topic, topic};
    assert!(topic("how do I see the logs of the crashed container") == Topic::Logs);
    assert!(topic("how do I restart checkout") == Topic::Rollout);
    assert!(topic("how do I stop deploys from going out on friday afternoons") == Topic::Other);
}
