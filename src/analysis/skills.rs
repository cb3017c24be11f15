//! Skill recognition through the taxonomy: synonyms and normalisation
//! (`k8s` → Kubernetes, `torch` → PyTorch), matched on word boundaries.

use std::collections::BTreeSet;

use crate::packs::Taxonomy;

/// Finds taxonomy skills in free text and keyword lists.
#[derive(Debug)]
pub(crate) struct SkillMatcher {
    /// (lowercase term, skill id), longest terms first so that
    /// "apache spark" wins over "spark".
    terms: Vec<(String, String)>,
}

impl SkillMatcher {
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        let mut terms = Vec::new();
        for s in &taxonomy.skills {
            let mut push = |t: &str| {
                let t = t.trim().to_lowercase();
                if !t.is_empty() {
                    terms.push((t, s.id.clone()));
                }
            };
            push(&s.id.replace('_', " "));
            push(&s.name);
            for syn in &s.synonyms {
                push(syn);
            }
        }
        terms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        terms.dedup();
        Self { terms }
    }

    /// Skills mentioned in running text. Terms of one or two letters ("c",
    /// "r", "go") are too ambiguous in prose and only count in keyword
    /// lists ([`Self::find_keyword`]).
    pub(crate) fn find_in_text(&self, text: &str) -> BTreeSet<String> {
        let lower = text.to_lowercase();
        let mut found = BTreeSet::new();
        for (term, id) in &self.terms {
            if term.chars().count() <= 2 && term.chars().all(|c| c.is_alphabetic()) {
                continue;
            }
            if found.contains(id) {
                continue;
            }
            if contains_word(&lower, term) {
                found.insert(id.clone());
            }
        }
        found
    }

    /// The skill a single keyword names ("K8s", "Go"), if any: exact match
    /// first, then a mention inside the keyword ("Apache Kafka").
    pub(crate) fn find_keyword(&self, keyword: &str) -> BTreeSet<String> {
        let k = keyword.trim().to_lowercase();
        if let Some((_, id)) = self.terms.iter().find(|(t, _)| *t == k) {
            return BTreeSet::from([id.clone()]);
        }
        self.find_in_text(keyword)
    }
}

/// Whether `term` occurs in `hay` with no letter or digit on either side
/// (and no `+`/`#` after it, so "c" does not match inside "c++").
fn contains_word(hay: &str, term: &str) -> bool {
    let mut start = 0;
    while let Some(i) = hay[start..].find(term) {
        let at = start + i;
        let end = at + term.len();
        let before = hay[..at].chars().next_back();
        let after = hay[end..].chars().next();
        let boundary_before = before.is_none_or(|c| !c.is_alphanumeric());
        let boundary_after =
            after.is_none_or(|c| !c.is_alphanumeric() && c != '+' && c != '#');
        if boundary_before && boundary_after {
            return true;
        }
        start = at + hay[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::SkillEntry;

    fn tax() -> Taxonomy {
        let skill = |id: &str, name: &str, syn: &[&str]| SkillEntry {
            id: id.into(),
            name: name.into(),
            synonyms: syn.iter().map(|s| s.to_string()).collect(),
            category: "x".into(),
            ..Default::default()
        };
        Taxonomy {
            schema_version: 1,
            skills: vec![
                skill("kubernetes", "Kubernetes", &["k8s"]),
                skill("pytorch", "PyTorch", &["torch"]),
                skill("c", "C", &["ansi c"]),
                skill("cpp", "C++", &["c++"]),
                skill("go", "Go", &["golang"]),
                skill("machine_learning", "Machine learning", &["ml"]),
            ],
        }
    }

    #[test]
    fn synonyms_normalise_to_canonical_ids() {
        let m = SkillMatcher::new(&tax());
        let found = m.find_in_text("Deployed torch models on K8s clusters");
        assert_eq!(found, BTreeSet::from(["kubernetes".into(), "pytorch".into()]));
    }

    #[test]
    fn word_boundaries_prevent_false_matches() {
        let m = SkillMatcher::new(&tax());
        assert!(m.find_in_text("a torchlight parade; html5").is_empty());
        assert_eq!(m.find_in_text("wrote C++ services"), BTreeSet::from(["cpp".into()]));
        assert!(m.find_in_text("let's go to the C level").is_empty());
    }

    #[test]
    fn short_names_count_in_keyword_lists() {
        let m = SkillMatcher::new(&tax());
        assert_eq!(m.find_keyword("Go"), BTreeSet::from(["go".into()]));
        assert_eq!(m.find_keyword("ML"), BTreeSet::from(["machine_learning".into()]));
    }
}
