//! Stage 3c: sections and entries into a JSON Resume document, with the
//! import report under `meta.prepbook.import`: the kind, each section's
//! lines and confidence, each entry's lines, confidence and guessed
//! fields, and the lines nothing took (so nothing is dropped unseen).
//!
//! Line numbers in the report count the lines the reader produced, from
//! 1; for a text file they are its non-blank lines.

use serde_json::{Map, Value, json};

use super::entries::{self, Entry};
use super::sections::{self, Header, Kind};
use super::{Budget, ImportError, Line};

/// The recognised resume and its report.
pub(crate) fn resume(
    lines: &[Line],
    kind: &str,
    budget: &mut Budget,
) -> Result<Value, ImportError> {
    let sections = sections::split(lines, budget)?;
    let mut used = vec![false; lines.len()];
    let mut header = Header::default();
    let mut lists: Vec<(&'static str, Vec<Entry>)> = Vec::new();
    let mut summary: Option<String> = None;
    let mut report_sections = Vec::new();
    for s in &sections {
        budget.spend(10 + s.body.len() as u64 * 8)?;
        if let Some(h) = s.heading {
            used[h] = true;
        }
        if s.heading.is_some() || !s.body.is_empty() {
            let first = s.heading.unwrap_or(s.body.start);
            let last = s.body.end.max(first + 1);
            report_sections.push(json!({
                "name": s.kind.name(),
                "lines": [first + 1, last],
                "confidence": round(s.confidence),
            }));
        }
        let body = s.body.clone();
        let list = |key: &'static str,
                    e: Vec<Entry>,
                    lists: &mut Vec<(&'static str, Vec<Entry>)>| {
            match lists.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.extend(e),
                None => lists.push((key, e)),
            }
        };
        match s.kind {
            Kind::Header => {
                sections::header(lines, body, &mut header);
                for &i in &header.used {
                    used[i] = true;
                }
            }
            Kind::Summary => {
                if let Some(t) = entries::summary(lines, body.clone()) {
                    summary = Some(match summary.take() {
                        Some(prev) => format!("{prev} {t}"),
                        None => t,
                    });
                    body.for_each(|i| used[i] = true);
                }
            }
            Kind::Work => list("work", entries::work(lines, body, "name"), &mut lists),
            Kind::Volunteer => {
                list("volunteer", entries::work(lines, body, "organization"), &mut lists)
            }
            Kind::Education => {
                list("education", entries::education(lines, body), &mut lists)
            }
            Kind::Skills => list("skills", entries::skills(lines, body), &mut lists),
            Kind::Projects => {
                list("projects", entries::projects(lines, body), &mut lists)
            }
            Kind::Awards => list(
                "awards",
                entries::items(lines, body, ["title", "awarder", "date"]),
                &mut lists,
            ),
            Kind::Certificates => list(
                "certificates",
                entries::items(lines, body, ["name", "issuer", "date"]),
                &mut lists,
            ),
            Kind::Publications => list(
                "publications",
                entries::items(lines, body, ["name", "publisher", "releaseDate"]),
                &mut lists,
            ),
            Kind::Languages => {
                list("languages", entries::languages(lines, body), &mut lists)
            }
            Kind::Interests => {
                list("interests", entries::interests(lines, body), &mut lists)
            }
            Kind::References | Kind::Other => {}
        }
    }
    let basics = basics(lines, &header, summary);
    let mut doc = Map::new();
    doc.insert("basics".into(), Value::Object(basics));
    let mut report_entries = Vec::new();
    for (key, list) in &lists {
        let values: Vec<Value> =
            list.iter().map(|e| Value::Object(e.value.clone())).collect();
        if values.is_empty() {
            continue;
        }
        for (n, e) in list.iter().enumerate() {
            for &i in &e.lines {
                used[i] = true;
            }
            let lines: Vec<usize> = e.lines.iter().map(|i| i + 1).collect();
            report_entries.push(json!({
                "path": format!("{key}[{n}]"),
                "lines": [lines.first(), lines.last()],
                "confidence": round(e.confidence),
                "uncertain": e.uncertain,
            }));
        }
        doc.insert((*key).into(), Value::Array(values));
    }
    let unplaced: Vec<Value> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(i, l)| json!({"line": i + 1, "text": l.text}))
        .collect();
    doc.insert(
        "meta".into(),
        json!({"prepbook": {"import": {
            "kind": kind,
            "sections": report_sections,
            "entries": report_entries,
            "unplaced": unplaced,
        }}}),
    );
    Ok(Value::Object(doc))
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}

fn basics(lines: &[Line], h: &Header, summary: Option<String>) -> Map<String, Value> {
    let mut b = Map::new();
    let mut put = |k: &str, v: &Option<(usize, String)>| {
        if let Some((_, v)) = v {
            b.insert(k.into(), v.clone().into());
        }
    };
    put("name", &h.name);
    put("label", &h.label);
    put("email", &h.email);
    put("phone", &h.phone);
    put("url", &h.url);
    let summary = summary
        .or_else(|| (!h.summary.is_empty()).then(|| entries::join(lines, &h.summary)));
    if let Some(s) = summary {
        b.insert("summary".into(), s.into());
    }
    if let Some((_, city, region, country)) = &h.location {
        let mut loc = Map::new();
        loc.insert("city".into(), city.clone().into());
        if let Some(r) = region {
            loc.insert("region".into(), r.clone().into());
        }
        if let Some(c) = country {
            loc.insert("countryCode".into(), c.clone().into());
        }
        b.insert("location".into(), Value::Object(loc));
    }
    if !h.profiles.is_empty() {
        let p: Vec<Value> = h
            .profiles
            .iter()
            .map(|(_, network, username, url)| {
                json!({"network": network, "username": username, "url": url})
            })
            .collect();
        b.insert("profiles".into(), Value::Array(p));
    }
    b
}
