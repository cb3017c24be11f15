//! The JSON Schemas under `schemas/` are the ones generated from the Rust
//! types (`prepbook::schemas::all`), and every fixture order and every
//! shipped pack validates against its schema.
//!
//! After changing a type: `UPDATE_SCHEMAS=1 cargo nextest run --test
//! schemas` rewrites the files; review the diff like code.

mod common;

use std::path::Path;

use common::*;

fn schema_dir() -> std::path::PathBuf {
    root().join("schemas")
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, schema) in prepbook::schemas::all() {
        let path = schema_dir().join(name);
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        if update {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/{stale:?} differ from the types; regenerate with \
         `UPDATE_SCHEMAS=1 cargo nextest run --test schemas` and review the diff"
    );
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_fixture_order_validates() {
    let valid = validator("order.schema.json");
    let mut orders =
        vec![("order.sample.json".to_string(), json_file(&fixture("order.sample.json")))];
    let manifest = std::fs::read_to_string(fixture("manifest.jsonl")).unwrap();
    for (i, line) in manifest.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        orders.push((
            format!("manifest.jsonl:{}", i + 1),
            serde_json::from_str(line).unwrap(),
        ));
    }
    assert!(orders.len() > 40);
    for (name, order) in &orders {
        valid(order).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The schema refuses what the reader refuses, so the check can fail.
    let mut bad = orders[0].1.clone();
    bad["target"]["hours_per_week"] = 0.into();
    assert!(valid(&bad).is_err(), "0 hours per week passed");
    let mut typo = orders[0].1.clone();
    typo["protecton"] = serde_json::json!({"owner_password": "x"});
    assert!(valid(&typo).is_err(), "an unknown field passed");
    let mut protected = orders[0].1.clone();
    protected["protection"] =
        serde_json::json!({"owner_password": "x", "allow_copy": true});
    valid(&protected).unwrap();
}

#[test]
fn every_shipped_pack_validates() {
    let packs = root().join("report_templates/packs");
    let mut checked = 0;
    for (dir, schema) in
        [("roles", "role-pack.schema.json"), ("companies", "company-pack.schema.json")]
    {
        let valid = validator(schema);
        for entry in std::fs::read_dir(packs.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let doc = json_file(&path);
            valid(&doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
        // A misspelt field fails, as the loader refuses it.
        let first = std::fs::read_dir(packs.join(dir)).unwrap().next().unwrap().unwrap();
        let mut doc = json_file(&first.path());
        doc["summry"] = serde_json::json!("x");
        assert!(valid(&doc).is_err(), "{dir}: an unknown field passed");
    }
    assert_eq!(checked, engine().packs.roles.len() + engine().packs.companies.len());

    // The files every pack set shares, and each taxonomy file.
    for (file, schema) in [
        ("playbook.json", "playbook.schema.json"),
        ("competencies.json", "competencies.schema.json"),
        ("degrees.json", "degrees.schema.json"),
        ("phrases.json", "phrases.schema.json"),
    ] {
        let mut doc = json_file(&packs.join(file));
        validator(schema)(&doc).unwrap_or_else(|e| panic!("{file}: {e}"));
        doc["summry"] = serde_json::json!("x");
        assert!(validator(schema)(&doc).is_err(), "{file}: an unknown field passed");
    }
    let taxonomy = validator("taxonomy.schema.json");
    let mut files = 0;
    for entry in std::fs::read_dir(packs.join("taxonomy")).unwrap() {
        let path = entry.unwrap().path();
        taxonomy(&json_file(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files += 1;
    }
    assert!(files >= 6, "only {files} taxonomy files");
}

#[test]
fn error_bodies_validate() {
    let valid = validator("error.schema.json");
    let bad = order_json(serde_json::json!({
        "resume": {"path": "resume.mle.json"},
        "target": {"company": "google", "role": "swe", "hours_per_week": 0,
                   "interview_date": "soon"}
    }))
    .unwrap_err();
    let body = bad.to_json();
    assert!(body["diagnostics"].as_array().unwrap().len() >= 2, "{body}");
    valid(&body).unwrap();
    let mut wrong = body.clone();
    wrong["diagnostics"][0]["line"] = "three".into();
    assert!(valid(&wrong).is_err(), "a string line passed");
}

#[cfg(feature = "service")]
#[test]
fn the_openapi_order_is_the_order_document() {
    // The API's Order schema is generated from the same type as the order
    // document's, so it carries every field the reader accepts.
    let doc = prepbook::service::openapi();
    let order = &doc["components"]["schemas"]["Order"]["properties"];
    let file = json_file(&schema_dir().join("order.schema.json"));
    let fields = |v: &serde_json::Value| -> Vec<String> {
        v.as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(fields(order), fields(&file["properties"]));
    assert!(order.get("protection").is_some());
    // Every reference in the document resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"").skip(1) {
        let name = r.split('"').next().unwrap();
        let name = name.strip_prefix("#/components/").unwrap_or_else(|| panic!("{name}"));
        let (kind, item) = name.split_once('/').unwrap();
        assert!(doc["components"][kind][item].is_object(), "dangling $ref {name}");
    }
}
