//! The pay-data part of `prepbook validate --packs`: the mapping refers
//! only to companies, roles, levels and metros that exist, no name maps to
//! two companies, and every stored row is attributed to a known cell.

use std::collections::{BTreeMap, BTreeSet};

use super::mapping::{Mapper, Mapping, RoleRule, words};
use super::store::STORE_SCHEMA;
use crate::error::Diagnostic;
use crate::packs::Packs;

struct Checker {
    file: String,
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg).at(path).in_file(self.file.clone()));
    }
}

fn ladder<'a>(packs: &'a Packs, company: &str, role: &str) -> Option<Vec<&'a str>> {
    let c = packs.companies.get(company)?;
    Some(c.roles.get(role)?.levels.iter().map(|l| l.id.as_str()).collect())
}

fn role_rules(c: &mut Checker, path: &str, rules: &[RoleRule], packs: &Packs) {
    for (i, r) in rules.iter().enumerate() {
        if !packs.roles.contains_key(&r.role) {
            c.err(format!("{path}[{i}].role"), format!("unknown role {:?}", r.role));
        }
        if r.all.iter().all(|p| words(p).is_empty()) {
            c.err(format!("{path}[{i}].all"), "a role rule needs at least one phrase");
        }
    }
}

/// Problems in a mapping, located in `file`.
pub(crate) fn check_mapping(m: &Mapping, packs: &Packs, file: &str) -> Vec<Diagnostic> {
    let mut c = Checker { file: file.into(), diags: Vec::new() };
    if m.schema_version != 1 {
        c.err("schema_version", format!("expected 1, found {}", m.schema_version));
    }
    let metros: BTreeSet<&str> = m.metros.iter().map(|x| x.id.as_str()).collect();
    let mapper = Mapper::new(m);
    let mut employers: BTreeMap<String, &str> = BTreeMap::new();
    for (id, cm) in &m.companies {
        let p = format!("companies.{id}");
        if !packs.companies.contains_key(id) {
            c.err(&p, format!("no company pack {id:?}"));
            continue;
        }
        if cm.employers.is_empty() {
            c.err(format!("{p}.employers"), "list at least one legal name");
        }
        for (i, e) in cm.employers.iter().enumerate() {
            let key = mapper.employer_key(e);
            if let Some(other) = employers.insert(key.clone(), id)
                && other != id
            {
                c.err(
                    format!("{p}.employers[{i}]"),
                    format!("{e:?} also maps to {other:?} (both read as {key:?})"),
                );
            }
        }
        if !metros.contains(cm.default_metro.as_str()) {
            c.err(
                format!("{p}.default_metro"),
                format!("unknown metro {:?}", cm.default_metro),
            );
        }
        for (i, r) in cm.levels.iter().enumerate() {
            let rp = format!("{p}.levels[{i}]");
            if r.roles.is_empty() {
                c.err(format!("{rp}.roles"), "name the roles the rule applies to");
            }
            for role in &r.roles {
                let Some(ids) = ladder(packs, id, role) else {
                    c.err(format!("{rp}.roles"), format!("{id} has no role {role:?}"));
                    continue;
                };
                if let Some(level) = &r.level
                    && !ids.contains(&level.as_str())
                {
                    c.err(
                        format!("{rp}.level"),
                        format!(
                            "{level:?} is not a {id} {role} level (levels: {})",
                            ids.join(", ")
                        ),
                    );
                }
            }
            if r.level.is_none() && r.why.trim().is_empty() {
                c.err(format!("{rp}.why"), "say why the title cannot place a level");
            }
        }
    }
    for (code, s) in &m.soc {
        let ok = code.len() == 7
            && code
                .chars()
                .enumerate()
                .all(|(i, ch)| if i == 2 { ch == '-' } else { ch.is_ascii_digit() });
        if !ok {
            c.err(format!("soc.{code}"), "expected a SOC code like 15-1252");
        }
        role_rules(&mut c, &format!("soc.{code}.roles"), &s.roles, packs);
    }
    role_rules(&mut c, "titles", &m.titles, packs);
    let mut places: BTreeMap<(String, String), &str> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for (i, metro) in m.metros.iter().enumerate() {
        if !ids.insert(metro.id.as_str()) {
            c.err(format!("metros[{i}].id"), format!("duplicate metro {:?}", metro.id));
        }
        if metro.places.iter().all(|p| p.cities.is_empty()) {
            c.err(format!("metros[{i}].places"), "list at least one city");
        }
        for (j, p) in metro.places.iter().enumerate() {
            for city in &p.cities {
                let key = (p.region.to_uppercase(), words(city).join(" "));
                if let Some(other) = places.insert(key, &metro.id) {
                    c.err(
                        format!("metros[{i}].places[{j}].cities"),
                        format!("{city}, {} is also in {other:?}", p.region),
                    );
                }
            }
        }
    }
    c.diags
}

/// Every pay-data problem in the packs (`root` names their directory).
pub fn check(packs: &Packs, root: &str) -> Vec<Diagnostic> {
    let pay = &packs.pay;
    let mut out =
        check_mapping(pay.mapping(), packs, &format!("{root}/paydata/mapping.json"));
    let metros: BTreeSet<&str> =
        pay.mapping().metros.iter().map(|m| m.id.as_str()).collect();
    for (name, store) in pay.stores() {
        let mut c =
            Checker { file: format!("{root}/paydata/{name}.json"), diags: Vec::new() };
        if store.schema_version != STORE_SCHEMA {
            c.err(
                "schema_version",
                format!("expected {STORE_SCHEMA}, found {}", store.schema_version),
            );
        }
        if store.format != "lca" && store.format != "csv" {
            c.err(
                "format",
                format!("expected \"lca\" or \"csv\", found {:?}", store.format),
            );
        }
        if store.label.trim().is_empty() {
            c.err("label", "name the source the playbook prints");
        }
        let mut last: Option<&str> = None;
        for (i, r) in store.rows.iter().enumerate() {
            let p = format!("rows[{i}]");
            if last.is_some_and(|l| l >= r.id.as_str()) {
                c.err(
                    format!("{p}.id"),
                    format!("ids must be unique and sorted ({:?})", r.id),
                );
            }
            last = Some(&r.id);
            match ladder(packs, &r.company, &r.role) {
                None => c.err(&p, format!("no {} {} in the packs", r.company, r.role)),
                Some(ids) if !ids.contains(&r.level.as_str()) => c.err(
                    format!("{p}.level"),
                    format!("{:?} is not a {} {} level", r.level, r.company, r.role),
                ),
                Some(_) => {}
            }
            if !metros.contains(r.metro.as_str()) {
                c.err(format!("{p}.metro"), format!("unknown metro {:?}", r.metro));
            }
            if super::read::parse_date(&r.date).is_none() {
                c.err(format!("{p}.date"), format!("{:?} is not a date", r.date));
            }
            if r.base <= 0 || r.currency.len() != 3 {
                c.err(&p, "expected a positive base and an ISO currency");
            }
        }
        out.extend(c.diags);
    }
    out
}
