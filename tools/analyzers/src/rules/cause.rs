//! Cause tags (`reference/causes.md`): what a finding says the problem *is*, decided from the
//! words Kubernetes itself wrote (event messages, container states, scheduler conditions, log
//! lines), never from sleuth's own messages.
//!
//! Each rule has a default tag ([`of_rule`]); rules whose cause depends on the evidence refine
//! it with the classifiers here. A classifier that cannot decide says so with `None`, and the
//! rule keeps its default or falls back to `unknown/insufficient-evidence`.

/// Every tag sleuth emits. A test checks each against the table of `reference/causes.md`.
pub const TAGS: &[&str] = &[
    "scheduling/node-selector",
    "scheduling/node-affinity",
    "scheduling/pod-affinity",
    "scheduling/pod-anti-affinity",
    "scheduling/taint",
    "scheduling/cordoned",
    "scheduling/insufficient-cpu",
    "scheduling/insufficient-memory",
    "scheduling/insufficient-resource",
    "scheduling/too-many-pods",
    "scheduling/volume-binding",
    "scheduling/topology-spread",
    "scheduling/not-scheduled",
    "image/image-not-found",
    "image/registry-unreachable",
    "image/registry-unauthorized",
    "image/invalid-image-name",
    "config/missing-configmap",
    "config/missing-secret",
    "config/missing-key",
    "config/bad-command",
    "config/bad-env",
    "config/missing-service-account",
    "probe/liveness-failing",
    "probe/readiness-failing",
    "probe/startup-failing",
    "runtime/oom-killed",
    "runtime/crash",
    "runtime/completed-restarting",
    "runtime/disk-full",
    "runtime/permission-denied",
    "runtime/dependency-unavailable",
    "storage/storage-class-missing",
    "storage/provisioning-failed",
    "storage/pv-binding",
    "storage/mount-failed",
    "admission/quota-exceeded",
    "admission/limit-range",
    "admission/webhook-denied",
    "admission/pod-security",
    "network/service-selector-mismatch",
    "network/service-port-mismatch",
    "network/service-protocol-mismatch",
    "network/no-ready-endpoints",
    "network/network-policy-ingress",
    "network/network-policy-egress",
    "network/dns-failure",
    "network/ingress-class-missing",
    "network/ingress-backend-missing",
    "network/tls-secret-missing",
    "node/not-ready",
    "node/memory-pressure",
    "node/disk-pressure",
    "node/pid-pressure",
    "node/system-oom",
    "rollout/stuck",
    "rollout/regression",
    "autoscaling/hpa-misconfigured",
    "disruption/pdb-blocking",
    "workload/job-failed",
    "workload/cronjob-not-running",
    "hygiene/no-limits",
    "hygiene/privileged",
    "hygiene/default-service-account",
    "hygiene/wildcard-rbac",
    "hygiene/no-security-context",
    "hygiene/unused-configmap",
    "hygiene/empty-configmap",
    "hygiene/large-configmap",
    "hygiene/no-ingress-class",
    "hygiene/storage",
    "hygiene/network-policy",
    "hygiene/suspended",
    "hygiene/node-condition",
    "hygiene/scheduling-gated",
    "hygiene/governing-service-missing",
    "hygiene/log-errors",
    "unknown/ambiguous",
    "unknown/insufficient-evidence",
];

/// The tag a rule's finding carries unless its evidence says more.
pub fn of_rule(rule: &str) -> &'static str {
    match rule {
        "POD-1" | "POD-10" | "POD-12" => "scheduling/not-scheduled",
        "POD-2" => "hygiene/scheduling-gated",
        "POD-4" => "storage/mount-failed",
        "POD-5" | "POD-7" | "POD-11" => "runtime/crash",
        "POD-6" => "image/image-not-found",
        "POD-8" => "probe/readiness-failing",
        "POD-9" => "runtime/oom-killed",
        "POD-13" | "NODE-1" => "node/not-ready",
        "POD-3" | "POD-14" | "NODE-2" => "node/memory-pressure",
        "NODE-4" => "node/system-oom",
        "NODE-5" => "scheduling/cordoned",
        "NODE-3" => "hygiene/node-condition",
        "DEP-1" | "DEP-2" | "DEP-3" | "STS-3" | "DS-1" => "rollout/stuck",
        "RS-1" => "admission/quota-exceeded",
        "PVC-1" => "storage/provisioning-failed",
        "STO-6" | "STO-7" => "storage/pv-binding",
        "STS-2" => "storage/storage-class-missing",
        "SVC-1" => "network/service-selector-mismatch",
        "SVC-2" | "SVC-3" => "network/no-ready-endpoints",
        "SVC-4" | "ING-6" => "network/service-port-mismatch",
        "SVC-5" => "network/service-protocol-mismatch",
        "ING-1" => "hygiene/no-ingress-class",
        "ING-2" => "network/ingress-class-missing",
        "ING-3" | "ING-5" => "network/ingress-backend-missing",
        "ING-4" => "network/tls-secret-missing",
        "STS-1" => "hygiene/governing-service-missing",
        "JOB-2" | "CJ-4" => "workload/job-failed",
        "CJ-2" | "CJ-3" => "workload/cronjob-not-running",
        "JOB-1" | "CJ-1" => "hygiene/suspended",
        "DS-2" => "image/registry-unauthorized",
        "CM-1" => "hygiene/unused-configmap",
        "CM-2" => "hygiene/empty-configmap",
        "CM-3" => "hygiene/large-configmap",
        r if r.starts_with("HPA-") => "autoscaling/hpa-misconfigured",
        r if r.starts_with("WH-") => "admission/webhook-denied",
        "PDB-1" => "disruption/pdb-blocking",
        "NP-1" | "NP-2" => "hygiene/network-policy",
        "NP-3" => "network/network-policy-ingress",
        "DNS-1" => "network/dns-failure",
        "NP-4" => "network/network-policy-egress",
        "LOG-1" | "LOG-2" => "hygiene/log-errors",
        "SEC-1" => "hygiene/default-service-account",
        "SEC-2" => "hygiene/wildcard-rbac",
        "SEC-3" => "hygiene/privileged",
        "SEC-4" => "hygiene/no-security-context",
        r if r.starts_with("STO-") => "hygiene/storage",
        _ => "unknown/insufficient-evidence",
    }
}

fn has(text: &str, needles: &[&str]) -> bool {
    let t = text.to_ascii_lowercase();
    needles.iter().any(|n| t.contains(n))
}

/// Why an image pull failed, from the kubelet's or the runtime's words.
pub fn image_pull(message: &str) -> Option<&'static str> {
    if has(message, &["invalidimagename", "invalid reference format", "couldn't parse image"]) {
        Some("image/invalid-image-name")
    } else if has(
        message,
        &[
            "no such host",
            "i/o timeout",
            "connection refused",
            "dial tcp",
            "network is unreachable",
            "tls handshake timeout",
        ],
    ) {
        Some("image/registry-unreachable")
    } else if has(
        message,
        &[
            " 401",
            " 403",
            "(401",
            "(403",
            "unauthorized",
            "pull access denied",
            "authorization failed",
            "authentication required",
            "forbidden",
            "denied: ",
        ],
    ) {
        Some("image/registry-unauthorized")
    } else if has(message, &["not found", "manifest unknown", "does not exist", "no such image"]) {
        Some("image/image-not-found")
    } else {
        None
    }
}

/// What the scheduler's explanation blames, most specific first.
pub fn scheduling(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    let checks: &[(&str, &'static str)] = &[
        ("didn't match pod's node affinity/selector", "scheduling/node-selector"),
        ("node(s) didn't match node selector", "scheduling/node-selector"),
        ("didn't match pod anti-affinity", "scheduling/pod-anti-affinity"),
        ("didn't satisfy existing pods anti-affinity", "scheduling/pod-anti-affinity"),
        ("didn't match pod affinity", "scheduling/pod-affinity"),
        ("untolerated taint", "scheduling/taint"),
        ("had taint", "scheduling/taint"),
        ("were unschedulable", "scheduling/cordoned"),
        ("node(s) were unschedulable", "scheduling/cordoned"),
        ("insufficient cpu", "scheduling/insufficient-cpu"),
        ("insufficient memory", "scheduling/insufficient-memory"),
        ("insufficient ", "scheduling/insufficient-resource"),
        ("too many pods", "scheduling/too-many-pods"),
        ("unbound immediate persistentvolumeclaims", "scheduling/volume-binding"),
        ("volume node affinity conflict", "scheduling/volume-binding"),
        ("persistentvolumeclaim", "scheduling/volume-binding"),
        ("topology spread constraints", "scheduling/topology-spread"),
    ];
    checks.iter().find(|(n, _)| m.contains(n)).map_or("scheduling/not-scheduled", |(_, t)| t)
}

/// A ConfigMap, Secret, key or ServiceAccount Kubernetes says it could not find, with its name:
/// `configmap "x" not found`, `secret "x" not found`, `couldn't find key k in Secret ns/x`,
/// `serviceaccount "x" not found`.
pub fn missing_object(message: &str) -> Option<(&'static str, String)> {
    let lower = message.to_ascii_lowercase();
    if let Some(i) = lower.find("couldn't find key ") {
        let rest = &message[i + "couldn't find key ".len()..];
        let key = rest.split_whitespace().next().unwrap_or("").to_string();
        return Some(("config/missing-key", key));
    }
    for (word, tag) in [
        ("configmap \"", "config/missing-configmap"),
        ("configmaps \"", "config/missing-configmap"),
        ("secret \"", "config/missing-secret"),
        ("secrets \"", "config/missing-secret"),
        ("serviceaccount \"", "config/missing-service-account"),
        ("serviceaccounts \"", "config/missing-service-account"),
    ] {
        if let Some(i) = lower.find(word) {
            let rest = &message[i + word.len()..];
            if let Some(end) = rest.find('"')
                && rest[end..].to_ascii_lowercase().contains("not found")
            {
                return Some((tag, rest[..end].to_string()));
            }
        }
    }
    None
}

/// A container that could not be started because of its command: the runtime's StartError,
/// RunContainerError or ContainerCannotRun text.
pub fn start_failure(message: &str) -> Option<&'static str> {
    has(
        message,
        &[
            "executable file not found",
            "no such file or directory",
            "permission denied",
            "exec format error",
            "not a directory",
            "no command specified",
        ],
    )
    .then_some("config/bad-command")
}

/// Why a controller could not create pods (FailedCreate, ReplicaFailure), from the API server's
/// answer.
pub fn admission(message: &str) -> Option<&'static str> {
    if has(message, &["exceeded quota", "must specify limits", "must specify requests"]) {
        Some("admission/quota-exceeded")
    } else if has(
        message,
        &[
            "limitrange",
            "maximum cpu usage per",
            "maximum memory usage per",
            "minimum cpu usage per",
            "minimum memory usage per",
        ],
    ) {
        Some("admission/limit-range")
    } else if has(message, &["admission webhook"]) {
        Some("admission/webhook-denied")
    } else if has(message, &["violates podsecurity", "pod security"]) {
        Some("admission/pod-security")
    } else if has(message, &["serviceaccount"]) && has(message, &["not found"]) {
        Some("config/missing-service-account")
    } else {
        None
    }
}

/// Why a claim could not be provisioned.
pub fn provisioning(message: &str) -> &'static str {
    if has(message, &["storageclass"]) && has(message, &["not found"]) {
        "storage/storage-class-missing"
    } else {
        "storage/provisioning-failed"
    }
}

/// What an application's log line says went wrong, when it names a cause; `None` for lines
/// that only say something failed.
pub fn log_line(line: &str) -> Option<&'static str> {
    if has(line, &["no space left on device", "enospc", "disk quota exceeded"]) {
        Some("runtime/disk-full")
    } else if has(
        line,
        &[
            "could not resolve host",
            "temporary failure in name resolution",
            "no such host",
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "unknownhostexception",
            "name resolution",
        ],
    ) {
        Some("network/dns-failure")
    } else if has(line, &["permission denied", "eacces", "operation not permitted"]) {
        Some("runtime/permission-denied")
    } else if has(
        line,
        &[
            "connection refused",
            "econnrefused",
            "connection reset",
            "timed out",
            "timeout",
            "deadline exceeded",
            "no route to host",
            "503 service unavailable",
            "502 bad gateway",
        ],
    ) {
        Some("runtime/dependency-unavailable")
    } else if has(
        line,
        &[
            "is not set",
            "not set",
            "must be set",
            "is required",
            "missing required",
            "missing environment",
            "environment variable",
            "invalid value for",
            "invalid configuration",
            "config error",
            "configuration error",
        ],
    ) {
        Some("config/bad-env")
    } else {
        None
    }
}

/// Whether a log line says something went wrong (the lines worth quoting for a crash).
pub fn is_telling(line: &str) -> bool {
    log_line(line).is_some()
        || has(
            line,
            &["error", "fatal", "exception", "panic", "traceback", "failed", "fail:", "killed", "abort"],
        )
}

/// The lines of a crashed container's log that explain its exit: the last telling line (and the
/// cause it names, when it names one), else the last non-empty line. At most `max` characters.
pub fn telling_line(log: &str, max: usize) -> Option<(String, Option<&'static str>)> {
    let lines: Vec<&str> = log.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(50)..];
    // A line that names a cause beats one that only says "error".
    let pick = tail
        .iter()
        .rev()
        .find(|l| log_line(l).is_some())
        .or_else(|| tail.iter().rev().find(|l| is_telling(l)))
        .or_else(|| tail.last())?;
    Some((prompts::ellipsis(pick, max), log_line(pick)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_is_in_the_contract() {
        let table = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/reference/causes.md"
        ))
        .expect("causes.md beside the checkout");
        for tag in TAGS {
            let (family, cause) = tag.split_once('/').unwrap();
            // Hygiene is an open family ("`no-limits`, `privileged`, `latest-tag`, …").
            let listed = family == "hygiene"
                || table
                    .lines()
                    .any(|l| l.starts_with(&format!("| {family} |")) && l.contains(&format!("`{cause}`")));
            assert!(listed, "{tag} is not in causes.md");
        }
        for rule in ["POD-1", "POD-5", "SVC-4", "HPA-3", "STO-2", "XYZ-1"] {
            assert!(TAGS.contains(&of_rule(rule)), "{rule}");
        }
    }

    #[test]
    fn image_pulls_are_told_apart() {
        let cases = [
            (
                "Failed to pull image \"nginx:1.999\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:1.999\": failed to resolve reference \"docker.io/library/nginx:1.999\": docker.io/library/nginx:1.999: not found",
                "image/image-not-found",
            ),
            (
                "Failed to pull image \"ghcr.io/acme/private:1\": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized",
                "image/registry-unauthorized",
            ),
            (
                "Failed to pull image \"regist.example.invalid/app:1\": dial tcp: lookup regist.example.invalid on 10.96.0.10:53: no such host",
                "image/registry-unreachable",
            ),
            (
                "Failed to apply default image tag \"Nginx:Latest\": couldn't parse image reference \"Nginx:Latest\": invalid reference format: repository name must be lowercase",
                "image/invalid-image-name",
            ),
        ];
        for (m, want) in cases {
            assert_eq!(image_pull(m), Some(want), "{m}");
        }
        assert_eq!(image_pull("Error: ImagePullBackOff"), None);
    }

    #[test]
    fn the_scheduler_is_read_most_specific_first() {
        assert_eq!(
            scheduling(
                "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available"
            ),
            "scheduling/node-selector"
        );
        assert_eq!(
            scheduling("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}."),
            "scheduling/taint"
        );
        assert_eq!(scheduling("0/2 nodes are available: 2 Insufficient cpu."), "scheduling/insufficient-cpu");
        assert_eq!(
            scheduling("0/2 nodes are available: 2 Insufficient nvidia.com/gpu."),
            "scheduling/insufficient-resource"
        );
        assert_eq!(
            scheduling("0/1 nodes are available: 1 node(s) were unschedulable."),
            "scheduling/cordoned"
        );
        assert_eq!(
            scheduling("0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."),
            "scheduling/volume-binding"
        );
    }

    #[test]
    fn missing_objects_are_named() {
        assert_eq!(
            missing_object("Error: secret \"frontend-api-keys\" not found"),
            Some(("config/missing-secret", "frontend-api-keys".into()))
        );
        assert_eq!(
            missing_object(
                "MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found"
            ),
            Some(("config/missing-configmap", "app-config".into()))
        );
        assert_eq!(
            missing_object("Error: couldn't find key DB_HOST in ConfigMap shop/app-config"),
            Some(("config/missing-key", "DB_HOST".into()))
        );
        assert_eq!(
            missing_object(
                "Error creating: pods \"w-1\" is forbidden: error looking up service account shop/deployer: serviceaccount \"deployer\" not found"
            ),
            Some(("config/missing-service-account", "deployer".into()))
        );
        assert_eq!(missing_object("Back-off restarting failed container"), None);
    }

    #[test]
    fn log_lines_name_causes() {
        assert_eq!(log_line("curl: (6) Could not resolve host: api.internal"), Some("network/dns-failure"));
        assert_eq!(
            log_line("OSError: [Errno 28] No space left on device: '/data/x'"),
            Some("runtime/disk-full")
        );
        assert_eq!(log_line("FATAL: DEPLOY_ENV is not set"), Some("config/bad-env"));
        assert_eq!(
            log_line("dial tcp 10.0.0.5:5432: connect: connection refused"),
            Some("runtime/dependency-unavailable")
        );
        assert_eq!(log_line("starting server on :8080"), None);
        let log = "starting\nloading config\nERROR something broke\nFATAL: DEPLOY_ENV is not set\n";
        assert_eq!(
            telling_line(log, 200),
            Some(("FATAL: DEPLOY_ENV is not set".into(), Some("config/bad-env")))
        );
        assert_eq!(telling_line("a\nb\n", 200), Some(("b".into(), None)));
        assert_eq!(telling_line("", 200), None);
    }
}
