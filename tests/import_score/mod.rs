//! Scores an imported resume against its truth: the facts a candidate
//! would notice missing, counted one by one, so a layout's recovery is a
//! number and a miss has a name.
//!
//! Facts: basics.name, basics.email; per work entry its name, position,
//! start month and end month (or "present"); its highlights; per education
//! entry institution, studyType and area; every skill keyword. Text is
//! compared normalised (case, spaces and punctuation ignored). Facts the
//! manifest says a layout leaves out are not counted.

#![allow(dead_code, unreachable_pub)]

use serde_json::Value;

/// Facts found out of facts counted, with the misses named.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub facts: usize,
    pub found: usize,
    pub misses: Vec<String>,
}

impl Score {
    pub fn ratio(&self) -> f64 {
        if self.facts == 0 { 1.0 } else { self.found as f64 / self.facts as f64 }
    }

    pub fn add(&mut self, other: &Score) {
        self.facts += other.facts;
        self.found += other.found;
    }
}

/// Lowercase letters and digits only.
pub fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(norm).filter(|s| !s.is_empty())
}

/// A date down to the month the truth gives (`2021-03-14` → `2021-03`).
fn month(v: &Value) -> Option<String> {
    v.as_str().map(|s| s.chars().take(7).collect())
}

struct Counter<'a> {
    score: Score,
    omitted: &'a [String],
}

impl Counter<'_> {
    fn fact(&mut self, path: &str, ok: bool) {
        if self.omitted.iter().any(|o| {
            path == o
                || path.starts_with(&format!("{o}."))
                || path.starts_with(&format!("{o}["))
        }) {
            return;
        }
        self.score.facts += 1;
        if ok {
            self.score.found += 1;
        } else {
            self.score.misses.push(path.to_string());
        }
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

/// Pairs each truth entry with the unused predicted entry that shares
/// most of `keys`.
fn pair<'a>(truth: &[Value], got: &'a [Value], keys: &[&str]) -> Vec<Option<&'a Value>> {
    let mut used = vec![false; got.len()];
    truth
        .iter()
        .map(|t| {
            let best = got
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, g)| {
                    let same = keys
                        .iter()
                        .filter(|k| {
                            text(&t[**k]).is_some() && text(&t[**k]) == text(&g[**k])
                        })
                        .count();
                    (i, same)
                })
                .filter(|(_, same)| *same > 0)
                .max_by_key(|(i, same)| (*same, std::cmp::Reverse(*i)));
            best.map(|(i, _)| {
                used[i] = true;
                &got[i]
            })
        })
        .collect()
}

/// Scores `got` (an imported JSON Resume) against `truth`.
pub fn score(truth: &Value, got: &Value, omitted: &[String]) -> Score {
    let mut c = Counter { score: Score::default(), omitted };
    for key in ["name", "email"] {
        if let Some(t) = text(&truth["basics"][key]) {
            c.fact(&format!("basics.{key}"), text(&got["basics"][key]) == Some(t));
        }
    }
    let tw = list(truth, "work");
    let gw = list(got, "work");
    for (i, (t, g)) in
        tw.iter().zip(pair(tw, gw, &["name", "position", "startDate"])).enumerate()
    {
        let null = Value::Null;
        let g = g.unwrap_or(&null);
        for key in ["name", "position"] {
            if let Some(tv) = text(&t[key]) {
                c.fact(&format!("work[{i}].{key}"), text(&g[key]) == Some(tv));
            }
        }
        if let Some(ts) = month(&t["startDate"]) {
            let gs = month(&g["startDate"]);
            c.fact(&format!("work[{i}].startDate"), gs.as_deref() == Some(ts.as_str()));
        }
        let te = month(&t["endDate"]);
        let ge = month(&g["endDate"]);
        let ok = match &te {
            // "Present": no end date, and the entry was found.
            None => ge.is_none() && !g.is_null(),
            Some(te) => ge.as_deref() == Some(te.as_str()),
        };
        c.fact(&format!("work[{i}].endDate"), ok);
        let gh: Vec<String> = list(g, "highlights").iter().filter_map(text).collect();
        for (j, h) in list(t, "highlights").iter().enumerate() {
            if let Some(h) = text(h) {
                c.fact(&format!("work[{i}].highlights[{j}]"), gh.contains(&h));
            }
        }
    }
    let te = list(truth, "education");
    let ge = list(got, "education");
    for (i, (t, g)) in
        te.iter().zip(pair(te, ge, &["institution", "area", "studyType"])).enumerate()
    {
        let null = Value::Null;
        let g = g.unwrap_or(&null);
        for key in ["institution", "studyType", "area"] {
            if let Some(tv) = text(&t[key]) {
                c.fact(&format!("education[{i}].{key}"), text(&g[key]) == Some(tv));
            }
        }
    }
    let keywords: Vec<String> = list(got, "skills")
        .iter()
        .flat_map(|s| list(s, "keywords"))
        .filter_map(text)
        .collect();
    for (i, s) in list(truth, "skills").iter().enumerate() {
        for (j, k) in list(s, "keywords").iter().enumerate() {
            if let Some(k) = text(k) {
                c.fact(&format!("skills[{i}].keywords[{j}]"), keywords.contains(&k));
            }
        }
    }
    c.score
}
