//! Content packs: the skill taxonomy, one pack per role and one per company,
//! and the shared rules of the playbook (its sections, the behavioural
//! competencies, the degree vocabulary, the phrases the analysis explains
//! itself with). Responsible for loading them (embedded or from `--packs
//! DIR`) and for checking them for authors ([`check_packs`]); not for
//! choosing what a playbook shows (that is [`crate::analysis`] and
//! [`crate::content`]). A new role or company is a new file here, not code.

mod check;
mod model;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

pub use check::{check_packs, coverage};
pub use model::*;

use crate::analysis::TaxonomyIndex;
use crate::error::{Diagnostic, Error, Result, Stage};

/// Every pack a render can use, loaded once and shared.
#[derive(Debug, Clone, Default)]
pub struct Packs {
    /// Skills and concepts with their labels and relations.
    pub taxonomy: Taxonomy,
    /// Role packs by role id: the set of roles is the set of files.
    pub roles: BTreeMap<String, RolePack>,
    /// Company packs by company id.
    pub companies: BTreeMap<String, CompanyPack>,
    /// Sections of the playbook and their order.
    pub playbook: PlaybookSpec,
    /// Behavioural competencies shared by every role.
    pub vocabulary: Vocabulary,
    /// Degree levels and fields.
    pub degrees: Degrees,
    /// Sentences the analysis explains itself with.
    pub phrases: Phrases,
    /// Imported pay data and its mapping (`paydata/`).
    pub pay: crate::paydata::PayData,
    /// A hash of every pack file's bytes, for up-to-date checks.
    pub digest: String,
    /// The taxonomy ready for matching, built on first use and shared by
    /// clones.
    index: Arc<OnceLock<TaxonomyIndex>>,
    /// Where each role and company pack was read from (`companies/google`
    /// → its file), for diagnostics.
    pub files: BTreeMap<String, String>,
}

impl Packs {
    /// The packs shipped in the binary.
    pub fn embedded() -> Result<Self> {
        let files = crate::assets::TEMPLATES
            .iter()
            .filter_map(|(name, bytes)| {
                name.strip_prefix("packs/").map(|n| (n.to_string(), bytes.to_vec()))
            })
            .collect();
        Self::from_files(files, "packs")
    }

    /// Loads every pack under `dir` (`taxonomy.json`, `roles/*.json`,
    /// `companies/*.json`).
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let mut files = Vec::new();
        if !dir.join("playbook.json").is_file() || !dir.join("taxonomy").is_dir() {
            return Err(Error::invalid(
                Stage::Packs,
                "invalid packs directory",
                vec![
                    Diagnostic::new(
                        "expected playbook.json, competencies.json, degrees.json, phrases.json, taxonomy/, roles/ and companies/",
                    )
                    .in_file(dir.display().to_string()),
                ],
            ));
        }
        for name in SHARED_FILES {
            let p = dir.join(name);
            if p.is_file() {
                files.push((name.to_string(), read(&p)?));
            }
        }
        for sub in ["taxonomy", "roles", "companies", "paydata"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if p.extension().is_some_and(|e| e == "json") {
                    let name =
                        format!("{sub}/{}", p.file_name().unwrap().to_string_lossy());
                    files.push((name, read(&p)?));
                }
            }
        }
        Self::from_files(files, &dir.display().to_string())
    }

    /// Adds or replaces one company pack from a file (`--company FILE`).
    pub fn add_company_file(&mut self, path: &Path) -> Result<String> {
        let bytes = read(path)?;
        let shown = path.display().to_string();
        let pack: CompanyPack = parse_pack(&bytes, &shown)?;
        let id = pack.id.clone();
        let mut h = blake3::Hasher::new();
        h.update(self.digest.as_bytes());
        h.update(&bytes);
        self.digest = h.finalize().to_hex().to_string();
        self.companies.insert(id.clone(), pack);
        self.files.insert(format!("companies/{id}"), shown);
        Ok(id)
    }

    fn from_files(files: Vec<(String, Vec<u8>)>, root: &str) -> Result<Self> {
        let mut packs = Packs::default();
        let mut hasher = blake3::Hasher::new();
        let mut diags = Vec::new();
        let mut seen = BTreeMap::new();
        let mut pay = Vec::new();
        for (name, bytes) in &files {
            hasher.update(name.as_bytes());
            hasher.update(bytes);
            let label = format!("{root}/{name}");
            let res = if name.starts_with("taxonomy/") && name.ends_with(".json") {
                parse_pack::<TaxonomyFile>(bytes, &label).map(|f| {
                    packs.taxonomy.concepts.extend(f.concepts);
                })
            } else if name == "playbook.json" {
                parse_pack(bytes, &label).map(|p| packs.playbook = p)
            } else if name == "competencies.json" {
                parse_pack(bytes, &label).map(|p| packs.vocabulary = p)
            } else if name == "degrees.json" {
                parse_pack(bytes, &label).map(|p| packs.degrees = p)
            } else if name == "phrases.json" {
                parse_pack(bytes, &label).map(|p| packs.phrases = p)
            } else if name.starts_with("roles/") {
                parse_pack::<RolePack>(bytes, &label).map(|p| {
                    packs.files.insert(format!("roles/{}", p.id), label.clone());
                    packs.roles.insert(p.id.clone(), p);
                })
            } else if name.starts_with("companies/") {
                parse_pack::<CompanyPack>(bytes, &label).map(|p| {
                    packs.files.insert(format!("companies/{}", p.id), label.clone());
                    packs.companies.insert(p.id.clone(), p);
                })
            } else if let Some(n) = name.strip_prefix("paydata/") {
                pay.push((n.to_string(), bytes.as_slice()));
                Ok(())
            } else {
                Ok(())
            };
            if let Err(e) = res {
                diags.extend(e.diagnostics().iter().cloned());
            }
            seen.insert(name.as_str(), ());
        }
        for name in SHARED_FILES {
            if !seen.contains_key(name) {
                diags.push(
                    Diagnostic::new("missing: every pack set needs this file")
                        .in_file(format!("{root}/{name}")),
                );
            }
        }
        match crate::paydata::PayData::from_files(&pay, root) {
            Ok(p) => packs.pay = p,
            Err(e) => diags.extend(e.diagnostics().iter().cloned()),
        }
        if !diags.is_empty() {
            return Err(Error::invalid(Stage::Packs, "invalid content packs", diags));
        }
        packs.digest = hasher.finalize().to_hex().to_string();
        Ok(packs)
    }

    /// The file pack `kind` (`roles`, `companies`) `id` was read from.
    pub fn file(&self, kind: &str, id: &str) -> String {
        self.files
            .get(&format!("{kind}/{id}"))
            .cloned()
            .unwrap_or_else(|| format!("packs/{kind}/{id}.json"))
    }

    /// The company pack, or an error listing the known ids.
    pub fn company(&self, id: &str) -> Result<&CompanyPack> {
        self.companies.get(id).ok_or_else(|| {
            let known: Vec<_> = self.companies.keys().map(String::as_str).collect();
            Error::invalid(
                Stage::Input,
                "invalid order",
                vec![
                    Diagnostic::new(format!(
                        "unknown company {id:?} (known companies: {})",
                        known.join(", ")
                    ))
                    .at("target.company"),
                ],
            )
        })
    }

    /// The role pack and the company's content for the role, or an error
    /// listing the known roles (or the roles this company covers).
    pub fn role<'a>(
        &'a self,
        company: &'a CompanyPack,
        role: &str,
    ) -> Result<(&'a RolePack, &'a CompanyRole)> {
        let missing = |what: String| {
            Error::invalid(
                Stage::Input,
                "invalid order",
                vec![Diagnostic::new(what).at("target.role")],
            )
        };
        let pack = self.roles.get(role).ok_or_else(|| {
            let known: Vec<_> = self.roles.keys().map(String::as_str).collect();
            missing(format!("unknown role {role:?} (known roles: {})", known.join(", ")))
        })?;
        let cr = company.roles.get(role).ok_or_else(|| {
            let known: Vec<_> = company.roles.keys().map(String::as_str).collect();
            missing(format!(
                "{} has no content for role {role:?} yet (roles available: {})",
                company.name,
                known.join(", ")
            ))
        })?;
        Ok((pack, cr))
    }

    /// The taxonomy as a matcher (built once per pack set).
    pub fn index(&self) -> &TaxonomyIndex {
        self.index.get_or_init(|| TaxonomyIndex::new(&self.taxonomy))
    }

    /// Role ids, in the order the role packs list them (file name order).
    pub fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.roles.keys().map(String::as_str)
    }

    /// Whether a competency id is one of the shared behavioural ones.
    pub fn is_behavioral(&self, id: &str) -> bool {
        self.vocabulary.behavioral.iter().any(|b| b.id == id)
    }

    /// A phrase from `phrases.json` with `{name}` placeholders filled in;
    /// an unknown id comes back as itself so that a missing phrase is
    /// visible rather than silent (the pack check reports it too).
    pub fn phrase(&self, id: &str, args: &[(&str, &str)]) -> String {
        let Some(text) = self.phrases.phrases.get(id) else { return id.to_string() };
        fill(text, args)
    }

    /// The sections of a playbook for a role, in reading order, before the
    /// top-gap rule is applied.
    pub fn sections<'a>(&'a self, role: &'a RolePack) -> &'a [SectionSpec] {
        role.sections.as_deref().unwrap_or(&self.playbook.sections)
    }
}

/// Pack files every set has beside `taxonomy/`, `roles/` and `companies/`.
const SHARED_FILES: [&str; 4] =
    ["playbook.json", "competencies.json", "degrees.json", "phrases.json"];

/// Fills `{name}` placeholders; unknown names stay as written.
pub(crate) fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match args.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(Stage::Packs, path, e))
}

fn parse_pack<T: serde::de::DeserializeOwned>(bytes: &[u8], label: &str) -> Result<T> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::invalid(
            Stage::Packs,
            "invalid content packs",
            vec![Diagnostic::new("expected UTF-8 text").in_file(label)],
        )
    })?;
    crate::model::json::parse_pack(text, label)
        .map_err(|d| Error::invalid(Stage::Packs, "invalid content packs", vec![d]))
}
