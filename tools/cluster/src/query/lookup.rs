//! The error for an object a capture does not hold: missing, or not verifiable (a kind that
//! could not be read).

use crate::data::ClusterData;
use crate::error::Error;
use crate::kind::Kind;

/// Not found, or unverifiable when the capture could not read that kind there.
pub fn not_found(data: &ClusterData, kind: Kind, namespace: Option<&str>, name: &str) -> Error {
    let namespace = namespace.filter(|_| kind.info().namespaced).map(String::from);
    match data.completeness(kind, namespace.as_deref()) {
        crate::data::Completeness::Unverifiable(reason) => {
            Error::Unverifiable { kind, namespace, name: name.to_string(), reason }
        }
        crate::data::Completeness::Complete => Error::NotFound { kind, namespace, name: name.to_string() },
    }
}
