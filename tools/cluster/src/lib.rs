/*!
Everything that reads a Kubernetes cluster, read-only: where objects come from, the capture they
make, and the queries over it. Knows nothing about analyzers, graphs or LLMs.

# Design tour

1. [`source::ClusterSource`] is where objects come from: **Live** (the kube client, built by
   [`live`] with a read-only guard in its HTTP stack) or **Snapshot** (a directory or archive,
   read by [`snapshot`]). Both produce the same thing: a [`ClusterData`].
2. [`ClusterData`] is one consistent capture: typed objects of every [`Kind`], container logs,
   what could not be read and why (RBAC 403, not served, not in the snapshot), and the capture
   time that time-based rules use. Every object is scrubbed by [`sanitize`] on the way in:
   Secrets keep metadata only, env values, args, annotations, event messages and logs go
   through the shared [`redact`] crate.
3. [`query`] holds the agent's read tools — list, get, describe, events, logs, related objects,
   rollout history — as pure functions over a `ClusterData`, so a live cluster and a snapshot of
   it answer identically.
4. [`capture`] reads a whole cluster with every container's logs, which is what
   `sleuth snapshot` writes with [`snapshot::own::write`], and fetches bounded log tails for
   the analyzers (the `analyzers` crate, which sits on top of this one).

Supporting modules: [`kind`] (the one table of kinds and where each lives in every layout),
[`events`] (core and events.k8s.io events merged, with the timestamp fallback), [`selector`]
(label and field selectors with API-server semantics), [`metrics`] (metrics.k8s.io types).
*/

pub mod capture;
pub mod data;
pub mod error;
pub mod events;
pub mod kind;
pub mod live;
mod memo;
pub mod metrics;
pub mod query;
pub mod sanitize;
pub mod scope;
pub mod selector;
pub mod snapshot;
pub mod source;
pub mod spec;

pub use data::{ClusterData, LogKey, LogText, Problem};
pub use error::{Error, Result};
pub use kind::Kind;
pub use scope::Scope;
pub use source::ClusterSource;
