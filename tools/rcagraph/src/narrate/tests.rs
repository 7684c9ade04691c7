use super::*;
use crate::schema::Graph;
use crate::{analyze::Analysis, analyze::analyze, validate::parse_json};

fn example() -> (Graph, Analysis) {
    let g = parse_json(include_str!("../testdata/example.json")).unwrap().graph;
    let a = analyze(&g);
    (g, a)
}

#[test]
fn the_reference_example_reads_like_an_sre_summary() {
    let (g, a) = example();
    let text = markdown(&narrate(&g, &a));
    insta::assert_snapshot!(text);
    // What §9 says a reader should get from it.
    assert!(text.contains("the image of Deployment shop/checkout changed"), "{text}");
    assert!(text.contains("45 s after the image of checkout changed"), "{text}");
    assert!(text.contains("90 s after pod_error of checkout started rising"), "{text}");
    assert!(text.contains("does not reach a symptom"), "{text}");
    assert!(text.contains("only correlate (possible; the BackOff event on checkout-747ccfb9db-78qds came 10 s before the pod_error rise of checkout"), "{text}");
    assert!(
        text.contains("No evidence links the rescheduling onto node1 to checkout 5xx rate above SLO."),
        "{text}"
    );
    for number in ["0.86", "0.8", "0.97", "0.69"] {
        assert!(!text.contains(number), "raw number {number} in {text}");
    }
}

#[test]
fn durations_read_naturally() {
    assert_eq!(duration(45.0), "45 s");
    assert_eq!(duration(135.0), "2 min 15 s");
    assert_eq!(duration(1500.0), "25 min");
    assert_eq!(duration(3900.0), "1 h 5 min");
    assert_eq!(duration(200_000.0), "2 d 7 h");
}

#[test]
fn a_rewrite_must_name_the_cause_and_invent_nothing() {
    let (g, a) = example();
    assert!(
        check_rewrite(
            &g,
            &a,
            "The new image of checkout (reg/checkout:1.5.0) raised pod_error, then the 5xx SLO broke."
        )
        .is_ok()
    );
    let err = check_rewrite(&g, &a, "A memory spike on node1 broke the 5xx SLO.").unwrap_err();
    assert!(err.contains("top root cause"), "{err}");
    let err = check_rewrite(
        &g,
        &a,
        "The image change of checkout broke payments-api-7d9f and Deployment payments.",
    )
    .unwrap_err();
    assert!(err.contains("payments"), "{err}");
}
