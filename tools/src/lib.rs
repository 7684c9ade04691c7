/*!
Everything that looks at a Kubernetes cluster, read-only: a `ClusterSource` (live through the
kube client, or a snapshot directory), kubectl-grade queries, analyzers that turn objects and
events into findings, and causal root-cause graphs.

This crate is an empty shell until those issues land (see `shared/DESIGN.md` §3–§5); it exists
now so that the workspace has its final shape and the other crates can be written against it.
It will know nothing about LLMs.
*/
