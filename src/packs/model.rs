//! Typed content packs. Field meanings are documented for authors in
//! `report_templates/packs/SCHEMA.md`; keep the two in step.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The skill taxonomy: concepts in the SKOS shape (a preferred label,
/// alternative labels, broader and related concepts), read from every file
/// under `packs/taxonomy/`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Taxonomy {
    /// Every concept, in file order.
    pub concepts: Vec<Concept>,
}

/// One taxonomy file (`packs/taxonomy/<area>.json`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyFile {
    /// Pack format version (2).
    pub schema_version: u32,
    /// The concepts this file defines.
    pub concepts: Vec<Concept>,
}

/// A skill, tool or idea a posting can ask for and a resume can show.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    /// Stable id, e.g. `learning_to_rank`.
    pub id: String,
    /// Preferred label, as the playbook prints it.
    pub pref: String,
    /// Other spellings (case-insensitive; hyphens, plurals and spacing are
    /// normalised before matching, so variants of those are not needed).
    #[serde(default)]
    pub alt: Vec<String>,
    /// Case-sensitive spellings for names that are also ordinary words
    /// ("Go", "R", "Spark"): in running text only these forms match.
    #[serde(default)]
    pub exact: Vec<String>,
    /// Broad area (`language`, `ml`, `data`, ...).
    pub category: String,
    /// Role ids the concept is typical for.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Concepts that evidence of this one demonstrates (transitively):
    /// learning to rank demonstrates ranking, which demonstrates machine
    /// learning.
    #[serde(default)]
    pub broader: Vec<String>,
    /// Adjacent concepts that earn partial credit either way.
    #[serde(default)]
    pub related: Vec<String>,
    /// How to close a gap in it.
    pub learn: Learn,
}

/// Coaching notes for closing a skill gap.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Learn {
    /// What to understand first.
    pub fundamentals: String,
    /// A small project that proves the skill.
    pub mini_project: String,
    /// How to talk about it honestly.
    pub talking_point: String,
}

/// What every company asks of one role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePack {
    /// Pack format version.
    #[serde(default)]
    pub schema_version: u32,
    /// Role id (`mle`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Job titles (lowercase phrases) that put a resume position in this
    /// role family, for years in the role and level advice.
    #[serde(default)]
    pub titles: Vec<String>,
    /// Other role ids whose years count partly towards this role, with the
    /// share that counts (a backend engineer's years count half towards a
    /// machine learning engineer's level).
    #[serde(default)]
    pub adjacent: BTreeMap<String, f64>,
    /// Taxonomy concepts that name the role's own field ("data
    /// engineering"): "N years of data engineering experience" counts the
    /// years of roles in this family, not only those whose highlights
    /// name the words.
    #[serde(default)]
    pub field: Vec<String>,
    /// Titles of no role family that still count partly towards this role
    /// (an analyst's years towards data science), with the share.
    #[serde(default)]
    pub related_titles: BTreeMap<String, f64>,
    /// The playbook's sections for this role, when they differ from
    /// `playbook.json`.
    #[serde(default)]
    pub sections: Option<Vec<SectionSpec>>,
    /// Paragraphs about the role.
    pub summary: Vec<String>,
    /// Competencies interviewers score.
    pub competencies: Vec<Competency>,
    /// Default requirements when no job is given.
    pub expectations: Expectations,
    /// How candidates for this role usually fail.
    pub failure_modes: Vec<FailureMode>,
    /// Frequently asked questions.
    pub faq: Vec<Faq>,
    /// Technical topics to prepare.
    pub technical_topics: Vec<Topic>,
    /// Answer frameworks with worked examples.
    pub frameworks: Vec<Framework>,
    /// Day-of checklist.
    pub day_of: Vec<String>,
    /// Glossary.
    pub glossary: Vec<GlossaryEntry>,
}

/// A scored competency.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Competency {
    /// Id shared with questions, rounds and emphasis.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// What strong answers do.
    #[serde(default)]
    pub strong: Vec<String>,
    /// What weak answers do.
    #[serde(default)]
    pub weak: Vec<String>,
    /// How to prepare.
    #[serde(default)]
    pub prepare: Vec<String>,
    /// Taxonomy skills this competency leans on.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// Requirements used when no job description is given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// One-paragraph summary (company packs).
    #[serde(default)]
    pub summary: String,
    /// Skill ids that are required.
    #[serde(default)]
    pub must_have: Vec<String>,
    /// Skill ids that are preferred.
    #[serde(default)]
    pub preferred: Vec<String>,
    /// Minimum years of experience.
    #[serde(default)]
    pub min_years: Option<u32>,
    /// Seniority word: junior, mid, senior, staff.
    #[serde(default)]
    pub seniority: Option<String>,
}

/// A common way candidates fail.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FailureMode {
    /// Short name.
    pub name: String,
    /// What it looks like.
    pub description: String,
    /// How to avoid it.
    pub fix: String,
}

/// A frequently asked question.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// A technical topic to prepare.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Competency it serves.
    pub competency: String,
    /// `core` or `advanced`.
    pub depth: String,
    /// What it is and why it matters.
    pub summary: String,
    /// What to know.
    #[serde(default)]
    pub key_points: Vec<String>,
    /// What to practise.
    #[serde(default)]
    pub practice: Vec<String>,
    /// Taxonomy skills involved.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// An answer framework.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `design`, `case`, `behavioral` or `execution`.
    pub applies_to: String,
    /// What it is for.
    pub summary: String,
    /// The steps.
    pub steps: Vec<Step>,
    /// A worked example.
    pub worked_example: WorkedExample,
}

/// One framework step.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Name.
    pub name: String,
    /// What to do.
    pub detail: String,
}

/// A framework applied to a prompt.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkedExample {
    /// The interview prompt.
    pub prompt: String,
    /// The walkthrough.
    pub walkthrough: Vec<WalkStep>,
    /// Where candidates slip.
    #[serde(default)]
    pub pitfalls: Vec<String>,
}

/// One step of a walkthrough.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkStep {
    /// Step name.
    pub step: String,
    /// What a strong candidate says or does.
    pub detail: String,
}

/// A glossary entry.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    /// Term.
    pub term: String,
    /// Definition.
    pub definition: String,
}

/// One company.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyPack {
    /// Pack format version.
    #[serde(default)]
    pub schema_version: u32,
    /// Id (`google`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Overview.
    pub overview: Overview,
    /// Published values or principles.
    pub values: Vec<Value>,
    /// Negotiation advice.
    pub negotiation: Negotiation,
    /// Per-role content, keyed by role id.
    pub roles: BTreeMap<String, CompanyRole>,
}

/// Company overview.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overview {
    /// Paragraphs.
    pub summary: Vec<String>,
    /// How interviews feel here.
    #[serde(default)]
    pub interview_culture: Vec<String>,
    /// What nobody outside knows; what to ask.
    #[serde(default)]
    pub unknowns: Vec<String>,
    /// Public sources relied on.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
}

/// A cited source.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    /// Title.
    pub title: String,
    /// URL, if public.
    #[serde(default)]
    pub url: Option<String>,
    /// Month it was read (YYYY-MM).
    #[serde(default)]
    pub as_of: String,
}

/// A company value or principle.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Meaning.
    pub description: String,
    /// How interviews assess it.
    pub how_assessed: String,
    /// Competency ids it maps to.
    #[serde(default)]
    pub competencies: Vec<String>,
    /// What interviewers listen for.
    #[serde(default)]
    pub signals: Vec<String>,
}

/// Negotiation advice.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Negotiation {
    /// What can move.
    pub levers: Vec<Lever>,
    /// Advice.
    pub notes: Vec<String>,
    /// Where it comes from.
    pub source: String,
    /// When (YYYY-MM).
    pub as_of: String,
    /// Whether it is an estimate rather than a published fact.
    pub illustrative: bool,
}

/// A negotiation lever.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    /// Name.
    pub name: String,
    /// How to use it.
    pub detail: String,
}

/// A company's content for one role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyRole {
    /// Job title as the company uses it.
    pub title: String,
    /// Requirements when no job is given.
    pub expectations: Expectations,
    /// Competency id → weight; sums to 1.
    pub emphasis: BTreeMap<String, f64>,
    /// The interview process.
    pub process: Process,
    /// Levels with compensation.
    pub levels: Vec<Level>,
    /// Question bank.
    pub questions: Vec<Question>,
    /// Common mistakes.
    pub common_mistakes: Vec<Mistake>,
    /// Tips.
    pub tips: Vec<String>,
    /// Questions to ask interviewers.
    pub questions_to_ask: Vec<AskQuestion>,
}

/// An interview process.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Summary.
    pub summary: String,
    /// Typical timeline.
    pub timeline: String,
    /// Rounds in order.
    pub rounds: Vec<Round>,
}

/// One interview round.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// Name.
    pub name: String,
    /// Length in minutes.
    pub length_minutes: u32,
    /// Video, onsite, phone, take-home.
    pub format: String,
    /// Competency ids assessed.
    #[serde(default)]
    pub competencies: Vec<String>,
    /// What it tests.
    pub what_it_tests: String,
    /// What strong looks like.
    pub what_strong_looks_like: String,
    /// Pitfalls.
    pub pitfalls: String,
    /// How to prepare.
    pub prepare: String,
}

/// A level with compensation.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Company's level id (`L5`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Typical experience, as the playbook prints it.
    pub typical_experience: String,
    /// Typical experience in years, for level advice.
    pub years: YearsRange,
    /// Where the level sits on the common ladder: `entry`, `mid`,
    /// `senior`, `staff` or `principal`.
    pub seniority: String,
    /// Scope.
    pub scope: String,
    /// Pay.
    pub compensation: Compensation,
}

/// Compensation for a level; every figure carries its source and date.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compensation {
    /// ISO currency.
    pub currency: String,
    /// Where the figures apply.
    #[serde(default)]
    pub location: String,
    /// Base salary range.
    pub base: Range,
    /// Equity per year range.
    pub equity_per_year: Range,
    /// Bonus target in percent of base.
    #[serde(default)]
    pub bonus_target_pct: Option<f64>,
    /// Total compensation range.
    pub total: Range,
    /// Who published it.
    pub source: String,
    /// When (YYYY-MM).
    pub as_of: String,
    /// Whether it is an estimate rather than a published fact.
    pub illustrative: bool,
}

/// A money range.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Low end.
    pub low: i64,
    /// High end.
    pub high: i64,
}

/// A question in a company's bank.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Id.
    pub id: String,
    /// The question.
    pub question: String,
    /// behavioral, coding, design, technical, case.
    #[serde(rename = "type")]
    pub kind: String,
    /// Competency ids.
    pub competencies: Vec<String>,
    /// easy, medium, hard.
    pub difficulty: String,
    /// Answer outline steps.
    pub answer_outline: Vec<String>,
    /// What the interviewer scores.
    #[serde(default)]
    pub listen_for: String,
}

/// A common mistake.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mistake {
    /// The mistake.
    pub mistake: String,
    /// Why it hurts.
    pub why_it_hurts: String,
    /// What to do instead.
    pub instead: String,
}

/// A question to ask the interviewers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskQuestion {
    /// The question.
    pub question: String,
    /// Why it is worth asking.
    pub why: String,
}

/// A range of years of experience.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YearsRange {
    /// Fewest years typical for the level.
    pub min: f64,
    /// Most years typical for the level, if bounded.
    #[serde(default)]
    pub max: Option<f64>,
}

/// The playbook's shape (`packs/playbook.json`): its sections and order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaybookSpec {
    /// Pack format version (2).
    pub schema_version: u32,
    /// Version of the whole pack set, printed in the appendix and part of
    /// the staleness hash.
    pub version: String,
    /// Sections in reading order.
    pub sections: Vec<SectionSpec>,
}

/// One section of the playbook.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Section id; its template is `sections/<id>.typ.j2`.
    pub id: String,
    /// Sections that name a gap kind (`technical` or `behavioral`) form a
    /// block: the one matching the candidate's top gap comes first in it.
    #[serde(default)]
    pub leads_when_top_gap: Option<String>,
}

/// The behavioural competencies every role shares
/// (`packs/competencies.json`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Pack format version (2).
    pub schema_version: u32,
    /// The shared behavioural competencies.
    pub behavioral: Vec<Behavioral>,
    /// Verbs and phrases that make a highlight a delivered result
    /// ("shipped", "launched", "owned") rather than a mention.
    pub result_verbs: Vec<String>,
    /// Words that make a highlight tentative ("a one-off backfill", "a
    /// proof of concept"): it shows contact with a skill, not command of it.
    #[serde(default)]
    pub tentative: Vec<String>,
}

/// A behavioural competency and the words in an accomplishment that show it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Behavioral {
    /// Id shared with questions, rounds and emphasis.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lowercase words or phrases that signal it.
    pub signals: Vec<String>,
}

/// Degree vocabulary (`packs/degrees.json`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Degrees {
    /// Pack format version (2).
    pub schema_version: u32,
    /// Degree levels, lowest rank first.
    pub levels: Vec<DegreeLevel>,
    /// Fields of study.
    pub fields: Vec<DegreeField>,
    /// Groups of fields a posting can name ("a quantitative field").
    pub groups: Vec<DegreeGroup>,
}

/// A degree level.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DegreeLevel {
    /// Id (`bachelor`).
    pub id: String,
    /// Order: a higher rank satisfies a lower one.
    pub rank: u8,
    /// Display name.
    pub name: String,
    /// Spellings (lowercase).
    pub alt: Vec<String>,
    /// A field the level itself names (an MBA is in business).
    #[serde(default)]
    pub field: Option<String>,
}

/// A field of study.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DegreeField {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Spellings (lowercase).
    pub alt: Vec<String>,
    /// Group ids the field belongs to.
    pub groups: Vec<String>,
}

/// A group of fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DegreeGroup {
    /// Id (`quantitative`).
    pub id: String,
    /// How postings name it (lowercase).
    pub alt: Vec<String>,
}

/// Sentences the analysis explains itself with (`packs/phrases.json`):
/// `{name}` placeholders are filled by the engine, so the wording stays
/// with content authors.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    /// Pack format version (2).
    pub schema_version: u32,
    /// Phrase id to text.
    pub phrases: BTreeMap<String, String>,
}
