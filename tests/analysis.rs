//! The analysis of fixture orders, pinned as reviewable snapshots
//! (`tests/snapshots/analysis__*.snap`): each requirement with its verdict,
//! strongest evidence and why; the fit components; the ranked gaps; the
//! level and its steps. A change to the taxonomy, the weights or the
//! phrases shows up here as a diff a reviewer reads like a hiring
//! manager's notes. (Its agreement with labelled cases is measured by
//! `tests/analysis_eval.rs`; this file pins what the reader sees.)
//!
//! After an intended change: `INSTA_UPDATE=always cargo nextest run --test
//! analysis`, then review the diff.

mod common;

use common::*;
use serde_json::{Value, json};

/// What page 3 shows, from the analysis' JSON form (the candidate's
/// evidence units and the question bank are left out: they are long and
/// follow from what is here).
fn reviewed(order: &prepbook::Order) -> Value {
    let a =
        serde_json::to_value(prepbook::analyze(order, &engine().packs).unwrap()).unwrap();
    let requirements: Vec<Value> = a["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!({
                "id": r["id"], "label": r["label"], "kind": r["kind"],
                "status": r["status"], "strength": r["strength"], "why": r["why"],
                "evidence": r["evidence"].as_array().unwrap().iter()
                    .map(|e| format!("{} ({})", e["path"].as_str().unwrap(), e["weight"]))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let components: Vec<Value> = a["fit"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            json!({"id": c["id"], "points": c["points"], "weight": c["weight"],
                        "explanation": c["explanation"]})
        })
        .collect();
    let gaps: Vec<Value> = a["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| json!({"rank": g["rank"], "label": g["label"], "status": g["status"]}))
        .collect();
    json!({
        "posting": a["posting"]["title"],
        "fit": a["fit"]["score"],
        "components": components,
        "requirements": requirements,
        "gaps": gaps,
        "level": {
            "recommended": a["level"]["recommended"],
            "why": a["level"]["why"],
            "steps": a["level"]["steps"],
        },
        "strengths": a["strengths"].as_array().unwrap().iter()
            .map(|s| s["label"].clone()).collect::<Vec<_>>(),
    })
}

fn order_file(name: &str) -> prepbook::Order {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    order_json(serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn the_sample_order() {
    insta::assert_json_snapshot!("sample", reviewed(&order_file("order.sample.json")));
}

#[test]
fn a_new_graduate_for_the_same_job() {
    let mut order: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("order.sample.json")).unwrap(),
    )
    .unwrap();
    order["resume"] = json!({"path": "resume.newgrad.json"});
    order["target"]["level"] = Value::Null;
    insta::assert_json_snapshot!("newgrad", reviewed(&order_json(order).unwrap()));
}

#[test]
fn the_analysis_json_is_what_its_schema_says() {
    // The full form (`prepbook analyze --json`, `POST /v1/analyze`).
    let a = prepbook::analyze(&order_file("order.sample.json"), &engine().packs).unwrap();
    let doc = serde_json::to_value(&a).unwrap();
    validator("analysis.schema.json")(&doc).unwrap_or_else(|e| panic!("{e}"));
    // Every requirement cites resume paths that exist.
    for r in &a.requirements {
        for e in &r.evidence {
            assert!(!e.path.is_empty(), "{}: evidence without a path", r.requirement.id);
        }
    }
}
