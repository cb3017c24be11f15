//! The week-by-week plan from `today` to the interview, sized by the hours
//! the candidate has: gaps first (one or two a week, in rank order), the
//! company's heaviest and least-covered competencies as practice, stories
//! in batches, mocks last. The plan is structure — what to do, for which
//! gap, story or competency, for how many hours; the templates word it.

use serde::Serialize;
use time::Date;

use super::fit::CompetencyFit;
use super::gaps::{Gap, GapKind};
use super::stories::Story;

/// The plan.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Plan {
    /// Days until the interview.
    pub days: i64,
    /// Hours per week.
    pub hours_per_week: u32,
    /// Hours over the whole plan (the sum of the weeks).
    pub total_hours: f64,
    /// The weeks.
    pub weeks: Vec<Week>,
}

/// What a week is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Focus {
    /// Close the week's gaps.
    Gaps,
    /// Deepen a competency (no gap left for the week).
    Deepen,
    /// The last week: rehearse under interview conditions.
    Rehearse,
}

/// One week.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Week {
    /// 1-based.
    pub n: usize,
    /// First day (human).
    pub start: String,
    /// Last day (human).
    pub end: String,
    /// Days in this week.
    pub days: i64,
    /// What the week is for.
    pub focus: Focus,
    /// The gaps it works on: (rank, label).
    pub gaps: Vec<(usize, String)>,
    /// The competency it practises.
    pub competency: Option<String>,
    /// Hours available (the sum of its tasks).
    pub hours: f64,
    /// Tasks with hours.
    pub tasks: Vec<Task>,
    /// Whether this is the final week before the interview.
    pub last: bool,
}

/// What a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Work a gap's two-week plan.
    Gap,
    /// Timed questions for a competency.
    Practice,
    /// Fill in and say a batch of stories.
    Stories,
    /// Tighten every story.
    StoriesPolish,
    /// Read the process and values pages.
    Company,
    /// One mock on the week's topics.
    Mock,
    /// Two full mocks.
    MockFull,
    /// The start-here questions without notes.
    Questions,
    /// Day-of logistics.
    Logistics,
}

/// One task.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Task {
    /// Hours.
    pub hours: f64,
    /// What kind.
    pub kind: TaskKind,
    /// The gap, for gap tasks: (rank, label).
    pub gap: Option<(usize, String)>,
    /// Which days of the gap's two-week plan: "1–7" or "8–14".
    pub gap_days: Option<&'static str>,
    /// The competency, for practice: (name, emphasis).
    pub competency: Option<(String, f64)>,
    /// The stories, for story tasks: (first, last).
    pub stories: Option<(usize, usize)>,
}

impl Task {
    fn new(hours: f64, kind: TaskKind) -> Self {
        Self { hours, kind, gap: None, gap_days: None, competency: None, stories: None }
    }
}

fn human(d: Date) -> String {
    format!("{} {} {}", d.weekday(), d.day(), d.month())
}

fn half(h: f64) -> f64 {
    ((h * 2.0).round() / 2.0).max(0.5)
}

/// Adjusts rounded task hours so that they add up to the week's hours.
fn balance(tasks: &mut [Task], hours: f64) {
    let sum: f64 = tasks.iter().map(|t| t.hours).sum();
    let mut diff = hours - sum;
    for t in tasks.iter_mut().rev() {
        if diff.abs() < 0.25 {
            break;
        }
        let new = (t.hours + diff).max(0.5);
        diff -= new - t.hours;
        t.hours = new;
    }
}

pub(crate) fn build(
    today: Date,
    interview: Date,
    hours_per_week: u32,
    gaps: &[Gap],
    competencies: &[CompetencyFit],
    stories: &[Story],
) -> Plan {
    let days = (interview - today).whole_days().max(1);
    let n_weeks = ((days + 6) / 7).max(1) as usize;
    let hpw = f64::from(hours_per_week);
    // Years gaps are not closed by study; their scripts are practised with
    // the stories instead.
    let work: Vec<&Gap> = gaps.iter().filter(|g| g.kind != GapKind::Years).collect();
    let prep_weeks = n_weeks.saturating_sub(1).max(1);
    let per_week = work.len().div_ceil(prep_weeks).clamp(1, 2);
    let practice: Vec<&CompetencyFit> = {
        let mut c: Vec<&CompetencyFit> = competencies.iter().collect();
        // Heaviest emphasis with the least coverage first.
        c.sort_by(|a, b| {
            (b.emphasis * (1.5 - b.coverage))
                .total_cmp(&(a.emphasis * (1.5 - a.coverage)))
                .then(a.id.cmp(&b.id))
        });
        c
    };
    let mut weeks = Vec::new();
    let mut total = 0.0;
    for w in 0..n_weeks {
        let start = today + time::Duration::days(7 * w as i64);
        let end_day = (7 * w as i64 + 6).min(days - 1);
        let end = today + time::Duration::days(end_day);
        let wdays = end_day - 7 * w as i64 + 1;
        let hours = half(hpw * wdays as f64 / 7.0);
        total += hours;
        let last = w + 1 == n_weeks;
        let mut tasks = Vec::new();
        let week_gaps: Vec<&&Gap> =
            work.iter().skip(w * per_week).take(per_week).collect();
        let comp = practice.get(w % practice.len().max(1)).copied();
        let focus;
        if last && n_weeks > 1 {
            focus = Focus::Rehearse;
            for (share, kind) in [
                (0.35, TaskKind::MockFull),
                (0.25, TaskKind::StoriesPolish),
                (0.2, TaskKind::Questions),
                (0.1, TaskKind::Company),
                (0.1, TaskKind::Logistics),
            ] {
                let mut t = Task::new(half(hours * share), kind);
                if kind == TaskKind::StoriesPolish {
                    t.stories = Some((1, stories.len()));
                }
                tasks.push(t);
            }
        } else {
            focus = if week_gaps.is_empty() { Focus::Deepen } else { Focus::Gaps };
            let gap_share = if n_weeks == 1 { 0.35 } else { 0.45 };
            for g in &week_gaps {
                let mut t = Task::new(
                    half(hours * gap_share / week_gaps.len() as f64),
                    TaskKind::Gap,
                );
                t.gap = Some((g.rank, g.label.clone()));
                // A gap that started last week continues with its second half.
                let started_before = w > 0
                    && work
                        .iter()
                        .skip((w - 1) * per_week)
                        .take(per_week)
                        .any(|x| x.rank == g.rank);
                t.gap_days = Some(if started_before { "8–14" } else { "1–7" });
                tasks.push(t);
            }
            if let Some(c) = comp {
                let mut t = Task::new(
                    half(hours * if week_gaps.is_empty() { 0.55 } else { 0.25 }),
                    TaskKind::Practice,
                );
                t.competency = Some((c.name.clone(), c.emphasis));
                tasks.push(t);
            }
            let (a, b) = (w * 3 + 1, (w * 3 + 3).min(stories.len()));
            let mut t = Task::new(half(hours * 0.15), TaskKind::Stories);
            if a <= stories.len() {
                t.stories = Some((a, b));
            } else {
                t.kind = TaskKind::StoriesPolish;
            }
            tasks.push(t);
            tasks.push(Task::new(
                half(hours * 0.15),
                if w == 0 { TaskKind::Company } else { TaskKind::Mock },
            ));
            if n_weeks == 1 {
                tasks.push(Task::new(half(hours * 0.1), TaskKind::Logistics));
            }
        }
        balance(&mut tasks, hours);
        weeks.push(Week {
            n: w + 1,
            start: human(start),
            end: human(end),
            days: wdays,
            focus,
            gaps: week_gaps.iter().map(|g| (g.rank, g.label.clone())).collect(),
            competency: comp.map(|c| c.name.clone()),
            hours,
            tasks,
            last,
        });
    }
    Plan { days, hours_per_week, total_hours: total, weeks }
}
