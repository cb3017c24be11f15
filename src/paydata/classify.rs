//! Step 2 applied: one record in, one [`Outcome`] out: counted as a
//! [`PayRow`], excluded (it is not a full-time certified wage), or
//! unmapped (it is, but the mapping cannot attribute it).

use super::mapping::{Mapper, Unmapped, ladder_id, words};
use super::read::{GenericRecord, LcaRecord};
use super::store::{Filed, PayRow};
use crate::packs::Packs;

/// Annual base pay outside this range is a data-entry slip (an hourly rate
/// filed as yearly, a yearly salary filed as hourly), not a salary.
pub const PLAUSIBLE_BASE: std::ops::RangeInclusive<i64> = 15_000..=2_000_000;

/// Why a readable record does not count although it could be attributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Excluded {
    /// Not `Certified` (the value as filed, lower case).
    Status(String),
    /// `FULL_TIME_POSITION` is N: hourly rates cannot be annualised.
    PartTime,
    /// The annualised wage is outside [`PLAUSIBLE_BASE`].
    Wage,
}

impl Excluded {
    pub(crate) fn key(&self) -> String {
        match self {
            Excluded::Status(s) => format!("case status {s}"),
            Excluded::PartTime => "part-time position".into(),
            Excluded::Wage => "implausible annual wage".into(),
        }
    }
}

pub(crate) enum Outcome {
    Counted(Box<PayRow>),
    Excluded(Excluded),
    Unmapped(Unmapped, String),
}

fn ladder<'a>(packs: &'a Packs, company: &str, role: &str) -> Vec<&'a str> {
    packs
        .companies
        .get(company)
        .and_then(|c| c.roles.get(role))
        .map(|r| r.levels.iter().map(|l| l.id.as_str()).collect())
        .unwrap_or_default()
}

/// Only `Certified` counts: `Certified - Withdrawn` means the employer
/// withdrew the certified application (the job may never have been
/// filled), and withdrawn or denied cases never had a wage attested.
fn certified(status: &str) -> bool {
    let letters: String = status.chars().filter(char::is_ascii_alphabetic).collect();
    letters.eq_ignore_ascii_case("certified")
}

/// An LCA record of `company`.
pub(crate) fn lca(r: &LcaRecord, company: &str, m: &Mapper, packs: &Packs) -> Outcome {
    if !certified(&r.status) {
        let s = words(&r.status).join(" ");
        let s =
            if s == "certified withdrawn" { "certified - withdrawn".into() } else { s };
        return Outcome::Excluded(Excluded::Status(s));
    }
    if !r.full_time {
        return Outcome::Excluded(Excluded::PartTime);
    }
    // A range "from–to" is summarised by its from value: the wage the
    // employer attests to paying at least.
    let base = (r.wage_from * r.unit.per_year()).round() as i64;
    if !PLAUSIBLE_BASE.contains(&base) {
        return Outcome::Excluded(Excluded::Wage);
    }
    let title = m.title_words(&r.title);
    let role = match m.role_by_soc(&r.soc, &title) {
        Ok(role) => role,
        Err(why @ Unmapped::Soc) => return Outcome::Unmapped(why, r.soc.clone()),
        Err(why) => return Outcome::Unmapped(why, format!("{} ({})", r.title, r.soc)),
    };
    let level = match m.level(company, role, &title, &ladder(packs, company, role)) {
        Ok(l) => l,
        Err(why) => return Outcome::Unmapped(why, format!("{company}: {}", r.title)),
    };
    let Some(metro) = m.metro(&r.city, &r.state) else {
        return Outcome::Unmapped(Unmapped::Worksite, format!("{}, {}", r.city, r.state));
    };
    Outcome::Counted(Box::new(PayRow {
        id: r.case.clone(),
        company: company.into(),
        role: role.into(),
        level,
        metro: m.metro_info(metro).0.into(),
        currency: "USD".into(),
        base,
        bonus: None,
        equity: None,
        date: r.decision.to_string(),
        source: String::new(),
        filed: Filed {
            employer: r.employer.clone(),
            title: r.title.clone(),
            soc: r.soc.clone(),
            worksite: format!("{}, {}", r.city, r.state),
            wage: format!("{} {}", r.wage_text, r.unit.name()),
            visa: r.visa.clone(),
        },
    }))
}

/// The company of a generic row: a company id or an employer's legal name.
pub(crate) fn generic_company(r: &GenericRecord, m: &Mapper) -> Option<String> {
    let id = r.company.trim().to_lowercase();
    if m.has_company(&id) {
        return Some(id);
    }
    m.company(&r.company).map(str::to_owned)
}

/// A generic-CSV row of `company`, with its id already decided.
pub(crate) fn generic(
    r: &GenericRecord,
    id: String,
    company: &str,
    m: &Mapper,
    packs: &Packs,
) -> Outcome {
    let base = r.base.round() as i64;
    if !PLAUSIBLE_BASE.contains(&base) && r.currency == "USD" {
        return Outcome::Excluded(Excluded::Wage);
    }
    let title = m.title_words(&r.title);
    let role = match m.role_by_title(&title) {
        Ok(role) => role,
        Err(why) => return Outcome::Unmapped(why, r.title.clone()),
    };
    let ladder = ladder(packs, company, role);
    let level = if r.level.is_empty() {
        m.level(company, role, &title, &ladder)
    } else {
        ladder_id(&ladder, &r.level).ok_or(Unmapped::LevelNotInPack)
    };
    let level = match level {
        Ok(l) => l,
        Err(why) => {
            return Outcome::Unmapped(why, format!("{company}: {} {}", r.title, r.level));
        }
    };
    let metro = m.metro_by_name(&r.location).or_else(|| {
        let (city, region) = r.location.rsplit_once(',')?;
        m.metro(city, region)
    });
    let Some(metro) = metro else {
        return Outcome::Unmapped(Unmapped::Worksite, r.location.clone());
    };
    Outcome::Counted(Box::new(PayRow {
        id,
        company: company.into(),
        role: role.into(),
        level,
        metro: m.metro_info(metro).0.into(),
        currency: r.currency.clone(),
        base,
        bonus: r.bonus.map(|b| b.round() as i64),
        equity: r.equity.map(|e| e.round() as i64),
        date: r.date.to_string(),
        source: r.source.clone(),
        filed: Filed {
            employer: r.company.clone(),
            title: r.title.clone(),
            soc: String::new(),
            worksite: r.location.clone(),
            wage: String::new(),
            visa: String::new(),
        },
    }))
}
