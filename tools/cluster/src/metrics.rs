//! `metrics.k8s.io/v1beta1` objects, which k8s-openapi does not model.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ClusterResourceScope, Metadata, NamespaceResourceScope, Resource};
use serde::{Deserialize, Serialize};

/// Resource usage of one container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerUsage {
    /// Container name.
    pub name: String,
    /// `cpu` and `memory` usage.
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// Usage of a pod's containers, sampled by metrics-server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PodMetrics {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(rename = "apiVersion", default = "api_version")]
    pub api_version: String,
    /// Always `PodMetrics`.
    #[serde(default = "pod_kind")]
    pub kind: String,
    /// The pod's name and namespace.
    pub metadata: ObjectMeta,
    /// When the sample was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Sample window (`30s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Per-container usage.
    #[serde(default)]
    pub containers: Vec<ContainerUsage>,
}

/// Usage of a node, sampled by metrics-server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    /// Always `metrics.k8s.io/v1beta1`.
    #[serde(rename = "apiVersion", default = "api_version")]
    pub api_version: String,
    /// Always `NodeMetrics`.
    #[serde(default = "node_kind")]
    pub kind: String,
    /// The node's name.
    pub metadata: ObjectMeta,
    /// When the sample was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Sample window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// `cpu` and `memory` usage.
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

fn api_version() -> String {
    "metrics.k8s.io/v1beta1".to_string()
}
fn pod_kind() -> String {
    "PodMetrics".to_string()
}
fn node_kind() -> String {
    "NodeMetrics".to_string()
}

impl Resource for PodMetrics {
    const API_VERSION: &'static str = "metrics.k8s.io/v1beta1";
    const GROUP: &'static str = "metrics.k8s.io";
    const KIND: &'static str = "PodMetrics";
    const VERSION: &'static str = "v1beta1";
    const URL_PATH_SEGMENT: &'static str = "pods";
    type Scope = NamespaceResourceScope;
}

impl Metadata for PodMetrics {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

impl Resource for NodeMetrics {
    const API_VERSION: &'static str = "metrics.k8s.io/v1beta1";
    const GROUP: &'static str = "metrics.k8s.io";
    const KIND: &'static str = "NodeMetrics";
    const VERSION: &'static str = "v1beta1";
    const URL_PATH_SEGMENT: &'static str = "nodes";
    type Scope = ClusterResourceScope;
}

impl Metadata for NodeMetrics {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}
