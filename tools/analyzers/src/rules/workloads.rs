//! Workload rules: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, HPA, PDB.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use super::index::event_line;
use super::{cause, cron};
use cluster::data::ClusterData;
use cluster::kind::Kind;
use cluster::query::{condition, has_condition};
use cluster::selector::Selector;

fn obj(kind: &str, m: &ObjectMeta) -> ObjRef {
    ObjRef::new(kind, m.namespace.as_deref().unwrap_or(""), m.name.as_deref().unwrap_or(""))
}

/// Severity and state of a rule that also fires during healthy rollouts (R9).
fn transient(in_progress: bool, nothing_ready: bool) -> (Severity, &'static str) {
    match (in_progress, nothing_ready) {
        (true, _) => (Severity::Info, "in progress"),
        (false, true) => (Severity::Error, "stuck"),
        (false, false) => (Severity::Warning, "stuck"),
    }
}

/// Every workload rule.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let now = data.now();
    let o = &data.objects;

    for d in &o.deployments {
        let me = obj("Deployment", &d.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let spec = d.spec.clone().unwrap_or_default();
        let st = d.status.clone().unwrap_or_default();
        let desired = spec.replicas.unwrap_or(1);
        let ready = st.ready_replicas.unwrap_or(0);
        let current = st.replicas.unwrap_or(0);
        let progressing = d
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Progressing"));
        let deadline = i64::from(spec.progress_deadline_seconds.unwrap_or(600));
        let in_progress = progressing.is_some_and(|c| {
            c.status == "True"
                && c.reason.as_deref() != Some("NewReplicaSetAvailable")
                && c.last_update_time.as_ref().is_some_and(|t| now.as_second() - t.0.as_second() <= deadline)
        });
        let hint = kubectl("describe", "deployment", &ns, &name);
        if desired != ready {
            let (sev, state) = transient(in_progress, ready == 0 && desired > 0);
            let counts = format!("desired {desired}, current {current}, ready {ready}");
            let rule = if current > desired { "DEP-1" } else { "DEP-2" };
            let msg = if rule == "DEP-1" {
                format!("more pods exist than desired and not all desired are ready ({counts})")
            } else {
                format!("{ready} of {desired} replicas ready ({counts})")
            };
            let mut h = Hit::new(
                rule,
                sev,
                me.clone(),
                me.clone(),
                msg,
                vec![format!("status: {counts}")],
                hint.clone(),
            );
            h.state = Some(state);
            out.push(h);
        }
        if let Some(c) = progressing.filter(|c| c.status == "False") {
            let new_rs = c.message.clone().unwrap_or_default();
            out.push(Hit::new(
                "DEP-3",
                Severity::Error,
                me.clone(),
                me.clone(),
                format!("rollout is stuck: {} — {new_rs}", c.reason.clone().unwrap_or_default()),
                vec![format!(
                    "condition Progressing=False {}: {new_rs}",
                    c.reason.clone().unwrap_or_default()
                )],
                format!("kubectl rollout status deployment/{name} -n {ns}"),
            ));
        }
    }

    for r in &o.replica_sets {
        let me = obj("ReplicaSet", &r.metadata);
        let st = r.status.clone().unwrap_or_default();
        if let Some(c) = st.conditions.iter().flatten().find(|c| {
            c.type_ == "ReplicaFailure" && c.status == "True" && c.reason.as_deref() == Some("FailedCreate")
        }) {
            let sev = if st.replicas == 0 { Severity::Error } else { Severity::Warning };
            let msg = c.message.clone().unwrap_or_default();
            let partial = if st.replicas == 0 { "" } else { " (some replicas exist)" };
            out.push(
                Hit::new(
                    "RS-1",
                    sev,
                    me.clone(),
                    index.root("ReplicaSet", &r.metadata),
                    format!("controller cannot create pods{partial}: {msg}"),
                    vec![format!("ReplicaSet/{}: condition ReplicaFailure FailedCreate: {msg}", me.name)],
                    kubectl("describe", "replicaset", &me.namespace, &me.name),
                )
                .cause(cause::admission(&msg).unwrap_or("unknown/insufficient-evidence"))
                .detail("message", &msg),
            );
        }
    }

    for s in &o.stateful_sets {
        let me = obj("StatefulSet", &s.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let spec = s.spec.clone().unwrap_or_default();
        let st = s.status.clone().unwrap_or_default();
        let hint = kubectl("describe", "statefulset", &ns, &name);
        match spec.service_name.as_deref().filter(|n| !n.is_empty()) {
            None => out.push(Hit::new(
                "STS-1",
                Severity::Warning,
                me.clone(),
                me.clone(),
                "no serviceName set: pods get no stable network identity".into(),
                vec!["spec.serviceName is empty".into()],
                hint.clone(),
            )),
            Some(svc) => {
                if index.exists(Kind::Service, &ns, svc) == Ok(false) {
                    out.push(Hit::new(
                        "STS-1",
                        Severity::Error,
                        me.clone(),
                        me.clone(),
                        format!("governing Service {svc} does not exist"),
                        vec![format!("spec.serviceName={svc}; no Service {ns}/{svc}")],
                        format!("kubectl get service {svc} -n {ns}"),
                    ));
                }
            }
        }
        for t in spec.volume_claim_templates.iter().flatten() {
            if let Some(sc) = t.spec.as_ref().and_then(|s| s.storage_class_name.as_deref())
                && index.exists(Kind::StorageClass, "", sc) == Ok(false)
            {
                out.push(Hit::new(
                    "STS-2",
                    Severity::Error,
                    me.clone(),
                    me.clone(),
                    format!(
                        "volume claim template {} uses StorageClass {sc}, which does not exist",
                        t.metadata.name.as_deref().unwrap_or("")
                    ),
                    vec![format!("volumeClaimTemplates[].spec.storageClassName={sc}")],
                    "kubectl get storageclass".into(),
                ));
            }
        }
        let desired = spec.replicas.unwrap_or(1);
        let available = st.available_replicas.unwrap_or(0);
        if desired != available {
            let pods = index.pods_of(&me);
            let pod_named =
                |i: i32| pods.iter().find(|p| p.metadata.name.as_deref() == Some(&format!("{name}-{i}")));
            let in_progress =
                st.current_revision != st.update_revision || st.observed_generation < s.metadata.generation;
            let (sev, state) = transient(in_progress, available == 0);
            let mut h = if pod_named(0).is_none() {
                let e = index
                    .events_for("StatefulSet", &ns, &name, s.metadata.uid.as_deref())
                    .into_iter()
                    .filter(|e| e.is_warning())
                    .max_by_key(|e| e.last);
                let why = e.map_or_else(|| "no event explains it".into(), |e| e.message.clone());
                Hit::new(
                    "STS-3",
                    sev,
                    me.clone(),
                    me.clone(),
                    format!("StatefulSet cannot create pod {name}-0: {why}"),
                    e.map(|e| vec![event_line(e, now)]).unwrap_or_default(),
                    hint.clone(),
                )
            } else {
                let bad: Vec<String> = (0..desired)
                    .filter_map(|i| match pod_named(i) {
                        None => Some(format!("{name}-{i} (missing)")),
                        Some(p) => {
                            let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
                            let ready =
                                p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| {
                                    c.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                                });
                            let node = p
                                .spec
                                .as_ref()
                                .and_then(|s| s.node_name.clone())
                                .map(|n| format!(" on node {n}"))
                                .unwrap_or_default();
                            if phase != "Running" {
                                Some(format!("{name}-{i} ({phase}{node})"))
                            } else if !ready {
                                Some(format!("{name}-{i} (Running, not ready{node})"))
                            } else {
                                None
                            }
                        }
                    })
                    .collect();
                Hit::new(
                    "STS-3",
                    sev,
                    me.clone(),
                    me.clone(),
                    format!(
                        "{available} of {desired} pods available; unavailable: {}",
                        if bad.is_empty() { "none listed".into() } else { bad.join(", ") }
                    ),
                    bad.iter().map(|b| format!("pod {b}")).collect(),
                    hint.clone(),
                )
            };
            h.state = Some(state);
            out.push(h);
        }
    }

    for d in &o.daemon_sets {
        let me = obj("DaemonSet", &d.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let st = d.status.clone().unwrap_or_default();
        if st.number_ready < st.desired_number_scheduled {
            let nodes: Vec<String> = index
                .pods_of(&me)
                .into_iter()
                .filter(|p| {
                    !p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
                })
                .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
                .collect();
            let in_progress = st.updated_number_scheduled.unwrap_or(st.desired_number_scheduled)
                < st.desired_number_scheduled;
            let (sev, state) = transient(in_progress, st.number_ready == 0);
            let mut h = Hit::new(
                "DS-1",
                sev,
                me.clone(),
                me.clone(),
                format!(
                    "only {} of {} daemon pods are ready{}",
                    st.number_ready,
                    st.desired_number_scheduled,
                    if nodes.is_empty() {
                        String::new()
                    } else {
                        format!(" (not ready on {})", nodes.join(", "))
                    }
                ),
                nodes.iter().map(|n| format!("not ready on node {n}")).collect(),
                kubectl("describe", "daemonset", &ns, &name),
            );
            h.state = Some(state);
            out.push(h);
        }
        for s in d
            .spec
            .iter()
            .flat_map(|s| s.template.spec.iter())
            .flat_map(|s| s.image_pull_secrets.iter().flatten())
        {
            if index.exists(Kind::Secret, &ns, &s.name) == Ok(false) {
                out.push(Hit::new(
                    "DS-2",
                    Severity::Error,
                    me.clone(),
                    me.clone(),
                    format!("image pull Secret {} does not exist", s.name),
                    vec![format!("spec.template.spec.imagePullSecrets: {}", s.name)],
                    format!("kubectl get secret {} -n {ns}", s.name),
                ));
            }
        }
    }

    for j in &o.jobs {
        let me = obj("Job", &j.metadata);
        let root = index.root("Job", &j.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let st = j.status.clone().unwrap_or_default();
        if j.spec.as_ref().and_then(|s| s.suspend).unwrap_or(false) {
            out.push(Hit::new(
                "JOB-1",
                Severity::Info,
                me.clone(),
                root.clone(),
                "Job is suspended".into(),
                vec!["spec.suspend=true".into()],
                kubectl("describe", "job", &ns, &name),
            ));
        }
        let failed = st.failed.unwrap_or(0);
        let done = has_condition(st.conditions.as_ref(), "Complete")
            || has_condition(st.conditions.as_ref(), "SuccessCriteriaMet");
        if failed > 0 && !done {
            let is_failed = condition(st.conditions.as_ref(), "Failed").filter(|c| c.0 == "True");
            let mut ev = vec![format!("status.failed={failed}")];
            let (sev, state, msg) = match &is_failed {
                Some((_, reason, message)) => {
                    ev.push(format!("condition Failed=True {reason}: {message}"));
                    let limit =
                        if reason == "BackoffLimitExceeded" { "; the retry limit was reached" } else { "" };
                    (
                        Severity::Error,
                        "stuck",
                        format!("Job failed after {failed} failed pod(s){limit}: {message}"),
                    )
                }
                None => (
                    Severity::Warning,
                    "in progress",
                    format!("Job is retrying ({failed} failure(s) so far)"),
                ),
            };
            if let Some(e) = index.latest_with("Job", &j.metadata, &["BackoffLimitExceeded"]) {
                ev.push(event_line(e, now));
            }
            let mut h = Hit::new(
                "JOB-2",
                sev,
                me.clone(),
                root.clone(),
                msg,
                ev,
                format!("kubectl logs job/{name} -n {ns}"),
            );
            h.state = Some(state);
            out.push(h);
        }
    }

    for c in &o.cron_jobs {
        let me = obj("CronJob", &c.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let spec = c.spec.clone().unwrap_or_default();
        let hint = kubectl("describe", "cronjob", &ns, &name);
        if spec.suspend.unwrap_or(false) {
            out.push(Hit::new(
                "CJ-1",
                Severity::Info,
                me.clone(),
                me.clone(),
                "CronJob is suspended".into(),
                vec!["spec.suspend=true".into()],
                hint.clone(),
            ));
            continue;
        }
        if let Err(why) = cron::validate(&spec.schedule) {
            out.push(Hit::new(
                "CJ-2",
                Severity::Error,
                me.clone(),
                me.clone(),
                format!("schedule {:?} is invalid: {why}", spec.schedule),
                vec![format!("spec.schedule={:?}", spec.schedule)],
                hint.clone(),
            ));
        }
        if let Some(d) = spec.starting_deadline_seconds.filter(|d| *d < 0) {
            out.push(Hit::new(
                "CJ-3",
                Severity::Error,
                me.clone(),
                me.clone(),
                format!("starting deadline is negative ({d} s): no run can ever start"),
                vec![format!("spec.startingDeadlineSeconds={d}")],
                hint.clone(),
            ));
        }
        let last = o
            .jobs
            .iter()
            .filter(|j| {
                j.metadata.namespace.as_deref() == Some(&ns)
                    && j.metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.kind == "CronJob" && r.name == name)
            })
            .max_by_key(|j| j.metadata.creation_timestamp.as_ref().map(|t| t.0));
        if let Some(j) = last
            && let Some((_, reason, message)) =
                condition(j.status.as_ref().and_then(|s| s.conditions.as_ref()), "Failed")
                    .filter(|c| c.0 == "True")
        {
            let jn = j.metadata.name.clone().unwrap_or_default();
            out.push(Hit::new(
                "CJ-4",
                Severity::Error,
                me.clone(),
                me.clone(),
                format!("scheduled runs are failing: last Job {jn} failed ({reason})"),
                vec![format!("Job/{jn}: condition Failed=True {reason}: {message}")],
                format!("kubectl logs job/{jn} -n {ns}"),
            ));
        }
    }

    for h in &o.hpas {
        let me = obj("HorizontalPodAutoscaler", &h.metadata);
        let (ns, name) = (me.namespace.clone(), me.name.clone());
        let Some(spec) = h.spec.clone() else { continue };
        let st = h.status.clone().unwrap_or_default();
        let hint = kubectl("describe", "hpa", &ns, &name);
        let min = spec.min_replicas.unwrap_or(1);
        for c in st.conditions.iter().flatten() {
            let (reason, message) =
                (c.reason.clone().unwrap_or_default(), c.message.clone().unwrap_or_default());
            if c.type_ == "ScalingLimited"
                && c.status == "True"
                && !(reason == "TooFewReplicas" && st.desired_replicas == min)
            {
                out.push(Hit::new(
                    "HPA-1",
                    Severity::Warning,
                    me.clone(),
                    me.clone(),
                    format!("scaling is limited: {reason}: {message}"),
                    vec![format!("condition ScalingLimited=True {reason}: {message}")],
                    hint.clone(),
                ));
            }
            if (c.type_ == "AbleToScale" || c.type_ == "ScalingActive") && c.status == "False" {
                out.push(Hit::new(
                    "HPA-2",
                    Severity::Error,
                    me.clone(),
                    me.clone(),
                    format!(
                        "autoscaler {}: {reason}: {message}",
                        if c.type_ == "AbleToScale" { "cannot scale" } else { "cannot compute replicas" }
                    ),
                    vec![format!("condition {}=False {reason}: {message}", c.type_)],
                    hint.clone(),
                ));
            }
        }
        let target = &spec.scale_target_ref;
        let target_kind = match target.kind.as_str() {
            "Deployment" => Some(Kind::Deployment),
            "StatefulSet" => Some(Kind::StatefulSet),
            "ReplicaSet" => Some(Kind::ReplicaSet),
            // Core kinds that have no scale subresource; custom kinds may have one (R10).
            "DaemonSet" | "Pod" | "Service" | "Job" | "CronJob" | "ConfigMap" => {
                out.push(Hit::new(
                    "HPA-3",
                    Severity::Error,
                    me.clone(),
                    me.clone(),
                    format!("targets {} {}, a kind with no scale subresource", target.kind, target.name),
                    vec![format!("spec.scaleTargetRef.kind={}", target.kind)],
                    hint.clone(),
                ));
                None
            }
            _ => None,
        };
        let Some(tk) = target_kind else { continue };
        match index.exists(tk, &ns, &target.name) {
            Ok(false) => out.push(Hit::new(
                "HPA-4",
                Severity::Error,
                me.clone(),
                me.clone(),
                format!("target {} {} does not exist", target.kind, target.name),
                vec![format!("spec.scaleTargetRef={}/{}", target.kind, target.name)],
                format!("kubectl get {} {} -n {ns}", target.kind.to_lowercase(), target.name),
            )),
            Ok(true) => {
                let template = match tk {
                    Kind::Deployment => o
                        .deployments
                        .iter()
                        .find(|d| {
                            d.metadata.namespace.as_deref() == Some(&ns)
                                && d.metadata.name.as_deref() == Some(&target.name)
                        })
                        .and_then(|d| d.spec.as_ref())
                        .and_then(|s| s.template.spec.clone()),
                    Kind::StatefulSet => o
                        .stateful_sets
                        .iter()
                        .find(|d| {
                            d.metadata.namespace.as_deref() == Some(&ns)
                                && d.metadata.name.as_deref() == Some(&target.name)
                        })
                        .and_then(|d| d.spec.as_ref())
                        .and_then(|s| s.template.spec.clone()),
                    _ => o
                        .replica_sets
                        .iter()
                        .find(|d| {
                            d.metadata.namespace.as_deref() == Some(&ns)
                                && d.metadata.name.as_deref() == Some(&target.name)
                        })
                        .and_then(|d| d.spec.as_ref())
                        .and_then(|s| s.template.as_ref())
                        .and_then(|t| t.spec.clone()),
                };
                let mut resources: Vec<String> = spec
                    .metrics
                    .iter()
                    .flatten()
                    .filter_map(|m| {
                        m.resource
                            .as_ref()
                            .filter(|r| r.target.type_ == "Utilization")
                            .map(|r| r.name.clone())
                    })
                    .collect();
                if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
                    resources.push("cpu".into()); // the default metric: 80% CPU utilization
                }
                for res in resources {
                    let missing: Vec<String> = template
                        .iter()
                        .flat_map(|t| t.containers.iter())
                        .filter(|c| {
                            c.resources
                                .as_ref()
                                .and_then(|r| r.requests.as_ref())
                                .is_none_or(|r| !r.contains_key(&res))
                        })
                        .map(|c| c.name.clone())
                        .collect();
                    if !missing.is_empty() {
                        out.push(Hit::new("HPA-5", Severity::Warning, me.clone(), me.clone(), format!("target {} {} has containers without a {res} request ({}), so {res} utilization cannot be computed", target.kind, target.name, missing.join(", ")), missing.iter().map(|c| format!("container {c}: no {res} request")).collect(), hint.clone()));
                    }
                }
            }
            Err(_) => {}
        }
    }

    for p in &o.pdbs {
        let me = obj("PodDisruptionBudget", &p.metadata);
        let Some(spec) = p.spec.clone() else { continue };
        let st = p.status.clone().unwrap_or_default();
        let selector = spec.selector.clone().unwrap_or_default();
        let sel = Selector::from_label_selector(&selector);
        if sel.is_empty() {
            continue;
        }
        if let Some(c) =
            st.conditions.iter().flatten().find(|c| c.type_ == "DisruptionAllowed" && c.status == "False")
        {
            out.push(Hit::new(
                "PDB-1",
                Severity::Warning,
                me.clone(),
                me.clone(),
                format!(
                    "budget allows no disruption ({}): healthy {} of {} required; node drains will block",
                    c.reason, st.current_healthy, st.desired_healthy
                ),
                vec![
                    format!("condition DisruptionAllowed=False {}: {}", c.reason, c.message),
                    format!("selector {sel}"),
                ],
                kubectl("describe", "pdb", &me.namespace, &me.name),
            ));
        }
    }
}
