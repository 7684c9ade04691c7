//! The classifier's cases: readers, writers, unknowns, and writers behind any wrappers.

use super::*;

#[test]
fn read_only_scripts() {
    for s in [
        "kubectl get pods -n shop",
        "kubectl -n monitoring --context prod describe pod prometheus-server-0",
        "kubectl logs web-1 --previous | grep -i error | tail -20",
        "kubectl get events -A --sort-by=.lastTimestamp && kubectl top nodes",
        "kubectl rollout history deployment/log-alerter -n monitoring",
        "kubectl apply -f fix.yaml --dry-run=server",
        "(kubectl get nodes; kubectl get pods -A -o wide) | less",
        "for n in $(kubectl get nodes -o name); do kubectl describe $n | grep -A5 Conditions; done",
        "kubectl get pods -o json | jq '.items[].metadata.name' 2>/dev/null",
        "watch -n 5 kubectl get pods -n monitoring",
        "$ kubectl auth can-i list pods",
        "helm status grafana -n monitoring",
        "curl -s http://prometheus-server.monitoring/-/ready",
        "aws eks describe-nodegroup --cluster-name pinecart-prod --nodegroup-name ops",
        "if kubectl get ns shop; then echo ok; fi",
    ] {
        assert_eq!(classify(s), Safety::ReadOnly, "{s}");
    }
}

#[test]
fn mutating_scripts() {
    for s in [
        "kubectl delete pod web-1",
        "kubectl -n shop --context prod scale deployment/checkout --replicas=0",
        "kubectl rollout restart deployment/grafana -n monitoring",
        "kubectl rollout undo deployment/log-alerter",
        "kubectl get pods -o name | xargs kubectl delete",
        "kubectl get ns && kubectl drain ip-10-0-1-88 --ignore-daemonsets",
        "(kubectl cordon node-1)",
        "echo $(kubectl delete pod x)",
        "kubectl exec -it web-1 -- sh",
        "kubectl exec web-1 --dry-run=client -- ls",
        "kubectl get pods > pods.txt",
        "sed -i 's/a/b/' values.yaml",
        "helm upgrade grafana grafana/grafana -n monitoring",
        "curl -X POST http://alertmanager/api/v2/silences -d @silence.json",
        "sh -c 'kubectl delete ns test'",
        "kubectl patch deployment log-alerter -p '{\"spec\":{\"replicas\":0}}'",
    ] {
        assert_eq!(classify(s), Safety::Mutating, "{s}");
    }
}

#[test]
fn unknown_scripts() {
    for s in ["./fix-everything.sh", "sudo kubectl get pods", "kubectl frobnicate", "echo 'unterminated"] {
        assert_eq!(classify(s), Safety::Unknown, "{s}");
    }
}

/// Commands that write, run arbitrary code or open the network: never read-only.
const WRITERS: &[&str] = &[
    "rm -rf /",
    "kubectl delete pod web-1",
    "perl -e 'system(\"rm -rf /\")'",
    "python3 -c 'import os; os.remove(\"x\")'",
    "ruby -e 'File.delete(\"x\")'",
    "node -e 'require(\"fs\").unlinkSync(\"x\")'",
    "awk 'BEGIN{system(\"rm -rf /\")}'",
    "awk '{print > \"out.txt\"}' pods.txt",
    "awk '{print | \"sh\"}' cmds.txt",
    "kubectl get pods >& pods.txt",
    "kubectl get pods &> pods.txt",
    "kubectl get pods >| pods.txt",
    "nc -l 8080",
    "openssl genrsa -out key.pem 2048",
    "sort -o sorted.txt pods.txt",
    "find /var/log -delete",
    "find . -name '*.tmp' -exec rm {} ;",
    "find . -fprint list.txt",
    "tee out.txt",
    "cp a b",
    "helm uninstall grafana",
    "sh -c 'kubectl delete ns test'",
];

#[test]
fn writers_are_never_read_only() {
    for s in WRITERS {
        assert_ne!(classify(s), Safety::ReadOnly, "{s}");
    }
    for s in ["env rm -rf /", "time -o t.txt ls", "env -S 'rm -rf /'", "watch -n 1 'kubectl delete pod x'"] {
        assert_ne!(classify(s), Safety::ReadOnly, "{s}");
    }
}

#[test]
fn readers_stay_read_only_through_wrappers_and_harmless_flags() {
    for s in [
        "env",
        "env | grep KUBE",
        "env KUBECONFIG=/tmp/k kubectl get pods",
        "kubectl get pods 2>&1 | grep Crash",
        "kubectl get pods 2>/dev/null",
        "awk '$3 > 5 {print $1}' pods.txt",
        "sort -k2 pods.txt | uniq -c",
        "openssl x509 -in cert.pem -noout -text",
        "find . -name '*.yaml'",
        "timeout 10 kubectl get pods",
        "timeout -s KILL 10 kubectl get pods",
        "nice -n 10 kubectl top pods",
        "xargs -I {} kubectl get pod {}",
        "stdbuf -oL kubectl logs web-1 | grep error",
    ] {
        assert_eq!(classify(s), Safety::ReadOnly, "{s}");
    }
}

proptest::proptest! {
    /// Whatever wrappers surround a known writer, it is never labelled read-only.
    #[test]
    fn no_wrapper_makes_a_writer_read_only(
        writer in proptest::sample::select(WRITERS),
        wrappers in proptest::collection::vec(proptest::sample::select(&[
            "env", "env -i", "env FOO=1", "env -u HOME", "nice", "nice -n 5", "ionice -c 3", "nohup",
            "stdbuf -oL", "stdbuf -o L", "timeout 5", "timeout -s KILL 5s", "xargs", "xargs -n 1",
            "xargs -I {}", "sudo", "sudo -u root", "doas", "time", "watch -n 1", "exec", "command",
        ][..]), 0..4),
    ) {
        let mut script = writer.to_string();
        for w in wrappers.iter().rev() {
            script = format!("{w} {script}");
        }
        proptest::prop_assert_ne!(classify(&script), Safety::ReadOnly, "{}", script);
    }
}

#[test]
fn blocks_are_found_with_their_purpose() {
    let md = "Check the node first:\n\n```bash\nkubectl describe node n1\n```\n\nThen, if you must:\n```sh\nkubectl delete pod p\n```\n```yaml\na: b\n```\n";
    let scripts = extract(md);
    assert_eq!(scripts.len(), 2);
    assert_eq!((scripts[0].safety, scripts[0].purpose.as_str()), (Safety::ReadOnly, "Check the node first"));
    assert_eq!(scripts[1].safety, Safety::Mutating);
}
