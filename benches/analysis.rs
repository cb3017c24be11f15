#![allow(missing_docs)]
//! The analysis against the labelled evaluation set (`fixtures/analysis/`):
//! prints the agreement, the per-kind scores and the confusion matrix of
//! requirement statuses, then times the analysis of every case (the goal
//! is 20 ms per order on one core).
//!
//! Run: `cargo bench --profile dev --bench analysis`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use prepbook::Engine;
use prepbook::analysis::eval;

fn analysis(c: &mut Criterion) {
    let engine = Engine::embedded().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/analysis");
    let report = eval::run(&dir, &engine.packs).unwrap();
    println!("{report}");
    let orders: Vec<prepbook::Order> = eval::load(&dir)
        .unwrap()
        .into_iter()
        .map(|(_, d)| d.resolve(time::macros::date!(2026 - 12 - 01)).unwrap())
        .collect();
    // The index is built once per pack set; build it outside the timing.
    let _ = prepbook::analyze(&orders[0], &engine.packs).unwrap();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(20);
    g.bench_function(format!("all_{}_orders", orders.len()), |b| {
        b.iter(|| {
            for o in &orders {
                std::hint::black_box(prepbook::analyze(o, &engine.packs).unwrap());
            }
        })
    });
    g.finish();
    // Deterministic: the same order gives the same analysis.
    let a = serde_json::to_string(&prepbook::analyze(&orders[0], &engine.packs).unwrap())
        .unwrap();
    let b = serde_json::to_string(&prepbook::analyze(&orders[0], &engine.packs).unwrap())
        .unwrap();
    assert_eq!(a, b, "analysis is deterministic");
}

criterion_group!(benches, analysis);
criterion_main!(benches);
