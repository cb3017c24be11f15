//! Content packs: the skill taxonomy, one pack per role and one per company.
//! Responsible for loading them (embedded or from `--packs DIR`) and for
//! checking them for authors ([`check_packs`]); not for choosing what a
//! playbook shows (that is [`crate::analysis`] and [`crate::content`]).

mod check;
mod model;

use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use check::BEHAVIORAL;
pub use check::check_packs;
pub use model::*;

use crate::error::{Diagnostic, Error, Result, Stage};
use crate::model::Role;

/// Every pack a render can use, loaded once and shared.
#[derive(Debug, Clone, Default)]
pub struct Packs {
    /// Skills and synonyms.
    pub taxonomy: Taxonomy,
    /// Role packs by role id.
    pub roles: BTreeMap<String, RolePack>,
    /// Company packs by company id.
    pub companies: BTreeMap<String, CompanyPack>,
    /// Imported pay data and its mapping (`paydata/`).
    pub pay: crate::paydata::PayData,
    /// A hash of every pack file's bytes, for up-to-date checks.
    pub digest: String,
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
        let taxonomy = dir.join("taxonomy.json");
        if !taxonomy.is_file() {
            return Err(Error::invalid(
                Stage::Packs,
                "invalid packs directory",
                vec![
                    Diagnostic::new("expected taxonomy.json, roles/ and companies/")
                        .in_file(dir.display().to_string()),
                ],
            ));
        }
        files.push(("taxonomy.json".to_string(), read(&taxonomy)?));
        for sub in ["roles", "companies", "paydata"] {
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
        Ok(id)
    }

    fn from_files(files: Vec<(String, Vec<u8>)>, root: &str) -> Result<Self> {
        let mut packs = Packs::default();
        let mut hasher = blake3::Hasher::new();
        let mut diags = Vec::new();
        let mut pay = Vec::new();
        for (name, bytes) in &files {
            hasher.update(name.as_bytes());
            hasher.update(bytes);
            let label = format!("{root}/{name}");
            let res = if name == "taxonomy.json" {
                parse_pack::<Taxonomy>(bytes, &label).map(|t| packs.taxonomy = t)
            } else if name.starts_with("roles/") {
                parse_pack::<RolePack>(bytes, &label).map(|p| {
                    packs.roles.insert(p.id.clone(), p);
                })
            } else if name.starts_with("companies/") {
                parse_pack::<CompanyPack>(bytes, &label).map(|p| {
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

    /// The role pack and the company's content for the role.
    pub fn role<'a>(
        &'a self,
        company: &'a CompanyPack,
        role: Role,
    ) -> Result<(&'a RolePack, &'a CompanyRole)> {
        let missing = |what: String| {
            Error::invalid(
                Stage::Input,
                "invalid order",
                vec![Diagnostic::new(what).at("target.role")],
            )
        };
        let pack = self.roles.get(role.id()).ok_or_else(|| {
            missing(format!("no role pack for {role:?}", role = role.id()))
        })?;
        let cr = company.roles.get(role.id()).ok_or_else(|| {
            let known: Vec<_> = company.roles.keys().map(String::as_str).collect();
            missing(format!(
                "{} has no content for role {:?} yet (roles available: {})",
                company.name,
                role.id(),
                known.join(", ")
            ))
        })?;
        Ok((pack, cr))
    }
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
