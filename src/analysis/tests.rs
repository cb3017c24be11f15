//! Analysis unit tests against the shipped packs.

use std::sync::OnceLock;

use super::*;
use crate::model::{OrderDraft, PathPolicy};

fn packs() -> &'static Packs {
    static P: OnceLock<Packs> = OnceLock::new();
    P.get_or_init(|| Packs::embedded().unwrap())
}

/// Prints the analysis of the order in `$ORDER` (a developer's probe:
/// `ORDER=fixtures/order.sample.json cargo test --lib print_order -- --ignored --nocapture`).
#[test]
#[ignore]
fn print_order() {
    let order = if let Ok(case) = std::env::var("CASE") {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/analysis");
        let (_, draft) = eval::load(&dir)
            .unwrap()
            .into_iter()
            .find(|(c, _)| c.id == case)
            .expect("case id");
        draft.resolve(time::macros::date!(2026 - 12 - 01)).unwrap()
    } else {
        let path = std::env::var("ORDER").expect("ORDER=path or CASE=id");
        let text = std::fs::read_to_string(&path).unwrap();
        let base = std::path::Path::new(&path).parent().unwrap().to_path_buf();
        OrderDraft::from_json(&text, Some(&path), &PathPolicy::within(base))
            .unwrap()
            .resolve(time::macros::date!(2026 - 12 - 01))
            .unwrap()
    };
    let a = analyze(&order, packs()).unwrap();
    let mut v = serde_json::to_value(&a).unwrap();
    for k in ["candidate", "stories", "plan", "questions"] {
        v.as_object_mut().unwrap().remove(k);
    }
    println!("{}", serde_json::to_string_pretty(&v).unwrap());
}

fn order(resume: serde_json::Value, job: &str, company: &str, role: &str) -> Order {
    let doc = serde_json::json!({
        "resume": resume,
        "job": job,
        "target": {"company": company, "role": role, "today": "2026-11-27", "interview_date": "2026-12-25", "hours_per_week": 10}
    });
    OrderDraft::from_json(&doc.to_string(), None, &PathPolicy::Refuse)
        .unwrap()
        .resolve(time::macros::date!(2026 - 11 - 27))
        .unwrap()
}

fn req<'a>(a: &'a Analysis, label: &str) -> &'a Assessed {
    a.requirements
        .iter()
        .find(|r| r.requirement.label.eq_ignore_ascii_case(label))
        .unwrap_or_else(|| {
            let all: Vec<&str> =
                a.requirements.iter().map(|r| r.requirement.label.as_str()).collect();
            panic!("no requirement {label:?} in {all:?}")
        })
}

const DS_JOB: &str = "Senior Data Scientist, Search\n\nMinimum qualifications:\n- 5 years of experience in Python, C++ or Java\n- 3+ years of machine learning in production\n- Experience with distributed training, Kubernetes and Spark\n- BS in Computer Science or equivalent practical experience\n\nPreferred qualifications:\n- MS/PhD in a quantitative field preferred\n- Ranking and experimentation\n";

fn ranking_scientist() -> serde_json::Value {
    serde_json::json!({
        "basics": {"name": "Priya", "summary": "Data scientist who ships models."},
        "work": [
            {"name": "Shopco", "position": "Senior Data Scientist", "startDate": "2019-03",
             "highlights": ["Shipped a gradient-boosted ranking model behind search, A/B-tested on 30M sessions, lifting conversion 4%",
                            "Wrote the Python feature pipeline on Spark that feeds it daily"]},
            {"name": "Bankly", "position": "Data Analyst", "startDate": "2016-06", "endDate": "2019-02",
             "highlights": ["Built Python churn reports used by 3 regional teams"]}
        ],
        "education": [{"institution": "TU Delft", "studyType": "BSc", "area": "Applied Mathematics", "endDate": "2016-05"}],
        "skills": [{"name": "Tools", "keywords": ["Python", "SQL"]},
                   {"name": "Infra", "level": "Beginner", "keywords": ["Kubernetes"]}]
    })
}

#[test]
fn composite_lines_split_and_alternatives_stay_one_requirement() {
    let a =
        analyze(&order(ranking_scientist(), DS_JOB, "google", "ds"), packs()).unwrap();
    let langs = req(&a, "5+ years: Python, C++ or Java");
    assert!(
        matches!(&langs.requirement.what, What::Years { min, of } if *min == 5.0 && of.len() == 3)
    );
    assert_eq!(langs.status, Status::Met, "{}", langs.why);
    for skill in ["distributed training", "Kubernetes", "Spark"] {
        req(&a, skill);
    }
    assert!(
        !a.requirements
            .iter()
            .any(|r| r.requirement.label == "C++" || r.requirement.label == "Java"),
        "unneeded alternatives are not requirements of their own"
    );
    let ml = a
        .requirements
        .iter()
        .find(|r| matches!(&r.requirement.what, What::Years { min, .. } if *min == 3.0))
        .unwrap();
    assert!(
        !ml.requirement.concepts().is_empty(),
        "the 3 years keep their skill: {:?}",
        ml.requirement.label
    );
}

#[test]
fn degrees_are_read_with_level_field_and_equivalence() {
    let a =
        analyze(&order(ranking_scientist(), DS_JOB, "google", "ds"), packs()).unwrap();
    let degrees: Vec<&Assessed> = a
        .requirements
        .iter()
        .filter(|r| matches!(r.requirement.what, What::Degree { .. }))
        .collect();
    assert_eq!(
        degrees.len(),
        2,
        "{:?}",
        degrees.iter().map(|d| &d.requirement.label).collect::<Vec<_>>()
    );
    let bs = degrees.iter().find(|d| d.requirement.kind == Kind::Required).unwrap();
    assert!(
        matches!(&bs.requirement.what, What::Degree { level, or_equivalent: true, .. } if level == "bachelor")
    );
    let ms = degrees.iter().find(|d| d.requirement.kind == Kind::Preferred).unwrap();
    assert!(
        matches!(&ms.requirement.what, What::Degree { level, groups, .. } if level == "master" && groups.contains(&"quantitative".to_string()))
    );
    assert_ne!(ms.status, Status::Met, "a BSc does not meet a master's");
}

#[test]
fn a_shipped_result_is_never_a_gap_and_a_beginner_listing_is_partial() {
    let a =
        analyze(&order(ranking_scientist(), DS_JOB, "google", "ds"), packs()).unwrap();
    for label in ["Ranking", "experimentation"] {
        let r = req(&a, label);
        assert_eq!(r.status, Status::Met, "{label}: {}", r.why);
        assert!(!a.gaps.iter().any(|g| g.id == r.requirement.id));
    }
    let k8s = req(&a, "Kubernetes");
    assert_eq!(k8s.status, Status::Partial, "{}", k8s.why);
}

#[test]
fn level_advice_never_runs_past_the_posting() {
    let backend = serde_json::json!({
        "basics": {"name": "Sam"},
        "work": [{"name": "Payco", "position": "Senior Backend Engineer", "startDate": "2016-01",
                  "highlights": ["Built Go payment services handling 2B requests a day"]}],
        "education": [{"institution": "Coursera", "studyType": "Certificate", "area": "Machine Learning", "courses": ["Intro to ML"]}],
        "skills": [{"name": "ML", "level": "Beginner", "keywords": ["scikit-learn"]}]
    });
    let job = "Senior Machine Learning Engineer\n\nMinimum qualifications:\n- 5+ years of software engineering experience\n- Experience with machine learning\n";
    let a = analyze(&order(backend, job, "google", "mle"), packs()).unwrap();
    let level = a.level.unwrap();
    assert_eq!(level.posting_level.as_deref(), Some("L5"));
    assert!(["L4", "L5"].contains(&level.recommended.as_str()), "{level:?}");
    assert!(level.effective_years < a.candidate.years, "backend years count only partly");
}

#[test]
fn fit_components_add_up_to_the_score() {
    for (resume, job) in [
        (ranking_scientist(), DS_JOB),
        (serde_json::json!({"basics": {"name": "X"}}), "Data Scientist\n"),
    ] {
        let a = analyze(&order(resume, job, "meta", "ds"), packs()).unwrap();
        let sum: u32 = a.fit.components.iter().map(|c| c.points).sum();
        assert_eq!(sum, a.fit.score);
        assert_eq!(a.fit.components.iter().map(|c| c.weight).sum::<u32>(), 100);
    }
}
