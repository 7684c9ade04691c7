/*!
What is wrong with a cluster, and why: the analyzer rules and the causal-graph builder, over one
capture from the `cluster` crate.

# Design tour

1. [`rules`] runs every rule of the analyzer conformance table over one [`ClusterData`] and
   groups the hits by root object (forty crash-looping pods of one Deployment are one
   [`Finding`]). Rules are pure functions over the capture and an index built once, so a live
   cluster and a snapshot of it give the same findings. The conformance table
   (`rules/fixtures/conformance.yaml`) holds a bad fixture and a healthy twin for each rule.
2. [`diagnose`] ties a [`ClusterSource`] to the rules: one capture, the analyzers, and on a
   live cluster a bounded log tail for the containers the first pass implicated.
3. [`changes`] reads the change timeline of a capture: workload revisions with typed diffs,
   scaling, objects created or edited in place (and by whom), node joins and cordons, with
   controllers' bookkeeping flagged.
4. [`graph`] builds an `rcagraph/v1` graph (the `rcagraph` crate's [`rcagraph::Graph`]) from the
   timeline, the events and the findings, linked by a rule table whose rows only point forward
   in time. Ranking, narrative and rendering of that graph are `rcagraph`'s, so a graph built
   here and one pasted from another tool are explained the same way.
5. [`engine`] answers "why is X failing": the findings about X as symptoms, traced through the
   findings that explain them and lifted through the ranked graph to the cause, as hypotheses
   with a confidence from how complete their evidence is. Every front end asks it.

[`ClusterData`]: cluster::ClusterData
[`ClusterSource`]: cluster::ClusterSource
*/

pub mod changes;
pub mod diagnose;
pub mod engine;
pub mod graph;
pub mod rules;

pub use rules::{Finding, Options, Report, Severity, Suppression, analyze};
