//! JSON Schemas of the documents prepbook reads and writes, generated from
//! the Rust types that read and write them, so that schema and code cannot
//! disagree: the order document, every kind of pack file (roles,
//! companies, taxonomy, playbook, competencies, degrees, phrases), the
//! analysis (`prepbook analyze --json`), the error body and (with the `service` feature) the OpenAPI document of the HTTP
//! API. The files under `schemas/` are these, committed; `tests/schemas.rs`
//! fails when they differ and rewrites them with `UPDATE_SCHEMAS=1`.
//!
//! Not here: the resume and job documents, whose schema is JSON Resume's
//! own (prepbook reads the fields it uses and ignores the rest).

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;

/// Where the published schemas say they live.
const BASE: &str = "https://prepbook.example/schemas/";

/// Every published schema as (file name under `schemas/`, schema).
///
/// A type that derives [`JsonSchema`] is published by one more line here.
pub fn all() -> Vec<(&'static str, serde_json::Value)> {
    let documents = vec![
        document::<crate::model::order::RawOrder<'_>>("order.schema.json"),
        document::<crate::packs::RolePack>("role-pack.schema.json"),
        document::<crate::packs::CompanyPack>("company-pack.schema.json"),
        document::<crate::packs::TaxonomyFile>("taxonomy.schema.json"),
        document::<crate::packs::PlaybookSpec>("playbook.schema.json"),
        document::<crate::packs::Vocabulary>("competencies.schema.json"),
        document::<crate::packs::Degrees>("degrees.schema.json"),
        document::<crate::packs::Phrases>("phrases.schema.json"),
        document::<crate::error::ErrorBody>("error.schema.json"),
        document::<crate::Analysis>("analysis.schema.json"),
    ];
    #[cfg(feature = "service")]
    let documents = {
        let mut documents = documents;
        documents.push(("openapi.json", crate::service::openapi()));
        documents
    };
    documents
}

/// The schema of one document type (JSON Schema draft 2020-12), named
/// `name` under `schemas/`.
fn document<T: JsonSchema>(name: &'static str) -> (&'static str, serde_json::Value) {
    let mut schema =
        SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>();
    schema.insert("$id".into(), format!("{BASE}{name}").into());
    (name, schema.to_value())
}

/// The named component schemas of the types `add` asks for and everything
/// they refer to, in OpenAPI 3.0's dialect (`#/components/schemas/…`,
/// `nullable`), for the service's OpenAPI document.
#[cfg(feature = "service")]
pub(crate) fn components(
    add: impl FnOnce(&mut schemars::SchemaGenerator),
) -> serde_json::Map<String, serde_json::Value> {
    let mut generator = SchemaSettings::openapi3().into_generator();
    add(&mut generator);
    generator.take_definitions(true)
}
