//! Analysis unit tests against the shipped packs.

use std::sync::OnceLock;

use super::*;
use crate::model::{OrderDraft, PathPolicy};

fn packs() -> &'static Packs {
    static P: OnceLock<Packs> = OnceLock::new();
    P.get_or_init(|| Packs::embedded().unwrap())
}

fn order(resume: serde_json::Value, job: Option<&str>, company: &str) -> Order {
    let doc = serde_json::json!({
        "resume": resume,
        "job": job,
        "target": {"company": company, "role": "mle", "today": "2026-11-27", "interview_date": "2026-12-25", "hours_per_week": 10}
    });
    OrderDraft::from_json(&doc.to_string(), None, &PathPolicy::Refuse)
        .unwrap()
        .resolve(time::macros::date!(2026 - 11 - 27))
        .unwrap()
}

const JOB: &str = "Senior ML Engineer\n\nMinimum qualifications:\n- 5+ years of experience\n- Python and one of C++, Java or Go\n- PyTorch or TensorFlow\n- Kubernetes (k8s)\n\nPreferred qualifications:\n- Experience with LLMs\n- Spark is a plus\n";

fn strong_resume() -> serde_json::Value {
    serde_json::json!({
        "basics": {"name": "Strong"},
        "work": [{"name": "A", "position": "Senior Machine Learning Engineer", "startDate": "2018-01",
                  "highlights": ["Trained PyTorch ranking models in Python and served them on k8s, cutting latency 30%",
                                 "Built Spark pipelines for LLM fine-tuning data", "Wrote the C++ inference server"]}],
        "skills": [{"name": "ML", "keywords": ["PyTorch", "Python", "Kubernetes", "Spark"]}]
    })
}

fn weak_resume() -> serde_json::Value {
    serde_json::json!({
        "basics": {"name": "Weak"},
        "work": [{"name": "B", "position": "Web Developer", "startDate": "2024-01",
                  "highlights": ["Built React pages for a shop"]}],
        "skills": [{"name": "Web", "keywords": ["JavaScript", "CSS"]}]
    })
}

#[test]
fn requirements_come_from_headings_with_synonyms_and_years() {
    let a = analyze(&order(weak_resume(), Some(JOB), "google"), packs()).unwrap();
    let r = &a.requirements;
    assert_eq!(r.min_years, Some(5));
    assert_eq!(r.seniority, Some(Seniority::Senior));
    let need = |id: &str| r.skills.iter().find(|s| s.skill == id).map(|s| s.need);
    assert_eq!(need("python"), Some(Need::Must));
    assert_eq!(need("kubernetes"), Some(Need::Must), "k8s normalises to Kubernetes");
    assert_eq!(need("llms"), Some(Need::Preferred));
    assert_eq!(need("spark"), Some(Need::Preferred), "'is a plus' is preferred");
}

#[test]
fn a_better_matched_resume_scores_higher() {
    let strong = analyze(&order(strong_resume(), Some(JOB), "google"), packs()).unwrap();
    let weak = analyze(&order(weak_resume(), Some(JOB), "google"), packs()).unwrap();
    assert!(
        strong.fit.score > weak.fit.score + 20,
        "{} vs {}",
        strong.fit.score,
        weak.fit.score
    );
    let total: f64 = strong.fit.components.iter().map(|c| c.points).sum();
    assert!(
        (total - f64::from(strong.fit.score)).abs() <= 1.0,
        "components add up to the score"
    );
    assert_eq!(strong.fit.components.len(), 6);
}

#[test]
fn every_requirement_has_evidence_or_says_missing() {
    let a = analyze(&order(strong_resume(), Some(JOB), "google"), packs()).unwrap();
    for row in &a.fit.rows {
        match (&row.evidence, row.status) {
            (None, Status::Missing) => {}
            (Some(e), Status::Strong | Status::Partial) => {
                assert!(
                    e.path.starts_with("work[") || e.path.starts_with("skills["),
                    "{}",
                    e.path
                )
            }
            other => panic!("inconsistent row {}: {other:?}", row.skill),
        }
    }
    let k8s = a.fit.rows.iter().find(|r| r.skill == "kubernetes").unwrap();
    assert_eq!(k8s.status, Status::Strong);
}

#[test]
fn one_of_alternatives_need_only_one() {
    let a = analyze(&order(strong_resume(), Some(JOB), "google"), packs()).unwrap();
    let java = a.fit.rows.iter().find(|r| r.skill == "java").unwrap();
    assert_eq!(java.need, Need::Preferred);
    assert_eq!(java.alternative_to.as_deref(), Some("C++"));
    assert!(!a.gaps.iter().any(|g| g.id == "java"), "a met alternative is not a gap");
}

#[test]
fn gaps_rank_required_missing_skills_first() {
    let a = analyze(&order(weak_resume(), Some(JOB), "google"), packs()).unwrap();
    assert!(!a.gaps.is_empty());
    assert!(a.gaps.windows(2).all(|w| w[0].score >= w[1].score));
    let first_skill = a.gaps.iter().find(|g| g.kind == GapKind::Skill).unwrap();
    assert_eq!(first_skill.need, Some(Need::Must));
    assert!(a.gaps.iter().any(|g| g.kind == GapKind::Years));
}

#[test]
fn stories_quote_the_resume_and_never_invent_figures() {
    let a = analyze(&order(strong_resume(), Some(JOB), "amazon"), packs()).unwrap();
    assert!(a.stories.len() >= 6);
    for s in a.stories.iter().filter_map(|s| s.source.as_ref()) {
        let resume = strong_resume().to_string();
        assert!(resume.contains(&s.text), "story text not from the resume: {}", s.text);
    }
    let latency = a.stories.iter().find(|s| s.title.contains("PyTorch")).unwrap();
    assert!(latency.has_number);
    assert!(latency.value.is_some(), "mapped to an Amazon leadership principle");
}

#[test]
fn a_resume_without_work_draws_on_projects_and_education() {
    let resume = serde_json::json!({
        "basics": {"name": "New Grad"},
        "education": [{"institution": "U", "area": "Computer Science", "studyType": "Bachelor", "courses": ["Machine Learning"]}],
        "projects": [{"name": "P", "highlights": ["Built a PyTorch image classifier with 91% accuracy"]}]
    });
    let a = analyze(&order(resume, None, "meta"), packs()).unwrap();
    assert!(a.candidate.sparse);
    assert!(a.stories.len() >= 6);
    assert!(
        a.stories.iter().any(|s| s
            .source
            .as_ref()
            .is_some_and(|src| src.path.starts_with("projects[")))
    );
    assert!(a.stories.iter().any(|s| {
        s.source.as_ref().is_some_and(|src| src.path.starts_with("education["))
    }));
    assert_eq!(a.requirements.origin, "company expectations");
}

#[test]
fn the_plan_covers_every_day_and_puts_gaps_first_and_mocks_last() {
    let a = analyze(&order(weak_resume(), Some(JOB), "google"), packs()).unwrap();
    let p = &a.plan;
    assert_eq!(p.days, 28);
    assert_eq!(p.weeks.len(), 4);
    assert_eq!(p.weeks.iter().map(|w| w.days).sum::<i64>(), 28);
    assert_eq!(p.weeks[0].tasks[0].kind, "gap");
    assert!(p.weeks.last().unwrap().tasks.iter().any(|t| t.kind == "mock"));
    for w in &p.weeks {
        let sum: f64 = w.tasks.iter().map(|t| t.hours).sum();
        assert!(
            (sum - w.hours).abs() < 0.01,
            "week {} tasks add to {sum}, not {}",
            w.n,
            w.hours
        );
    }
}

#[test]
fn questions_favour_emphasis_and_gaps_and_cite_stories() {
    let a = analyze(&order(weak_resume(), Some(JOB), "google"), packs()).unwrap();
    assert!(a.questions.len() >= 40);
    assert!(a.questions.windows(2).all(|w| w[0].priority >= w[1].priority));
    assert_eq!(a.questions.iter().filter(|q| q.start_here).count(), 10);
    assert!(
        a.questions
            .iter()
            .any(|q| q.question.kind == "behavioral" && !q.stories.is_empty())
    );
}
