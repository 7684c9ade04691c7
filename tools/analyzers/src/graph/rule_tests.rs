//! The rule table's conformance cases: for every row, two facts it must link (the bad fixture)
//! and a healthy twin differing in the one thing the row's guard looks at, which it must not.

use jiff::{SignedDuration, Timestamp};
use rcagraph::schema::{EventType, K8sEvent, Node, NodeKind};
use serde_json::{Value, json};

use super::builder::{Builder, Class};
use super::rules::RULES;
use crate::rules::ObjRef;
use crate::rules::tests::capture;

const NOW: &str = "2026-01-01T01:00:00Z";

/// A fact of a fixture: its class, seconds after the window's start, object and root.
#[derive(Clone)]
struct F {
    class: Class,
    at: i64,
    object: &'static str,
    root: &'static str,
    host: Option<&'static str>,
    text: &'static str,
    reason: Option<&'static str>,
    images: &'static [&'static str],
    changed: &'static [&'static str],
    names: &'static [&'static str],
    affects: &'static [&'static str],
    inferred: bool,
}

fn f(class: Class, at: i64, object: &'static str, root: &'static str) -> F {
    F {
        class,
        at,
        object,
        root,
        host: None,
        text: "",
        reason: None,
        images: &[],
        changed: &[],
        names: &[],
        affects: &[],
        inferred: false,
    }
}

impl F {
    fn host(mut self, h: &'static str) -> F {
        self.host = Some(h);
        self
    }
    fn text(mut self, t: &'static str) -> F {
        self.text = t;
        self
    }
    fn reason(mut self, r: &'static str) -> F {
        self.reason = Some(r);
        self
    }
    fn images(mut self, i: &'static [&'static str]) -> F {
        self.images = i;
        self
    }
    fn changed(mut self, c: &'static [&'static str]) -> F {
        self.changed = c;
        self
    }
    fn names(mut self, n: &'static [&'static str]) -> F {
        self.names = n;
        self
    }
    fn affects(mut self, a: &'static [&'static str]) -> F {
        self.affects = a;
        self
    }
    fn inferred(mut self) -> F {
        self.inferred = true;
        self
    }
}

fn obj(s: &str) -> ObjRef {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [k, n] => ObjRef::new(k, "", n),
        [k, ns, n] => ObjRef::new(k, ns, n),
        _ => panic!("bad object {s}"),
    }
}

/// The edges (from fact index, to fact index, rule) the table draws between `facts`.
fn link(objects: &[Value], facts: &[F]) -> Vec<(usize, usize, String, String)> {
    let mut data = capture(objects, &[]);
    let now: Timestamp = NOW.parse().unwrap();
    data.info.captured_at = Some(now);
    let start = now.checked_sub(SignedDuration::from_hours(2)).unwrap();
    let mut b = Builder::new(&data, crate::rules::Index::build(&data), start, now, Vec::new());
    for (k, x) in facts.iter().enumerate() {
        let mut n = Node::new("", if x.reason.is_some() { NodeKind::K8sEvent } else { NodeKind::Symptom });
        n.time = Some(start.checked_add(SignedDuration::from_secs(x.at)).unwrap());
        n.time_inferred = x.inferred;
        n.event = x.reason.map(|r| K8sEvent {
            type_: EventType::Warning,
            reason: r.into(),
            message: Some(x.text.into()),
            count: None,
            first_seen: None,
            last_seen: None,
            reporting_component: None,
        });
        let i = b.add(&format!("f{k}"), n);
        b.fact(i, x.class, obj(x.object), obj(x.root), x.host.map(String::from), x.text.into());
        let fact = b.facts.last_mut().unwrap();
        fact.new_images = x.images.iter().map(ToString::to_string).collect();
        fact.changed = x.changed.iter().map(ToString::to_string).collect();
        fact.names = x.names.iter().map(ToString::to_string).collect();
        fact.affects = x.affects.iter().map(|o| obj(o)).collect();
    }
    super::rules::link_all(&mut b);
    // Symptoms are linked among themselves once the findings are in, as `symptoms` does.
    let n = b.facts.len();
    for i in 0..n {
        for j in 0..n {
            if b.facts[i].class == Class::Symptom && b.facts[j].class == Class::Symptom {
                super::rules::apply(&mut b, i, j);
            }
        }
    }
    let index = |id: &str| id.trim_start_matches('f').parse::<usize>().unwrap();
    b.edges
        .iter()
        .map(|e| {
            (
                index(&e.from),
                index(&e.to),
                e.method.clone().unwrap_or_default().trim_start_matches("rule:").to_string(),
                e.evidence[0]["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

struct Case {
    rule: &'static str,
    objects: Vec<Value>,
    bad: Vec<F>,
    healthy: Vec<F>,
    healthy_objects: Option<Vec<Value>>,
}

fn case(rule: &'static str, bad: Vec<F>, healthy: Vec<F>) -> Case {
    Case { rule, objects: Vec::new(), bad, healthy, healthy_objects: None }
}

const W: &str = "Deployment/shop/web";
const P: &str = "Pod/shop/web-1";

fn node_with_pressure(pressure: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
           "status": {"conditions": [{"type": "MemoryPressure", "status": if pressure { "True" } else { "False" }}]}})
}

fn cases() -> Vec<Case> {
    use Class as C;
    let hog_pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hog", "namespace": "a"},
                         "spec": {"nodeName": "n1", "containers": [{"name": "hog", "image": "hog:1"}]}});
    vec![
        case(
            "new-image-fails-to-pull",
            vec![
                f(C::Change, 0, W, W).images(&["web:2"]),
                f(C::ImagePull, 60, P, W).text("Failed to pull image \"web:2\": not found"),
            ],
            vec![
                f(C::Change, 0, W, W).images(&["web:2"]),
                f(C::ImagePull, 60, P, W).text("Failed to pull image \"web:1\": not found"),
            ],
        ),
        case(
            "probe-change-restarts",
            vec![f(C::Change, 0, W, W).changed(&["containers[web].probes"]), f(C::Crash, 120, P, W)],
            vec![f(C::Change, 0, W, W).changed(&["containers[web].resources"]), f(C::Crash, 120, P, W)],
        ),
        case(
            "config-change-crashes",
            vec![f(C::Change, 0, W, W).changed(&["containers[web].env.MODE"]), f(C::Crash, 120, P, W)],
            vec![f(C::Change, 0, W, W).changed(&["containers[web].env.MODE"]), f(C::Crash, 4000, P, W)],
        ),
        case(
            "rollout-precedes-failure",
            vec![f(C::Change, 0, W, W), f(C::Workload, 60, "ReplicaSet/shop/web-1", W)],
            vec![f(C::Change, 0, W, W), f(C::Workload, 60, "ReplicaSet/shop/api-1", "Deployment/shop/api")],
        ),
        case(
            "rollout-precedes-memory-growth",
            vec![f(C::Change, 0, W, W), f(C::Memory, 120, W, W)],
            vec![f(C::Change, 0, W, W), f(C::Memory, 120, "Deployment/shop/api", "Deployment/shop/api")],
        ),
        case(
            "policy-change-blocks-traffic",
            vec![f(C::Policy, 0, "NetworkPolicy/shop/deny", W), f(C::Crash, 300, P, W)],
            vec![
                f(C::Policy, 0, "NetworkPolicy/shop/deny", W),
                f(C::Crash, 300, "Pod/shop/api-1", "Deployment/shop/api"),
            ],
        ),
        case(
            "quota-blocks-creates",
            vec![
                f(C::Quota, 0, "ResourceQuota/shop/compute", "ResourceQuota/shop/compute"),
                f(C::Workload, 60, "ReplicaSet/shop/web-1", W)
                    .text("Error creating: pods \"web-1-x\" is forbidden: exceeded quota: compute"),
            ],
            vec![
                f(C::Quota, 0, "ResourceQuota/shop/compute", "ResourceQuota/shop/compute"),
                f(C::Workload, 60, "ReplicaSet/shop/web-1", W)
                    .text("Error creating: pods \"web-1-x\" is forbidden: violates PodSecurity"),
            ],
        ),
        case(
            "node-change-blocks-scheduling",
            vec![
                f(C::NodeChange, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W).text("0/2 nodes are available: 2 node(s) were unschedulable"),
            ],
            vec![
                f(C::NodeChange, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W).text("0/2 nodes are available: 2 Insufficient cpu"),
            ],
        ),
        case(
            "memory-growth-oom-kill",
            vec![f(C::Memory, 0, W, W).text("n1"), f(C::OomKill, 60, P, W).host("n1")],
            vec![
                f(C::Memory, 0, W, W).text("n1"),
                f(C::OomKill, 60, "Pod/shop/api-1", "Deployment/shop/api").host("n2"),
            ],
        ),
        Case {
            rule: "unbounded-memory-exhausts-node",
            objects: vec![hog_pod.clone()],
            bad: vec![
                f(C::Memory, 0, "Pod/a/hog", "Pod/a/hog").text("n1"),
                f(C::NodeMem, 60, "Node/n1", "Node/n1")
                    .host("n1")
                    .text("System OOM encountered, victim process: hog, pid: 7"),
            ],
            healthy: vec![
                f(C::Memory, 0, "Pod/a/hog", "Pod/a/hog").text("n1"),
                f(C::NodeMem, 60, "Node/n1", "Node/n1")
                    .host("n1")
                    .text("System OOM encountered, victim process: java, pid: 7"),
            ],
            healthy_objects: None,
        },
        case(
            "unbounded-memory-pressures-node",
            vec![f(C::Memory, 0, W, W).text("n1"), f(C::NodeMem, 60, "Node/n1", "Node/n1").host("n1")],
            vec![f(C::Memory, 0, W, W).text("n1"), f(C::NodeMem, 60, "Node/n2", "Node/n2").host("n2")],
        ),
        case(
            "node-oom-kills-pods",
            vec![f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"), f(C::OomKill, 60, P, W).host("n1")],
            vec![f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"), f(C::OomKill, 600, P, W).host("n1")],
        ),
        case(
            "memory-pressure-evicts",
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Evict, 60, P, W).host("n1").reason("Evicted"),
            ],
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Evict, 60, P, W).host("n1").reason("Preempted"),
            ],
        ),
        case(
            "memory-exhaustion-starves-kubelet",
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::NotReady, 600, "Node/n1", "Node/n1").host("n1"),
            ],
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::NotReady, 600, "Node/n2", "Node/n2").host("n2"),
            ],
        ),
        case(
            "node-pressure-fails-probes",
            vec![f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n1")],
            vec![f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n2")],
        ),
        case(
            "memory-pressure-continues",
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::NodeMem, 60, "Node/n1", "Node/n1").host("n1").reason("SystemOOM"),
            ],
            vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::NodeMem, 60, "Node/n2", "Node/n2").host("n2"),
            ],
        ),
        Case {
            rule: "pressure-taint-blocks-scheduling",
            objects: vec![node_with_pressure(true)],
            bad: vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W)
                    .text("1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }"),
            ],
            healthy: vec![
                f(C::NodeMem, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W)
                    .text("1 node(s) had untolerated taint {node.kubernetes.io/memory-pressure: }"),
            ],
            healthy_objects: Some(vec![node_with_pressure(false)]),
        },
        case(
            "not-ready-taint-evicts",
            vec![f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"), f(C::Evict, 60, P, W).host("n1")],
            vec![f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"), f(C::Evict, 60, P, W).host("n2")],
        ),
        case(
            "not-ready-fails-probes",
            vec![f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n1")],
            vec![f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n2")],
        ),
        case(
            "unreachable-taint-blocks-scheduling",
            vec![
                f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W)
                    .text("1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
            ],
            vec![
                f(C::NotReady, 0, "Node/n1", "Node/n1").host("n1"),
                f(C::Sched, 60, P, W).text("2 Insufficient memory"),
            ],
        ),
        case(
            "eviction-forces-replacement",
            vec![f(C::Evict, 0, P, W), f(C::Workload, 60, "ReplicaSet/shop/web-1", W)],
            vec![f(C::Evict, 0, P, P), f(C::Workload, 60, P, P)],
        ),
        case(
            "rescheduled-load-pressures-node",
            vec![
                f(C::Resched, 0, "Node/n2", W).host("n2"),
                f(C::NodeMem, 60, "Node/n2", "Node/n2").host("n2"),
            ],
            vec![
                f(C::Resched, 0, "Node/n2", W).host("n2"),
                f(C::NodeMem, 60, "Node/n3", "Node/n3").host("n3"),
            ],
        ),
        case(
            "oom-kill-restarts",
            vec![f(C::OomKill, 0, P, W), f(C::Crash, 60, P, W)],
            vec![f(C::OomKill, 0, P, W), f(C::Crash, 60, "Pod/shop/web-2", W)],
        ),
        case(
            "pull-failure-backs-off",
            vec![
                f(C::ImagePull, 0, P, W).reason("ErrImagePull"),
                f(C::ImagePull, 60, P, W).reason("ImagePullBackOff"),
            ],
            vec![
                f(C::ImagePull, 0, P, W).reason("ErrImagePull"),
                f(C::ImagePull, 60, P, W).reason("ErrImagePull"),
            ],
        ),
        case(
            "dns-failure-breaks-clients",
            vec![
                f(C::Symptom, 0, "Deployment/kube-system/coredns", "Deployment/kube-system/coredns")
                    .affects(&[W]),
                f(C::Symptom, 0, W, W).text("curl: (6) Could not resolve host: api.shop"),
            ],
            vec![
                f(C::Symptom, 0, "Deployment/kube-system/coredns", "Deployment/kube-system/coredns")
                    .affects(&["Deployment/shop/api"]),
                f(C::Symptom, 0, W, W).text("curl: (6) Could not resolve host: api.shop"),
            ],
        ),
        case(
            "dependency-down-fails-callers",
            vec![
                f(C::Symptom, 0, "Service/shop/db", "Service/shop/db").names(&[
                    "db",
                    "db.shop",
                    "10.96.14.3",
                ]),
                f(C::Symptom, 0, W, W).text("Error: connect ECONNREFUSED 10.96.14.3:5432"),
            ],
            vec![
                f(C::Symptom, 0, "Service/shop/db", "Service/shop/db").names(&[
                    "db",
                    "db.shop",
                    "10.96.14.3",
                ]),
                f(C::Symptom, 0, W, W).text("Error: reading dbconfig.yaml: permission denied"),
            ],
        ),
        case(
            "node-churn",
            vec![f(C::NodeChurn, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n1")],
            vec![f(C::NodeChurn, 0, "Node/n1", "Node/n1").host("n1"), f(C::Crash, 60, P, W).host("n2")],
        ),
    ]
}

#[test]
fn every_rule_links_its_fixture_and_not_its_healthy_twin() {
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.rule).collect();
    names.sort_unstable();
    let mut table: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    table.sort_unstable();
    assert_eq!(names, table, "one case per row of the table");
    for c in &cases {
        let bad = link(&c.objects, &c.bad);
        assert!(
            bad.iter().any(|(from, to, rule, _)| (*from, *to) == (0, 1) && rule == c.rule),
            "{}: the fixture is not linked by it: {bad:?}",
            c.rule
        );
        let healthy = link(c.healthy_objects.as_deref().unwrap_or(&c.objects), &c.healthy);
        assert!(
            !healthy.iter().any(|(_, _, rule, _)| rule == c.rule),
            "{}: the healthy twin is linked by it: {healthy:?}",
            c.rule
        );
    }
}

#[test]
fn edges_never_point_back_in_time_and_say_when_precedence_is_assumed() {
    use Class as C;
    let backwards = link(&[], &[f(C::Change, 600, W, W), f(C::Crash, 60, P, W)]);
    assert!(backwards.iter().all(|(from, to, _, _)| !(*from == 0 && *to == 1)), "{backwards:?}");
    let observed = link(&[], &[f(C::Change, 0, W, W), f(C::Crash, 60, P, W)]);
    assert_eq!(observed[0].3, "temporal_precedence");
    let inferred =
        link(&[], &[f(C::Memory, 0, W, W).text("n1").inferred(), f(C::OomKill, 60, P, W).host("n1")]);
    assert_eq!(inferred[0].3, "assumed_precedence", "{inferred:?}");
}

#[test]
fn a_policy_change_reaches_what_people_see_however_long_before_the_capture() {
    use Class as C;
    let edges =
        link(&[], &[f(C::Policy, 0, "NetworkPolicy/shop/deny", W), f(C::Symptom, 5000, W, W).inferred()]);
    assert!(edges.iter().any(|e| (e.0, e.1) == (0, 1) && e.2 == "policy-change-blocks-traffic"), "{edges:?}");
    let crash_later = link(&[], &[f(C::Policy, 0, "NetworkPolicy/shop/deny", W), f(C::Crash, 5000, P, W)]);
    assert!(!crash_later.iter().any(|e| e.2 == "policy-change-blocks-traffic"), "{crash_later:?}");
}
