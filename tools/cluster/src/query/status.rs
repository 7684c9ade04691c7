//! Status as kubectl shows it: a pod's READY, STATUS and RESTARTS, and the conditions every
//! kind reports.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

use super::table::age;

/// READY, STATUS and RESTARTS the way kubectl computes them.
pub struct PodSummary {
    /// `1/2`.
    pub ready: String,
    /// `Running`, `CrashLoopBackOff`, `Init:0/1`, `Evicted`, `Terminating`.
    pub status: String,
    /// `5 (2m ago)`.
    pub restarts: String,
}

/// Summarise a pod like `kubectl get pods`.
pub fn pod_summary(p: &Pod, now: Timestamp) -> PodSummary {
    let st = p.status.clone().unwrap_or_default();
    let total = p.spec.as_ref().map_or(0, |s| s.containers.len());
    let statuses = st.container_statuses.clone().unwrap_or_default();
    let ready = statuses.iter().filter(|c| c.ready).count();
    let mut reason =
        st.reason.clone().unwrap_or_else(|| st.phase.clone().unwrap_or_else(|| "Unknown".into()));
    let inits = st.init_container_statuses.clone().unwrap_or_default();
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        let state = c.state.clone().unwrap_or_default();
        if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        initializing = true;
        reason = if let Some(t) = &state.terminated {
            format!("Init:{}", t.reason.clone().unwrap_or_else(|| format!("ExitCode:{}", t.exit_code)))
        } else if let Some(w) =
            state.waiting.as_ref().and_then(|w| w.reason.clone()).filter(|r| r != "PodInitializing")
        {
            format!("Init:{w}")
        } else {
            format!(
                "Init:{i}/{}",
                p.spec.as_ref().and_then(|s| s.init_containers.as_ref()).map_or(0, Vec::len)
            )
        };
        break;
    }
    if !initializing {
        for c in statuses.iter().rev() {
            let state = c.state.clone().unwrap_or_default();
            if let Some(r) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
                reason = r;
            } else if let Some(t) = &state.terminated {
                reason = t.reason.clone().unwrap_or_else(|| format!("ExitCode:{}", t.exit_code));
            }
        }
    }
    if p.metadata.deletion_timestamp.is_some() {
        reason =
            if st.reason.as_deref() == Some("NodeLost") { "Unknown".into() } else { "Terminating".into() };
    }
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let last = statuses
        .iter()
        .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(|t| t.0))
        .max();
    let restarts = match last {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", age(Some(t), now)),
        _ => restarts.to_string(),
    };
    PodSummary { ready: format!("{ready}/{total}"), status: reason, restarts }
}

/// `(status, reason, message)` of the condition of type `ty`.
pub fn condition<C: ConditionLike>(
    conditions: Option<&Vec<C>>,
    ty: &str,
) -> Option<(String, String, String)> {
    conditions?
        .iter()
        .find(|c| c.type_() == ty)
        .map(|c| (c.status().to_string(), c.reason().to_string(), c.message().to_string()))
}

/// Whether the condition of type `ty` is `True`.
pub fn has_condition<C: ConditionLike>(conditions: Option<&Vec<C>>, ty: &str) -> bool {
    condition(conditions, ty).is_some_and(|c| c.0 == "True")
}

/// The fields every `*Condition` type shares.
pub trait ConditionLike {
    /// The condition's type (`Ready`, `Available`, …).
    fn type_(&self) -> &str;
    /// `True`, `False` or `Unknown`.
    fn status(&self) -> &str;
    /// The machine-readable reason, or "".
    fn reason(&self) -> &str;
    /// The human-readable message, or "".
    fn message(&self) -> &str;
}

macro_rules! condition_like {
    ($($t:ty),*) => {$(
        impl ConditionLike for $t {
            fn type_(&self) -> &str { &self.type_ }
            fn status(&self) -> &str { &self.status }
            fn reason(&self) -> &str { self.reason.as_deref().unwrap_or("") }
            fn message(&self) -> &str { self.message.as_deref().unwrap_or("") }
        }
    )*};
}

condition_like!(
    k8s_openapi::api::core::v1::NodeCondition,
    k8s_openapi::api::core::v1::PodCondition,
    k8s_openapi::api::core::v1::PersistentVolumeClaimCondition,
    k8s_openapi::api::apps::v1::DeploymentCondition,
    k8s_openapi::api::apps::v1::ReplicaSetCondition,
    k8s_openapi::api::apps::v1::StatefulSetCondition,
    k8s_openapi::api::apps::v1::DaemonSetCondition,
    k8s_openapi::api::batch::v1::JobCondition,
    k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerCondition
);

impl ConditionLike for k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    fn type_(&self) -> &str {
        &self.type_
    }
    fn status(&self) -> &str {
        &self.status
    }
    fn reason(&self) -> &str {
        &self.reason
    }
    fn message(&self) -> &str {
        &self.message
    }
}
