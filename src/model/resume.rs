//! The JSON Resume document (<https://jsonresume.org/schema>), as far as the
//! playbook reads it. Unknown fields are accepted and ignored; the raw
//! document is kept beside the typed one for the appendix.

use serde::{Deserialize, Serialize};

use super::date::{PartialDate, end_date};

/// A resume in the JSON Resume format.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Resume {
    /// Name, contact details and summary.
    pub basics: Basics,
    /// Employment history, most recent first by convention.
    pub work: Vec<Work>,
    /// Volunteering, read like work.
    pub volunteer: Vec<Volunteer>,
    /// Degrees and courses.
    pub education: Vec<Education>,
    /// Awards.
    pub awards: Vec<Award>,
    /// Certificates.
    pub certificates: Vec<Certificate>,
    /// Publications.
    pub publications: Vec<Publication>,
    /// Skill groups with keywords.
    pub skills: Vec<Skill>,
    /// Spoken languages.
    pub languages: Vec<Language>,
    /// Interests.
    pub interests: Vec<Interest>,
    /// Side and personal projects.
    pub projects: Vec<Project>,
}

/// The `basics` object.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Basics {
    /// Full name.
    pub name: Option<String>,
    /// Headline, e.g. "Programmer".
    pub label: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Personal site.
    pub url: Option<String>,
    /// Free-text summary.
    pub summary: Option<String>,
    /// Where the candidate lives.
    pub location: Option<Location>,
    /// Social profiles.
    pub profiles: Vec<Profile>,
}

/// A postal location.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Location {
    /// Street address.
    pub address: Option<String>,
    /// Postal code.
    #[serde(rename = "postalCode")]
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(rename = "countryCode")]
    pub country_code: Option<String>,
    /// Region or state.
    pub region: Option<String>,
}

/// A social profile.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Profile {
    /// Network name.
    pub network: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Profile URL.
    pub url: Option<String>,
}

/// One position.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Work {
    /// Employer.
    pub name: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// What the employer does.
    pub description: Option<String>,
    /// Job title.
    pub position: Option<String>,
    /// Employer URL.
    pub url: Option<String>,
    /// First month or day.
    #[serde(rename = "startDate")]
    pub start_date: Option<PartialDate>,
    /// Last month or day; absent or empty means current.
    #[serde(rename = "endDate", deserialize_with = "end_date")]
    pub end_date: Option<PartialDate>,
    /// Free-text summary of the position.
    pub summary: Option<String>,
    /// Accomplishments, one sentence each.
    pub highlights: Vec<String>,
}

/// One volunteering position.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Volunteer {
    /// Organisation.
    pub organization: Option<String>,
    /// Role.
    pub position: Option<String>,
    /// Organisation URL.
    pub url: Option<String>,
    /// First month or day.
    #[serde(rename = "startDate")]
    pub start_date: Option<PartialDate>,
    /// Last month or day; absent means current.
    #[serde(rename = "endDate", deserialize_with = "end_date")]
    pub end_date: Option<PartialDate>,
    /// Summary.
    pub summary: Option<String>,
    /// Accomplishments.
    pub highlights: Vec<String>,
}

/// One degree or programme.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Education {
    /// School.
    pub institution: Option<String>,
    /// School URL.
    pub url: Option<String>,
    /// Field of study.
    pub area: Option<String>,
    /// Degree.
    #[serde(rename = "studyType")]
    pub study_type: Option<String>,
    /// Start.
    #[serde(rename = "startDate")]
    pub start_date: Option<PartialDate>,
    /// End; absent means ongoing.
    #[serde(rename = "endDate", deserialize_with = "end_date")]
    pub end_date: Option<PartialDate>,
    /// Grade.
    pub score: Option<String>,
    /// Courses taken.
    pub courses: Vec<String>,
}

/// An award.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Award {
    /// Title.
    pub title: Option<String>,
    /// When.
    pub date: Option<PartialDate>,
    /// Who gave it.
    pub awarder: Option<String>,
    /// What for.
    pub summary: Option<String>,
}

/// A certificate.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Certificate {
    /// Name.
    pub name: Option<String>,
    /// When.
    pub date: Option<PartialDate>,
    /// Issuer.
    pub issuer: Option<String>,
    /// URL.
    pub url: Option<String>,
}

/// A publication.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Publication {
    /// Title.
    pub name: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// When.
    #[serde(rename = "releaseDate")]
    pub release_date: Option<PartialDate>,
    /// URL.
    pub url: Option<String>,
    /// Abstract.
    pub summary: Option<String>,
}

/// A skill group.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Skill {
    /// Group name, e.g. "Web Development".
    pub name: Option<String>,
    /// Self-assessed level.
    pub level: Option<String>,
    /// Individual skills.
    pub keywords: Vec<String>,
}

/// A spoken language.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Language {
    /// Language.
    pub language: Option<String>,
    /// Fluency.
    pub fluency: Option<String>,
}

/// An interest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Interest {
    /// Name.
    pub name: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
}

/// A project.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Project {
    /// Name.
    pub name: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// Accomplishments.
    pub highlights: Vec<String>,
    /// Technologies and topics.
    pub keywords: Vec<String>,
    /// Start.
    #[serde(rename = "startDate")]
    pub start_date: Option<PartialDate>,
    /// End; absent means ongoing.
    #[serde(rename = "endDate", deserialize_with = "end_date")]
    pub end_date: Option<PartialDate>,
    /// URL.
    pub url: Option<String>,
    /// The candidate's roles.
    pub roles: Vec<String>,
    /// Company or organisation behind it.
    pub entity: Option<String>,
    /// Kind of project.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl Resume {
    /// The candidate's name, or a neutral stand-in for anonymous resumes.
    pub fn name(&self) -> &str {
        self.basics
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Candidate")
    }
}
