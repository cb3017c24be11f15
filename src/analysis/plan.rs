//! The week-by-week plan from `today` to the interview, sized by the hours
//! the candidate has, gaps first and mock interviews last.

use serde::Serialize;
use time::Date;

use super::fit::CompetencyFit;
use super::gaps::Gap;
use super::stories::Story;

/// The plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Days until the interview.
    pub days: i64,
    /// Hours per week.
    pub hours_per_week: u32,
    /// Hours over the whole plan.
    pub total_hours: f64,
    /// The weeks.
    pub weeks: Vec<Week>,
}

/// One week.
#[derive(Debug, Clone, Serialize)]
pub struct Week {
    /// 1-based.
    pub n: usize,
    /// First day (human).
    pub start: String,
    /// Last day (human).
    pub end: String,
    /// Days in this week.
    pub days: i64,
    /// One-line focus.
    pub focus: String,
    /// Hours available.
    pub hours: f64,
    /// Tasks with hours.
    pub tasks: Vec<Task>,
    /// How to know the week worked.
    pub checkpoint: String,
    /// Whether this is the final week before the interview.
    pub last: bool,
}

/// One task.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    /// Hours.
    pub hours: f64,
    /// gap, practice, stories, mock, company, logistics.
    pub kind: &'static str,
    /// What to do.
    pub text: String,
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
    let skill_gaps: Vec<&Gap> =
        gaps.iter().filter(|g| g.kind != super::gaps::GapKind::Years).collect();
    let prep_weeks = n_weeks.saturating_sub(1).max(1);
    let per_week = skill_gaps.len().div_ceil(prep_weeks).clamp(1, 2);
    let practice: Vec<&CompetencyFit> = {
        let mut c: Vec<&CompetencyFit> = competencies.iter().collect();
        // Heaviest emphasis with the least coverage first.
        c.sort_by(|a, b| {
            (b.emphasis * (1.5 - b.coverage))
                .total_cmp(&(a.emphasis * (1.5 - a.coverage)))
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
        let mut add = |share: f64, kind: &'static str, text: String| {
            tasks.push(Task { hours: half(hours * share), kind, text });
        };
        let week_gaps: Vec<&&Gap> =
            skill_gaps.iter().skip(w * per_week).take(per_week).collect();
        let comp = practice.get(w % practice.len().max(1)).copied();
        let focus;
        let checkpoint;
        if last && n_weeks > 1 {
            focus = "Rehearse under interview conditions".to_string();
            add(0.35, "mock", "Two full mock interviews with a timer: one technical, one behavioural. Record them and review the first five minutes of each.".into());
            add(
                0.25,
                "stories",
                format!(
                    "Say each of your {} stories out loud in under three minutes; tighten the result line of each.",
                    stories.len()
                ),
            );
            add(0.2, "practice", "Work the ten 'start here' questions in the question bank once more, this time without notes.".into());
            add(0.1, "company", "Reread the company's process and values pages; prepare three questions to ask each interviewer.".into());
            add(0.1, "logistics", "Day-of checklist: confirm times and links, test your setup, plan the evening before.".into());
            checkpoint = "You can give every story and the top ten answers without notes, inside the time limits.".into();
        } else {
            let names: Vec<String> = week_gaps.iter().map(|g| g.name.clone()).collect();
            focus = if names.is_empty() {
                comp.map_or("Practise the core competencies".into(), |c| {
                    format!("Deepen {}", c.name)
                })
            } else {
                format!("Close gaps: {}", names.join(" and "))
            };
            let gap_share = if n_weeks == 1 { 0.35 } else { 0.45 };
            for g in &week_gaps {
                add(
                    gap_share / week_gaps.len() as f64,
                    "gap",
                    format!(
                        "Gap {}: {} — follow days {} of its two-week plan.",
                        g.rank,
                        g.name,
                        if w == 0 { "1 to 7" } else { "8 to 14" }
                    ),
                );
            }
            if let Some(c) = comp {
                add(
                    if week_gaps.is_empty() { 0.55 } else { 0.25 },
                    "practice",
                    format!(
                        "Practise {} (the company weighs it at {:.0}%): two questions from the bank, timed, then compare with the outline.",
                        c.name,
                        c.emphasis * 100.0
                    ),
                );
            }
            let (a, b) = (w * 3 + 1, (w * 3 + 3).min(stories.len()));
            if a <= stories.len() {
                add(
                    0.15,
                    "stories",
                    format!(
                        "Fill in the bracketed parts of stories {a} to {b} and say each out loud once."
                    ),
                );
            } else {
                add(
                    0.15,
                    "stories",
                    "Rehearse your two weakest stories; cut each to under three minutes."
                        .into(),
                );
            }
            if w == 0 {
                add(0.15, "company", "Read the process and values sections; note which round each of your gaps will show up in.".into());
            } else {
                add(0.15, "mock", "One mock interview with a peer on this week's topics; write down the questions you stalled on.".into());
            }
            if n_weeks == 1 {
                add(
                    0.1,
                    "logistics",
                    "Day-of checklist: confirm times and links, test your setup.".into(),
                );
            }
            checkpoint = if names.is_empty() {
                "You can answer two questions on this week's competency within time, using the outline's structure.".into()
            } else {
                format!(
                    "You can explain {} in two minutes and point to something you built with it.",
                    names.join(" and ")
                )
            };
        }
        balance(&mut tasks, hours);
        weeks.push(Week {
            n: w + 1,
            start: human(start),
            end: human(end),
            days: wdays,
            focus,
            hours,
            tasks,
            checkpoint,
            last,
        });
    }
    Plan { days, hours_per_week, total_hours: total, weeks }
}
