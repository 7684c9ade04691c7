//! Traffic rules: Service, Ingress, NetworkPolicy, admission webhooks.

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::finding::{Hit, ObjRef, Options, Severity, kubectl};
use super::index::Index;
use super::index::{event_line, pod_name};
use cluster::data::ClusterData;
use cluster::kind::Kind;
use cluster::selector::Selector;

fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn selected<'a>(index: &Index<'a>, ns: &str, sel: &Selector) -> Vec<&'a Pod> {
    index
        .pods_by_ns
        .get(ns)
        .map(|v| v.iter().copied().filter(|p| sel.matches(p.metadata.labels.as_ref())).collect())
        .unwrap_or_default()
}

/// The workloads behind a Service's pods, as the objects its finding is about (their own
/// findings explain it).
fn backing(index: &Index<'_>, pods: &[&Pod], mut hit: Hit) -> Hit {
    for p in pods {
        hit = hit.about(index.root("Pod", &p.metadata));
    }
    hit
}

fn port_matches(target: &IntOrString, pods: &[&Pod]) -> bool {
    pods.iter().any(|p| {
        p.spec.iter().flat_map(|s| s.containers.iter()).flat_map(|c| c.ports.iter().flatten()).any(|cp| {
            match target {
                IntOrString::Int(n) => cp.container_port == *n,
                IntOrString::String(name) => cp.name.as_deref() == Some(name.as_str()),
            }
        })
    })
}

fn declares_ports(pods: &[&Pod]) -> bool {
    pods.iter().any(|p| {
        p.spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .any(|c| c.ports.as_ref().is_some_and(|v| !v.is_empty()))
    })
}

/// Pods that look like what a selector meant: same namespace, sharing a selector key.
fn candidates(
    index: &Index<'_>,
    ns: &str,
    selector: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in index.pods_by_ns.get(ns).into_iter().flatten() {
        let labels = p.metadata.labels.clone().unwrap_or_default();
        if selector.keys().any(|k| labels.contains_key(k)) {
            let shown: Vec<String> =
                selector.keys().filter_map(|k| labels.get(k).map(|v| format!("{k}={v}"))).collect();
            out.push(format!("pod {} has {}", p.metadata.name.as_deref().unwrap_or(""), shown.join(",")));
        }
        if out.len() >= 3 {
            break;
        }
    }
    out
}

fn service_rules(data: &ClusterData, index: &Index<'_>, svc: &Service, out: &mut Vec<Hit>) {
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    let me = ObjRef::new("Service", ns, name);
    let now = data.now();
    // SVC-3: warnings about this Service, not about same-named Pods (R2).
    for e in index
        .events_for("Service", ns, name, svc.metadata.uid.as_deref())
        .into_iter()
        .filter(|e| e.is_warning())
    {
        out.push(Hit::on(
            "SVC-3",
            Severity::Warning,
            me.clone(),
            format!("Service has a warning event: {} {}", e.reason, e.message),
            vec![event_line(e, now)],
            kubectl("describe", "service", ns, name),
        ));
    }
    let spec = svc.spec.clone().unwrap_or_default();
    let Some(selector) = spec.selector.clone().filter(|s| !s.is_empty()) else { return };
    if spec.type_.as_deref() == Some("ExternalName") {
        return;
    }
    let sel = Selector::from_map(&selector);
    let pods = selected(index, ns, &sel);
    let have_endpoints =
        data.captured.contains(&Kind::EndpointSlice) || data.captured.contains(&Kind::Endpoints);
    // A Service with a selector always gets an EndpointSlice from the control plane; when the
    // capture holds none for it (a partial capture), the pods' readiness is what it would show.
    let has_slice = data.objects.endpoint_slices.iter().any(|e| {
        e.metadata.namespace.as_deref() == Some(ns)
            && e.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
                .map(String::as_str)
                == Some(name)
    }) || data
        .objects
        .endpoints
        .iter()
        .any(|e| e.metadata.namespace.as_deref() == Some(ns) && e.metadata.name.as_deref() == Some(name));
    let (ready, not_ready) = if have_endpoints && has_slice {
        cluster::query::service_endpoints(data, ns, name)
    } else {
        // A dump has no endpoints: the pods' readiness is what endpoints would show.
        let (r, n): (Vec<&Pod>, Vec<&Pod>) = pods.iter().partition(|p| pod_ready(p));
        (
            r.iter().map(|p| p.metadata.name.clone().unwrap_or_default()).collect(),
            n.iter().map(|p| p.metadata.name.clone().unwrap_or_default()).collect(),
        )
    };
    let sel_text = sel.to_string();
    if ready.is_empty() && not_ready.is_empty() {
        let (msg, mut ev) = if pods.is_empty() {
            (
                format!("Service has no endpoints: no pod matches its selector {sel_text}"),
                candidates(index, ns, &selector),
            )
        } else {
            let names: Vec<String> =
                pods.iter().map(|p| p.metadata.name.clone().unwrap_or_default()).collect();
            (
                format!("Service has no endpoints: {} pod(s) match {sel_text} but none is ready", pods.len()),
                names.iter().map(|n| format!("pod {n} is not ready")).collect(),
            )
        };
        ev.insert(0, format!("selector {sel_text}"));
        let tag =
            if pods.is_empty() { "network/service-selector-mismatch" } else { "network/no-ready-endpoints" };
        out.push(backing(
            index,
            &pods,
            Hit::on(
                "SVC-1",
                Severity::Error,
                me.clone(),
                msg,
                ev,
                format!("kubectl get pods -n {ns} -l {sel_text} --show-labels"),
            )
            .cause(tag)
            .detail("selector", &selector),
        ));
    } else if !not_ready.is_empty() {
        let total = ready.len() + not_ready.len();
        let msg = if ready.is_empty() {
            format!("Service has no ready endpoint: all {total} are not ready ({})", not_ready.join(", "))
        } else {
            format!(
                "Service is degraded: {} of {total} endpoints are not ready: {}",
                not_ready.len(),
                not_ready.join(", ")
            )
        };
        let sev = if ready.is_empty() { Severity::Error } else { Severity::Warning };
        out.push(backing(
            index,
            &pods,
            Hit::on(
                "SVC-2",
                sev,
                me.clone(),
                msg,
                not_ready.iter().map(|n| format!("endpoint {n} not ready")).collect(),
                format!("kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name}"),
            ),
        ));
    }
    // SVC-4: targetPort that no selected pod exposes (only when pods declare ports at all).
    if !pods.is_empty() && declares_ports(&pods) {
        for p in spec.ports.iter().flatten() {
            let target = p.target_port.clone().unwrap_or(IntOrString::Int(p.port));
            if !port_matches(&target, &pods) {
                let t = match &target {
                    IntOrString::Int(n) => n.to_string(),
                    IntOrString::String(s) => s.clone(),
                };
                out.push(Hit::on(
                    "SVC-4",
                    Severity::Error,
                    me.clone(),
                    format!("port {} forwards to targetPort {t}, which no selected pod exposes", p.port),
                    vec![format!(
                        "spec.ports[{}].targetPort={t}",
                        p.name.clone().unwrap_or_else(|| p.port.to_string())
                    )],
                    format!("kubectl get pods -n {ns} -l {sel_text} -o jsonpath='{{..containerPort}}'"),
                ));
            } else if let Some(theirs) =
                protocol_mismatch(&target, p.protocol.as_deref().unwrap_or("TCP"), &pods)
            {
                // SVC-5: the port exists but speaks another protocol (UDP DNS behind a TCP port).
                let ours = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                out.push(
                    Hit::on(
                        "SVC-5",
                        Severity::Error,
                        me.clone(),
                        format!("port {} is {ours} but the pods expose its targetPort as {theirs}", p.port),
                        vec![format!(
                            "spec.ports[{}].protocol={ours}",
                            p.name.clone().unwrap_or_else(|| p.port.to_string())
                        )],
                        format!("kubectl get service {name} -n {ns} -o yaml"),
                    )
                    .detail("service_protocol", &ours)
                    .detail("container_protocol", theirs),
                );
            }
        }
    }
}

/// The protocol the selected pods expose `target` with, when none of them uses `protocol`.
fn protocol_mismatch(target: &IntOrString, protocol: &str, pods: &[&Pod]) -> Option<String> {
    let ports: Vec<&k8s_openapi::api::core::v1::ContainerPort> = pods
        .iter()
        .flat_map(|p| p.spec.iter().flat_map(|s| s.containers.iter()).flat_map(|c| c.ports.iter().flatten()))
        .filter(|cp| match target {
            IntOrString::Int(n) => cp.container_port == *n,
            IntOrString::String(name) => cp.name.as_deref() == Some(name.as_str()),
        })
        .collect();
    let proto =
        |cp: &k8s_openapi::api::core::v1::ContainerPort| cp.protocol.clone().unwrap_or_else(|| "TCP".into());
    (!ports.is_empty() && !ports.iter().any(|cp| proto(cp) == protocol)).then(|| proto(ports[0]))
}

fn service_port_ok(svc: &Service, port: &k8s_openapi::api::networking::v1::ServiceBackendPort) -> bool {
    let ports = svc.spec.iter().flat_map(|s| s.ports.iter().flatten());
    let mut ports = ports.peekable();
    if ports.peek().is_none() {
        return true;
    }
    ports.into_iter().any(|p| {
        port.number.is_some_and(|n| n == p.port)
            || port.name.as_ref().is_some_and(|n| p.name.as_deref() == Some(n.as_str()))
            || (port.number.is_none() && port.name.is_none())
    })
}

/// Every traffic rule.
pub fn run(data: &ClusterData, index: &Index<'_>, _opts: &Options, out: &mut Vec<Hit>) {
    let o = &data.objects;
    for s in &o.services {
        service_rules(data, index, s, out);
    }
    let default_class = o.ingress_classes.iter().any(|c| {
        c.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("ingressclass.kubernetes.io/is-default-class"))
            .map(String::as_str)
            == Some("true")
    });
    for ing in &o.ingresses {
        let ns = ing.metadata.namespace.as_deref().unwrap_or("");
        let name = ing.metadata.name.as_deref().unwrap_or("");
        let me = ObjRef::new("Ingress", ns, name);
        let hint = kubectl("describe", "ingress", ns, name);
        let spec = ing.spec.clone().unwrap_or_default();
        let class = spec.ingress_class_name.clone().or_else(|| {
            ing.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/ingress.class").cloned())
        });
        match &class {
            None => {
                let (sev, msg) = if default_class {
                    (Severity::Info, "Ingress names no class; the default IngressClass will serve it")
                } else {
                    (
                        Severity::Warning,
                        "Ingress names no class and no IngressClass is the default: no controller may serve it",
                    )
                };
                out.push(Hit::on(
                    "ING-1",
                    sev,
                    me.clone(),
                    msg.into(),
                    vec!["no spec.ingressClassName, no kubernetes.io/ingress.class annotation".into()],
                    "kubectl get ingressclass".into(),
                ));
            }
            Some(c) if c != "gce" && c != "gce-internal" => {
                if index.exists(Kind::IngressClass, "", c) == Ok(false) {
                    out.push(Hit::on(
                        "ING-2",
                        Severity::Error,
                        me.clone(),
                        format!("Ingress refers to IngressClass {c}, which does not exist"),
                        vec![format!("class {c}")],
                        "kubectl get ingressclass".into(),
                    ));
                }
            }
            Some(_) => {}
        }
        let mut missing = Vec::new();
        let mut bad_ports = Vec::new();
        let backends = spec.rules.iter().flatten().flat_map(|r| {
            r.http.iter().flat_map(move |h| {
                h.paths.iter().map(move |p| (r.host.clone(), p.path.clone(), p.backend.service.clone()))
            })
        });
        for (host, path, svc) in backends {
            let Some(svc) = svc else { continue };
            let route = format!("{}{}", host.unwrap_or_else(|| "*".into()), path.unwrap_or_default());
            match index.exists(Kind::Service, ns, &svc.name) {
                Ok(false) => missing.push(format!("{route} → Service {} (missing)", svc.name)),
                Ok(true) => {
                    if let (Some(port), Some(s)) = (
                        &svc.port,
                        o.services.iter().find(|s| {
                            s.metadata.namespace.as_deref() == Some(ns)
                                && s.metadata.name.as_deref() == Some(svc.name.as_str())
                        }),
                    ) && !service_port_ok(s, port)
                    {
                        let p = port
                            .number
                            .map(|n| n.to_string())
                            .or_else(|| port.name.clone())
                            .unwrap_or_default();
                        bad_ports.push(format!("{route} → Service {} port {p} (not exposed)", svc.name));
                    }
                }
                Err(_) => {}
            }
        }
        if !missing.is_empty() {
            out.push(Hit::on(
                "ING-3",
                Severity::Error,
                me.clone(),
                format!("Ingress routes to {} Service(s) that do not exist", missing.len()),
                missing,
                hint.clone(),
            ));
        }
        if !bad_ports.is_empty() {
            out.push(Hit::on(
                "ING-6",
                Severity::Error,
                me.clone(),
                "Ingress routes to a port its Service does not expose".into(),
                bad_ports,
                hint.clone(),
            ));
        }
        if let Some(svc) = spec.default_backend.as_ref().and_then(|b| b.service.as_ref())
            && index.exists(Kind::Service, ns, &svc.name) == Ok(false)
        {
            out.push(Hit::on(
                "ING-5",
                Severity::Error,
                me.clone(),
                format!("default backend Service {} does not exist", svc.name),
                vec![format!("spec.defaultBackend.service.name={}", svc.name)],
                hint.clone(),
            ));
        }
        for secret in
            spec.tls.iter().flatten().filter_map(|t| t.secret_name.clone()).filter(|s| !s.is_empty())
        {
            if index.exists(Kind::Secret, ns, &secret) == Ok(false) {
                out.push(Hit::on("ING-4", Severity::Error, me.clone(), format!("TLS Secret {secret} does not exist: HTTPS will serve the controller's default certificate"), vec![format!("spec.tls[].secretName={secret}")], format!("kubectl get secret {secret} -n {ns}")));
            }
        }
    }
    for np in &o.network_policies {
        let ns = np.metadata.namespace.as_deref().unwrap_or("");
        let name = np.metadata.name.as_deref().unwrap_or("");
        let me = ObjRef::new("NetworkPolicy", ns, name);
        let spec = np.spec.clone().unwrap_or_default();
        let selector = spec.pod_selector.clone().unwrap_or_default();
        let sel = Selector::from_label_selector(&selector);
        if sel.is_empty() {
            let no_rules = spec.ingress.as_ref().is_none_or(Vec::is_empty)
                && spec.egress.as_ref().is_none_or(Vec::is_empty);
            let types = spec.policy_types.clone().unwrap_or_default().join(",");
            let msg = if no_rules {
                format!(
                    "default-deny policy: selects every pod in {ns} and allows no {}",
                    if types.is_empty() { "ingress".into() } else { types }
                )
            } else {
                format!("policy applies to every pod in namespace {ns}")
            };
            out.push(Hit::on(
                "NP-1",
                Severity::Info,
                me.clone(),
                msg,
                vec!["spec.podSelector is empty (selects all pods)".into()],
                kubectl("describe", "networkpolicy", ns, name),
            ));
        } else if selected(index, ns, &sel).is_empty() && data.captured.contains(&Kind::Pod) {
            out.push(Hit::on(
                "NP-2",
                Severity::Warning,
                me.clone(),
                format!("policy selects no pods in {ns} (selector {sel})"),
                vec![format!("spec.podSelector {sel}")],
                format!("kubectl get pods -n {ns} -l '{sel}'"),
            ));
        }
    }
    let scoped_ns =
        |ns: &str| data.info.namespaces.is_empty() || data.info.namespaces.iter().any(|n| n == ns);
    let validating = o.validating_webhooks.iter().flat_map(|w| {
        w.webhooks.iter().flatten().map(move |h| {
            (
                "ValidatingWebhookConfiguration",
                w.metadata.name.clone().unwrap_or_default(),
                h.name.clone(),
                h.client_config.service.clone(),
                h.failure_policy.clone(),
            )
        })
    });
    let mutating = o.mutating_webhooks.iter().flat_map(|w| {
        w.webhooks.iter().flatten().map(move |h| {
            (
                "MutatingWebhookConfiguration",
                w.metadata.name.clone().unwrap_or_default(),
                h.name.clone(),
                h.client_config.service.clone(),
                h.failure_policy.clone(),
            )
        })
    });
    for (kind, config, hook, svc, policy) in validating.chain(mutating) {
        let Some(svc) = svc else { continue };
        if !scoped_ns(&svc.namespace) {
            continue;
        }
        let fail = policy.as_deref().unwrap_or("Fail") == "Fail";
        let blocking =
            if fail { " (failurePolicy=Fail: admission of matching objects is blocked)" } else { "" };
        let me = ObjRef::new(kind, "", &config);
        let ev = vec![
            format!("webhook {hook} → Service {}/{}", svc.namespace, svc.name),
            format!("failurePolicy={}", policy.clone().unwrap_or_else(|| "Fail".into())),
        ];
        let hint = format!("kubectl get service {} -n {} -o wide", svc.name, svc.namespace);
        match index.exists(Kind::Service, &svc.namespace, &svc.name) {
            Ok(false) => out.push(Hit::on(
                "WH-1",
                if fail { Severity::Critical } else { Severity::Error },
                me.clone(),
                format!(
                    "webhook {hook} points at Service {}/{}, which does not exist{blocking}",
                    svc.namespace, svc.name
                ),
                ev,
                hint,
            )),
            Ok(true) => {
                let Some(s) = o.services.iter().find(|s| {
                    s.metadata.namespace.as_deref() == Some(svc.namespace.as_str())
                        && s.metadata.name.as_deref() == Some(svc.name.as_str())
                }) else {
                    continue;
                };
                let Some(selector) =
                    s.spec.as_ref().and_then(|s| s.selector.clone()).filter(|m| !m.is_empty())
                else {
                    continue;
                };
                let pods = selected(index, &svc.namespace, &Selector::from_map(&selector));
                if pods.is_empty() {
                    out.push(Hit::on(
                        "WH-2",
                        if fail { Severity::Critical } else { Severity::Error },
                        me.clone(),
                        format!(
                            "webhook {hook}'s Service {}/{} has no backing pods{blocking}",
                            svc.namespace, svc.name
                        ),
                        ev,
                        hint,
                    ));
                } else {
                    for p in pods
                        .iter()
                        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Running"))
                    {
                        out.push(Hit::on(
                            "WH-3",
                            if fail { Severity::Error } else { Severity::Warning },
                            me.clone(),
                            format!("webhook {hook}'s receiver pod {} is not running{blocking}", pod_name(p)),
                            ev.clone(),
                            kubectl(
                                "describe",
                                "pod",
                                &svc.namespace,
                                p.metadata.name.as_deref().unwrap_or(""),
                            ),
                        ));
                    }
                }
            }
            Err(_) => {}
        }
    }
}
