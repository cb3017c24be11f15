//! The analysis against the labelled evaluation set in `fixtures/analysis/`
//! (30 cases, labels written by a reviewer before the engine was tuned; see
//! that folder's README). The bench `cargo bench --profile dev --bench
//! analysis` prints the same report with timings.

mod common;

/// The floor this test holds the engine to: the agreement measured when
/// the analysis landed (77.5 %), less a point for the noise of taxonomy
/// edits. Issue 11 asks for 90 %; the gap is the reading of meaning the
/// taxonomy does not spell out (see the README's "How the analysis reads a
/// resume"). Raise the floor as the engine improves; never lower it.
const FLOOR: f64 = 0.765;

/// Labelled strengths the engine may still list as gaps (the goal is none;
/// each is a status the engine reads as partial where the reviewer reads
/// met). Lower it as the engine improves; never raise it.
const STRENGTHS_AS_GAPS: usize = 16;

#[test]
fn analysis_agrees_with_the_reviewers_labels() {
    let report = prepbook::analysis::eval::run(
        &common::root().join("fixtures/analysis"),
        &common::engine().packs,
    )
    .expect("evaluation set loads");
    println!("{report}");
    assert!(
        report.cases.len() >= 24,
        "the set has {} cases; it needs at least 24",
        report.cases.len()
    );
    assert!(
        report.strengths_as_gaps <= STRENGTHS_AS_GAPS,
        "{} labelled strengths listed as gaps (at most {STRENGTHS_AS_GAPS}):\n{report}",
        report.strengths_as_gaps
    );
    assert!(
        report.agreement >= FLOOR,
        "agreement {:.3} is below {FLOOR}:\n{report}",
        report.agreement
    );
}
