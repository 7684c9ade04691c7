use super::*;

#[test]
fn intents_are_routed() {
    for (q, want) in [
        ("why are grafana and prometheus unreachable?", Intent::Failure),
        ("what is wrong in namespace shop", Intent::Failure),
        ("what does checkout depend on", Intent::Architecture),
        ("where is the orders database defined", Intent::Architecture),
        ("how do I see the logs of the crashed container", Intent::Script),
        ("explain graphs/incident.json", Intent::Graph),
    ] {
        assert_eq!(intent(q), want, "{q}");
    }
}

#[test]
fn workloads_and_namespaces_are_recognised() {
    let vocab = Vocabulary {
        workloads: vec![
            ("Deployment".into(), "monitoring".into(), "grafana".into()),
            ("StatefulSet".into(), "monitoring".into(), "prometheus-server".into()),
            ("Deployment".into(), "shop".into(), "checkout".into()),
        ],
        namespaces: vec!["shop".into(), "monitoring".into()],
    };
    let m = mentions("Why are Grafana and Prometheus unreachable?", &vocab);
    assert_eq!(m.entities, ["grafana", "prometheus"]);
    let m = mentions("what is wrong in namespace shop", &vocab);
    assert_eq!((m.entities.len(), m.namespace.as_deref()), (0, Some("shop")));
}
