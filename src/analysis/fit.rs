//! The fit score as an explanation tree: four components that add up
//! exactly to the score, each naming the requirements (or competencies)
//! behind it and saying in one sentence how its points were earned; and
//! the coverage of every competency the company emphasises for the role.

use serde::Serialize;

use super::assess::{Assessed, Context, Status, best_of};
use super::evidence::UnitKind;
use super::index::Cid;
use super::posting::Kind;
use super::text::{contains_phrase, tokens};
use crate::packs::{CompanyRole, Packs, RolePack};

/// Coverage of one competency the company emphasises.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CompetencyFit {
    /// Competency id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Behavioural (shared) rather than technical.
    pub behavioral: bool,
    /// The company's weight for it, 0..1 (weights sum to 1).
    pub emphasis: f64,
    /// How much of it the resume shows, 0..1.
    pub coverage: f64,
    /// Resume paths that show it.
    pub evidence: Vec<String>,
}

/// One component of the fit score.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Component {
    /// `required`, `preferred`, `responsibilities` or `emphasis`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Points available (after redistributing components with nothing to
    /// score).
    pub weight: u32,
    /// Points earned; the components' points add up to the score.
    pub points: u32,
    /// `points / weight`, for bars.
    pub share: f64,
    /// Requirements (or competencies) behind it.
    pub items: Vec<String>,
    /// Counts of met, partial and missing items.
    pub met: usize,
    /// Partially met items.
    pub partial: usize,
    /// Missing items.
    pub missing: usize,
    /// How the points were earned, in one sentence.
    pub explanation: String,
}

/// The fit assessment.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Fit {
    /// 0..100: the sum of the components' points.
    pub score: u32,
    /// The components.
    pub components: Vec<Component>,
    /// Company emphasis coverage, heaviest first.
    pub competencies: Vec<CompetencyFit>,
}

/// Nominal points per component; a component with nothing to score gives
/// its points to the others in proportion.
const WEIGHTS: [(&str, f64); 4] = [
    ("required", 55.0),
    ("preferred", 15.0),
    ("responsibilities", 10.0),
    ("emphasis", 20.0),
];

/// Coverage of each competency the company emphasises for the role.
pub(crate) fn competencies(
    c: &Context<'_>,
    role: &RolePack,
    company_role: &CompanyRole,
) -> Vec<CompetencyFit> {
    let mut out: Vec<CompetencyFit> = company_role
        .emphasis
        .iter()
        .map(|(id, &w)| {
            let behavioral = c.packs.is_behavioral(id);
            let (coverage, evidence) = if behavioral {
                behavioral_coverage(id, c)
            } else {
                technical_coverage(id, role, c)
            };
            CompetencyFit {
                id: id.clone(),
                name: competency_name(c.packs, role, id),
                behavioral,
                emphasis: w,
                coverage: (coverage * 100.0).round() / 100.0,
                evidence,
            }
        })
        .collect();
    out.sort_by(|a, b| b.emphasis.total_cmp(&a.emphasis).then(a.id.cmp(&b.id)));
    out
}

/// A competency's display name: the role pack's, else the shared
/// vocabulary's, else its id.
pub(crate) fn competency_name(packs: &Packs, role: &RolePack, id: &str) -> String {
    role.competencies
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .or_else(|| {
            packs
                .vocabulary
                .behavioral
                .iter()
                .find(|b| b.id == id)
                .map(|b| b.name.clone())
        })
        .unwrap_or_else(|| humanize(id))
}

fn technical_coverage(id: &str, role: &RolePack, c: &Context<'_>) -> (f64, Vec<String>) {
    let skills: Vec<Cid> = role
        .competencies
        .iter()
        .find(|x| x.id == id)
        .map(|x| x.skills.iter().filter_map(|s| c.ix.id(s)).collect())
        .unwrap_or_default();
    if skills.is_empty() {
        return (0.0, Vec::new());
    }
    let mut found: Vec<(f64, Option<String>)> = skills
        .iter()
        .map(|&s| {
            let (strength, pieces) = best_of(&[s], c);
            (strength, pieces.first().map(|p| p.path.clone()))
        })
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    let n = skills.len().min(3);
    let coverage = found.iter().take(n).map(|f| f.0).sum::<f64>() / n as f64;
    let mut paths: Vec<String> = found.into_iter().filter_map(|f| f.1).collect();
    paths.dedup();
    paths.truncate(4);
    (coverage.min(1.0), paths)
}

/// Whether an accomplishment shows a behavioural competency, by the
/// vocabulary's signal words.
pub(crate) fn shows_behavior(packs: &Packs, id: &str, text: &str) -> bool {
    let Some(b) = packs.vocabulary.behavioral.iter().find(|b| b.id == id) else {
        return false;
    };
    let toks = tokens(text);
    b.signals.iter().any(|s| contains_phrase(&toks, s))
}

fn behavioral_coverage(id: &str, c: &Context<'_>) -> (f64, Vec<String>) {
    let mut entries = std::collections::BTreeSet::new();
    let mut paths = Vec::new();
    for u in c.units {
        if u.kind.is_story() && shows_behavior(c.packs, id, &u.text) {
            paths.push(u.path.clone());
            entries.insert(u.entry_key());
        }
    }
    // Two entries that show it are what an interviewer needs: two stories.
    let coverage = (entries.len() as f64 / 2.0).min(1.0);
    paths.truncate(4);
    (coverage, paths)
}

/// Splits `total` points over `raw` shares so that the integers add up
/// exactly (largest remainder).
fn apportion(raw: &[f64], total: u32) -> Vec<u32> {
    let mut pts: Vec<u32> = raw.iter().map(|r| r.floor() as u32).collect();
    let mut left = total.saturating_sub(pts.iter().sum());
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor()).total_cmp(&(raw[a] - raw[a].floor())).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        pts[i] += 1;
        left -= 1;
    }
    pts
}

/// Scores the assessed requirements and the competency coverage.
pub(crate) fn score(packs: &Packs, reqs: &[Assessed], comps: Vec<CompetencyFit>) -> Fit {
    let bucket = |kind: Kind| -> Vec<&Assessed> {
        reqs.iter().filter(|r| r.requirement.kind == kind).collect()
    };
    let buckets =
        [bucket(Kind::Required), bucket(Kind::Preferred), bucket(Kind::Responsibility)];
    let credit = |rs: &[&Assessed]| -> Option<f64> {
        (!rs.is_empty())
            .then(|| rs.iter().map(|r| r.status.credit()).sum::<f64>() / rs.len() as f64)
    };
    let total_emph: f64 = comps.iter().map(|c| c.emphasis).sum();
    let emphasis_credit = (total_emph > 0.0)
        .then(|| comps.iter().map(|c| c.emphasis * c.coverage).sum::<f64>() / total_emph);
    let credits =
        [credit(&buckets[0]), credit(&buckets[1]), credit(&buckets[2]), emphasis_credit];
    // Points of components with nothing to score go to the others.
    let live: f64 =
        WEIGHTS.iter().zip(&credits).filter(|(_, c)| c.is_some()).map(|(w, _)| w.1).sum();
    let scale = if live > 0.0 { 100.0 / live } else { 0.0 };
    let nominal: Vec<f64> = WEIGHTS
        .iter()
        .zip(&credits)
        .map(|(w, c)| if c.is_some() { w.1 * scale } else { 0.0 })
        .collect();
    let weights = apportion(&nominal, if live > 0.0 { 100 } else { 0 });
    let raw: Vec<f64> = weights
        .iter()
        .zip(&credits)
        .map(|(&w, c)| f64::from(w) * c.unwrap_or(0.0))
        .collect();
    let score = raw.iter().sum::<f64>().round() as u32;
    let points = apportion(&raw, score);
    let mut components = Vec::new();
    for (i, (id, _)) in WEIGHTS.iter().enumerate() {
        if credits[i].is_none() {
            continue;
        }
        let (items, met, partial, missing) = if i < 3 {
            let rs = &buckets[i];
            let count = |s: Status| rs.iter().filter(|r| r.status == s).count();
            (
                rs.iter().map(|r| r.requirement.id.clone()).collect(),
                count(Status::Met),
                count(Status::Partial),
                count(Status::Missing),
            )
        } else {
            let count =
                |f: &dyn Fn(f64) -> bool| comps.iter().filter(|c| f(c.coverage)).count();
            (
                comps.iter().map(|c| c.id.clone()).collect(),
                count(&|c| c >= 0.62),
                count(&|c| (0.2..0.62).contains(&c)),
                count(&|c| c < 0.2),
            )
        };
        let n = met + partial + missing;
        let args = [
            ("met", met.to_string()),
            ("partial", partial.to_string()),
            ("missing", missing.to_string()),
            ("n", n.to_string()),
            ("points", points[i].to_string()),
            ("weight", weights[i].to_string()),
            ("top", comps.first().map(|c| c.name.clone()).unwrap_or_default()),
        ];
        let args: Vec<(&str, &str)> =
            args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        components.push(Component {
            id: id.to_string(),
            name: packs.phrase(&format!("fit.{id}.name"), &[]),
            weight: weights[i],
            points: points[i],
            share: if weights[i] > 0 {
                (f64::from(points[i]) / f64::from(weights[i]) * 100.0).round() / 100.0
            } else {
                0.0
            },
            items,
            met,
            partial,
            missing,
            explanation: packs.phrase(&format!("fit.{id}"), &args),
        });
    }
    Fit { score, components, competencies: comps }
}

/// An id as words: `ml_system_design` → "Ml system design".
pub(crate) fn humanize(id: &str) -> String {
    let s = id.replace('_', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Whether a unit kind demonstrates rather than claims.
pub(crate) fn demonstrates(kind: UnitKind) -> bool {
    !matches!(kind, UnitKind::SkillList | UnitKind::Summary | UnitKind::Course)
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn apportioned_points_add_up_exactly() {
        let raw = [33.3, 33.3, 33.4];
        assert_eq!(apportion(&raw, 100).iter().sum::<u32>(), 100);
        let raw = [40.43, 7.5, 0.0, 12.3];
        let p = apportion(&raw, 60);
        assert_eq!(p.iter().sum::<u32>(), 60);
        assert_eq!(p, [40, 8, 0, 12]);
    }
}
