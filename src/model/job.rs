//! The target job: a JSON Resume job document or plain description text.

use serde::{Deserialize, Serialize};

use super::date::PartialDate;
use super::resume::Location;

/// A job in the JSON Resume job format.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct JobDoc {
    /// Job title.
    pub title: Option<String>,
    /// Hiring company.
    pub company: Option<String>,
    /// Full-time, contract, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Posting date.
    pub date: Option<PartialDate>,
    /// Description.
    pub description: Option<String>,
    /// Where.
    pub location: Option<Location>,
    /// Remote policy.
    pub remote: Option<String>,
    /// Salary as written.
    pub salary: Option<String>,
    /// Seniority as written, e.g. "Senior".
    pub experience: Option<String>,
    /// What the job involves.
    pub responsibilities: Vec<String>,
    /// What the candidate must bring.
    pub qualifications: Vec<String>,
    /// Skill groups.
    pub skills: Vec<JobSkill>,
    /// Tools.
    pub tools: Vec<JobSkill>,
}

/// A skill group in a job document.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct JobSkill {
    /// Group name.
    pub name: Option<String>,
    /// Required level.
    pub level: Option<String>,
    /// Individual skills.
    pub keywords: Vec<String>,
}

/// The job as given: structured or free text.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Job {
    /// A JSON Resume job document.
    Doc(Box<JobDoc>),
    /// A plain-text or Markdown job description.
    Text(String),
}
