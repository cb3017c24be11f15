#![allow(missing_docs)]
//! Whole-pipeline and per-stage benchmarks on the sample order
//! (`fixtures/order.sample.json`), with the engine warm (fonts, templates
//! and packs loaded once, as in the batch runner and the service).
//!
//! Run: `cargo bench --bench pipeline`. Compare stages against `render`
//! in the same run; absolute times depend on the machine.

use criterion::{Criterion, criterion_group, criterion_main};
use prepbook::{Engine, OrderDraft, PathPolicy, RenderOptions};

fn order() -> prepbook::Order {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let text = std::fs::read_to_string(root.join("order.sample.json")).unwrap();
    OrderDraft::from_json(&text, None, &PathPolicy::within(root))
        .unwrap()
        .resolve(time::macros::date!(2026 - 11 - 27))
        .unwrap()
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::embedded().unwrap();
    let order = order();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.bench_function("analysis", |b| {
        b.iter(|| prepbook::analyze(&order, &engine.packs).unwrap())
    });
    g.bench_function("content", |b| b.iter(|| engine.source(&order).unwrap()));
    g.bench_function("render", |b| {
        b.iter(|| engine.render(&order, &RenderOptions::default()).unwrap())
    });
    g.bench_function("render_untagged", |b| {
        b.iter(|| {
            engine
                .render(&order, &RenderOptions { tagged: false, ..Default::default() })
                .unwrap()
        })
    });
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.bench_function("engine_embedded", |b| b.iter(|| Engine::embedded().unwrap()));
    g.finish();
}

criterion_group!(benches, pipeline, startup);
criterion_main!(benches);
