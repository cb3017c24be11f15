//! The taxonomy as a matcher: every label of every concept tokenised once,
//! looked up by its first token, matched longest first on token
//! boundaries; and the concept graph (broader concepts, transitively, and
//! adjacent ones) that turns "shipped a learning-to-rank model" into
//! evidence for ranking and machine learning.

use std::collections::{BTreeSet, HashMap};

use super::text::{Token, tokens};
use crate::packs::{Concept, Taxonomy};

/// A concept with this many narrower forms is a broad area: one narrow
/// piece of work does not show it (a single logistic regression is not
/// "machine learning experience"), two do.
const BROAD: usize = 25;

/// Index of a concept in [`TaxonomyIndex::concepts`].
pub(crate) type Cid = usize;

/// How a text is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Running text: names that are also ordinary words match only in the
    /// spelling the taxonomy marks as exact ("Go", not "go").
    Prose,
    /// A keyword list entry ("Skills: go, r"): every spelling matches.
    Keyword,
}

/// One concept found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    /// The concept.
    pub concept: Cid,
    /// Byte range in the text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// Token range in the text's tokens.
    pub toks: (usize, usize),
}

#[derive(Debug)]
struct Term {
    /// Normalised tokens.
    norm: Vec<String>,
    /// Raw tokens, for case-sensitive spellings.
    exact: Option<Vec<String>>,
    concept: Cid,
}

/// The loaded taxonomy, ready to match text (built once per pack set).
#[derive(Debug)]
pub struct TaxonomyIndex {
    concepts: Vec<Concept>,
    by_id: HashMap<String, Cid>,
    /// Terms by their first normalised token, longest first.
    terms: HashMap<String, Vec<Term>>,
    /// Each concept and everything it demonstrates (itself first).
    closure: Vec<Vec<Cid>>,
    /// Adjacent concepts, read both ways.
    adjacent: Vec<BTreeSet<Cid>>,
    /// How many concepts demonstrate each one (its narrower forms,
    /// transitively).
    narrower: Vec<usize>,
}

impl TaxonomyIndex {
    /// Builds the index. Unknown ids in `broader`/`related` are skipped here
    /// (the pack check reports them); a cycle in `broader` cannot loop.
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        let concepts = taxonomy.concepts.clone();
        let by_id: HashMap<String, Cid> =
            concepts.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let mut terms: HashMap<String, Vec<Term>> = HashMap::new();
        for (i, c) in concepts.iter().enumerate() {
            let exact_lower: BTreeSet<String> =
                c.exact.iter().map(|e| e.to_lowercase()).collect();
            let mut add = |label: &str, exact: bool| {
                let toks = tokens(label);
                if toks.is_empty() {
                    return;
                }
                let norm: Vec<String> = toks.iter().map(|t| t.norm.clone()).collect();
                let exact =
                    exact.then(|| toks.iter().map(|t| t.raw.to_string()).collect());
                let list = terms.entry(norm[0].clone()).or_default();
                if !list
                    .iter()
                    .any(|t| t.norm == norm && t.concept == i && t.exact == exact)
                {
                    list.push(Term { norm, exact, concept: i });
                }
            };
            // Labels are the preferred and alternative spellings; the id is
            // not a label ("travel" is the id of travel tech, not the word).
            for label in std::iter::once(&c.pref).chain(&c.alt) {
                // A label that is also an exact spelling matches only in
                // that spelling in prose, which the `exact` entry provides
                // (keyword lists ignore case either way).
                if !exact_lower.contains(&label.to_lowercase()) {
                    add(label, false);
                }
            }
            for e in &c.exact {
                add(e, true);
            }
        }
        for list in terms.values_mut() {
            list.sort_by(|a, b| {
                b.norm.len().cmp(&a.norm.len()).then(a.concept.cmp(&b.concept))
            });
        }
        let n = concepts.len();
        let mut closure = Vec::with_capacity(n);
        for i in 0..n {
            let mut seen = vec![i];
            let mut stack = vec![i];
            while let Some(c) = stack.pop() {
                for b in &concepts[c].broader {
                    if let Some(&j) = by_id.get(b)
                        && !seen.contains(&j)
                    {
                        seen.push(j);
                        stack.push(j);
                    }
                }
            }
            closure.push(seen);
        }
        let mut adjacent = vec![BTreeSet::new(); n];
        for (i, c) in concepts.iter().enumerate() {
            for r in &c.related {
                if let Some(&j) = by_id.get(r)
                    && j != i
                {
                    adjacent[i].insert(j);
                    adjacent[j].insert(i);
                }
            }
        }
        let mut narrower = vec![0; n];
        for c in &closure {
            for &b in c.iter().skip(1) {
                narrower[b] += 1;
            }
        }
        Self { concepts, by_id, terms, closure, adjacent, narrower }
    }

    /// The concept at an index.
    pub(crate) fn concept(&self, c: Cid) -> &Concept {
        &self.concepts[c]
    }

    /// The index of a concept id.
    pub(crate) fn id(&self, id: &str) -> Option<Cid> {
        self.by_id.get(id).copied()
    }

    /// Whether a concept is a broad area ("machine learning") that many
    /// narrower concepts demonstrate.
    pub(crate) fn is_broad(&self, c: Cid) -> bool {
        self.narrower[c] >= BROAD
    }

    /// Whether a topic or competency that lists `listed` teaches `asked`:
    /// the same concept, a narrower form of it, or a broader one that is
    /// not a whole area (model serving is taught by a serving topic, not
    /// by every topic that lists "machine learning").
    pub(crate) fn teaches(&self, listed: Cid, asked: Cid) -> bool {
        listed == asked
            || self.implies(listed, asked)
            || (self.implies(asked, listed) && !self.is_broad(listed))
    }

    /// Whether evidence of `have` demonstrates `want` (it is `want` or a
    /// narrower form of it).
    pub(crate) fn implies(&self, have: Cid, want: Cid) -> bool {
        self.closure[have].contains(&want)
    }

    /// Whether `a` and `b` are adjacent, directly or through what they
    /// demonstrate (XGBoost is adjacent to LightGBM; both to each other's
    /// narrower forms).
    pub(crate) fn adjacent(&self, have: Cid, want: Cid) -> bool {
        self.adjacent[want].contains(&have)
            || self.closure[have].iter().any(|&h| self.adjacent[want].contains(&h))
    }

    /// Concepts named in `text`, in order, longest match first and never
    /// overlapping.
    #[cfg(test)]
    pub(crate) fn find(&self, text: &str, mode: Mode) -> Vec<Mention> {
        let toks = tokens(text);
        self.find_in(&toks, mode)
    }

    /// [`Self::find`] over tokens already made.
    pub(crate) fn find_in(&self, toks: &[Token<'_>], mode: Mode) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let mut matched = None;
            if let Some(list) = self.terms.get(&toks[i].norm) {
                for term in list {
                    if self.matches(term, toks, i, mode) {
                        matched = Some(term);
                        break;
                    }
                }
            }
            match matched {
                Some(term) => {
                    let j = i + term.norm.len();
                    out.push(Mention {
                        concept: term.concept,
                        start: toks[i].start,
                        end: toks[j - 1].end,
                        toks: (i, j),
                    });
                    i = j;
                }
                None => i += 1,
            }
        }
        out
    }

    fn matches(&self, term: &Term, toks: &[Token<'_>], i: usize, mode: Mode) -> bool {
        let n = term.norm.len();
        if i + n > toks.len() {
            return false;
        }
        let window = &toks[i..i + n];
        if !window.iter().zip(&term.norm).all(|(t, w)| &t.norm == w)
            || window.iter().skip(1).any(|t| t.broken)
        {
            return false;
        }
        if mode == Mode::Prose
            && let Some(exact) = &term.exact
        {
            if !window.iter().zip(exact).all(|(t, e)| t.raw == e) {
                return false;
            }
            // A one-letter name is not the R of "R&D", the C of "C-suite"
            // or an initial ("John R. Smith").
            if n == 1 && term.norm[0].chars().count() == 1 {
                let next = toks.get(i + 1);
                let glued = |t: &Token<'_>| t.raw == "&" && !t.broken;
                if next.is_some_and(|t| t.hyphenated || glued(t))
                    || i > 0 && glued(&toks[i - 1])
                {
                    return false;
                }
            }
        }
        true
    }

    /// Distinct concepts named in a text, including those named inside a
    /// longer name ("Teradata SQL" names Teradata and SQL; "machine
    /// learning engineer" names machine learning).
    pub(crate) fn concepts_in(&self, text: &str, mode: Mode) -> BTreeSet<Cid> {
        let toks = tokens(text);
        let mut out = BTreeSet::new();
        for m in self.find_in(&toks, mode) {
            out.insert(m.concept);
            let (i, j) = m.toks;
            for k in i..j {
                let Some(list) = self.terms.get(&toks[k].norm) else { continue };
                for term in list {
                    let n = term.norm.len();
                    if k + n <= j
                        && !(k == i && n == j - i)
                        && self.matches(term, &toks[..j], k, mode)
                    {
                        out.insert(term.concept);
                    }
                }
            }
        }
        out
    }

    /// The concept a keyword list entry names: the whole entry if it is a
    /// label, else every concept mentioned inside it ("Apache Kafka
    /// Streams" names Kafka Streams).
    pub(crate) fn keyword(&self, keyword: &str) -> BTreeSet<Cid> {
        self.concepts_in(keyword, Mode::Keyword)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::{Concept, Taxonomy};

    fn tax() -> Taxonomy {
        let c = |id: &str,
                 pref: &str,
                 alt: &[&str],
                 exact: &[&str],
                 broader: &[&str],
                 related: &[&str]| {
            Concept {
                id: id.into(),
                pref: pref.into(),
                alt: alt.iter().map(|s| s.to_string()).collect(),
                exact: exact.iter().map(|s| s.to_string()).collect(),
                category: "x".into(),
                broader: broader.iter().map(|s| s.to_string()).collect(),
                related: related.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }
        };
        Taxonomy {
            concepts: vec![
                c("machine_learning", "Machine learning", &["ml"], &[], &[], &[]),
                c(
                    "ranking",
                    "Ranking",
                    &["search ranking"],
                    &[],
                    &["machine_learning"],
                    &[],
                ),
                c(
                    "learning_to_rank",
                    "Learning to rank",
                    &["ltr"],
                    &[],
                    &["ranking"],
                    &[],
                ),
                c("go", "Go", &["golang"], &["Go"], &[], &[]),
                c("r", "R", &[], &["R"], &[], &[]),
                c("cpp", "C++", &[], &[], &[], &[]),
                c(
                    "ab_testing",
                    "A/B testing",
                    &["a/b tested", "a/b test"],
                    &[],
                    &["experimentation"],
                    &[],
                ),
                c("experimentation", "Experimentation", &[], &[], &[], &[]),
                c("pytorch", "PyTorch", &["torch"], &[], &[], &["tensorflow"]),
                c("tensorflow", "TensorFlow", &["tf"], &[], &[], &[]),
            ],
        }
    }

    fn ids(ix: &TaxonomyIndex, text: &str, mode: Mode) -> Vec<String> {
        ix.find(text, mode)
            .into_iter()
            .map(|m| ix.concept(m.concept).id.clone())
            .collect()
    }

    #[test]
    fn labels_match_on_boundaries_longest_first() {
        let ix = TaxonomyIndex::new(&tax());
        assert_eq!(
            ids(&ix, "Built learning-to-rank models (LTR)", Mode::Prose),
            ["learning_to_rank", "learning_to_rank"]
        );
        assert_eq!(
            ids(&ix, "A/B-tested it on 30M sessions", Mode::Prose),
            ["ab_testing"]
        );
        assert_eq!(ids(&ix, "wrote C++ services", Mode::Prose), ["cpp"]);
        assert!(ids(&ix, "a torchlight parade", Mode::Prose).is_empty());
    }

    #[test]
    fn ordinary_words_match_only_in_their_exact_spelling() {
        let ix = TaxonomyIndex::new(&tax());
        assert!(ids(&ix, "let's go to the R&D lab", Mode::Prose).is_empty());
        assert_eq!(ids(&ix, "services in Go and R", Mode::Prose), ["go", "r"]);
        assert_eq!(ids(&ix, "go", Mode::Keyword), ["go"]);
    }

    #[test]
    fn broader_concepts_are_implied_transitively_and_related_both_ways() {
        let ix = TaxonomyIndex::new(&tax());
        let (ltr, ml, tf, pt) = (
            ix.id("learning_to_rank").unwrap(),
            ix.id("machine_learning").unwrap(),
            ix.id("tensorflow").unwrap(),
            ix.id("pytorch").unwrap(),
        );
        assert!(ix.implies(ltr, ml));
        assert!(!ix.implies(ml, ltr));
        assert!(ix.adjacent(tf, pt) && ix.adjacent(pt, tf));
    }
}
