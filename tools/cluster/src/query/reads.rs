//! Which kinds each object query reads, and no more: what a front end must capture before it
//! calls [`super::get`], [`super::describe`] or [`super::related`]. Kept beside the queries so a
//! query that starts reading another kind says so here (least privilege, fewer requests):
//! never Secrets, ConfigMaps or RBAC — no query needs their contents, and a role that allows
//! listing Secrets should not be required to describe a pod.

use crate::kind::Kind;

/// An object query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// [`super::get`]: the object.
    Get,
    /// [`super::describe`]: the object and its events; a Service's endpoints and pods.
    Describe,
    /// [`super::related`]: the workload, network, storage and node kinds its links run through.
    Related,
}

/// The kinds `query` reads about an object of `kind`, `kind` first.
pub fn kinds_read(query: Query, kind: Kind) -> Vec<Kind> {
    let extra: &[Kind] = match (query, kind) {
        (Query::Get, _) => &[],
        (Query::Describe, Kind::Service) => {
            &[Kind::Event, Kind::EventV1, Kind::EndpointSlice, Kind::Endpoints, Kind::Pod]
        }
        (Query::Describe, _) => &[Kind::Event, Kind::EventV1],
        (Query::Related, _) => &[
            Kind::Pod,
            Kind::ReplicaSet,
            Kind::Job,
            Kind::Service,
            Kind::EndpointSlice,
            Kind::Endpoints,
            Kind::Ingress,
            Kind::Node,
            Kind::PersistentVolumeClaim,
            Kind::PersistentVolume,
            Kind::StorageClass,
            Kind::HorizontalPodAutoscaler,
        ],
    };
    let mut kinds = vec![kind];
    kinds.extend(extra.iter().copied().filter(|k| *k != kind));
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_query_reads_secrets_configmaps_or_rbac() {
        for &kind in Kind::ALL.iter().filter(|k| !matches!(k, Kind::Secret | Kind::ConfigMap)) {
            for q in [Query::Get, Query::Describe, Query::Related] {
                let kinds = kinds_read(q, kind);
                assert_eq!(kinds[0], kind);
                for private in
                    [Kind::Secret, Kind::ConfigMap, Kind::Role, Kind::ClusterRole, Kind::RoleBinding]
                {
                    assert!(!kinds[1..].contains(&private), "{q:?} {kind:?} reads {private:?}");
                }
            }
        }
        // A claim's StorageClass is read, so `related` can tell a missing one from a present one.
        assert!(kinds_read(Query::Related, Kind::PersistentVolumeClaim).contains(&Kind::StorageClass));
    }
}
