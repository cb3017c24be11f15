//! Step 2 of an import: attributing a record to a company, role, level and
//! metro. The rules are data (`packs/paydata/mapping.json`, typed here as
//! [`Mapping`]); this module compiles them once into a [`Mapper`] and
//! answers one question per step, each with the reason when it cannot.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// The attribution rules, as authors write them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Format version (1).
    pub schema_version: u32,
    /// Free notes for authors.
    #[serde(default)]
    pub note: Vec<String>,
    /// Legal suffixes dropped from the end of employer names (`llc`, `inc`).
    pub employer_suffixes: Vec<String>,
    /// Title words replaced before matching (`sr` → `senior`).
    #[serde(default)]
    pub title_abbreviations: BTreeMap<String, String>,
    /// Per company id: legal names, default metro, level rules.
    pub companies: BTreeMap<String, CompanyMap>,
    /// Per SOC code (`15-1252`): role rules that decide within the code.
    pub soc: BTreeMap<String, SocMap>,
    /// Role rules for data without a SOC code (the generic CSV).
    pub titles: Vec<RoleRule>,
    /// Metro areas by region and city.
    pub metros: Vec<Metro>,
    /// Region names to codes (`california` → `CA`, `uk` → `GB`).
    #[serde(default)]
    pub regions: BTreeMap<String, String>,
}

/// How one company appears in pay data.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyMap {
    /// Legal entity names (and subsidiaries) that file for this company.
    pub employers: Vec<String>,
    /// The metro a playbook uses when neither resume nor job places one.
    pub default_metro: String,
    /// Title rules to the company's level ids, first match wins.
    #[serde(default)]
    pub levels: Vec<LevelRule>,
}

/// A title rule to a level.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRule {
    /// Roles the rule applies to.
    pub roles: Vec<String>,
    /// Phrases that must all occur in the title.
    pub all: Vec<String>,
    /// Phrases that must not occur.
    #[serde(default)]
    pub none: Vec<String>,
    /// The level id, or `null` when the title cannot place a level.
    pub level: Option<String>,
    /// Why (required when `level` is null).
    #[serde(default)]
    pub why: String,
}

/// Role rules for one SOC code.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SocMap {
    /// The SOC title, for readers.
    pub title: String,
    /// Rules, first match wins.
    pub roles: Vec<RoleRule>,
}

/// A title rule to a role.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRule {
    /// Phrases that must all occur in the title.
    pub all: Vec<String>,
    /// Phrases that must not occur.
    #[serde(default)]
    pub none: Vec<String>,
    /// Role id.
    pub role: String,
}

/// A metro area.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Metro {
    /// Id (`sf-bay-area`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cities by region (US state code, or ISO country code elsewhere).
    pub places: Vec<Place>,
}

/// Cities of one region.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// `CA`, `WA`, `GB`.
    pub region: String,
    /// City names.
    pub cities: Vec<String>,
}

/// Why a record could not be attributed. Counted by reason in the import
/// report; the value that failed is kept as the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    /// The employer is not one of the companies' legal names.
    Employer,
    /// The SOC code has no rules.
    Soc,
    /// No role rule of the SOC code (or of `titles`) matches the title.
    Title,
    /// No level rule matches the title.
    NoLevel,
    /// A rule says the title cannot place a level.
    AmbiguousLevel,
    /// The level (from the data or a rule) is not in the company's ladder.
    LevelNotInPack,
    /// The worksite is in no mapped metro.
    Worksite,
}

impl Unmapped {
    /// A short phrase for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Unmapped::Employer => "employer is not one of the seven companies",
            Unmapped::Soc => "SOC code has no role rules",
            Unmapped::Title => "title matches no role rule",
            Unmapped::NoLevel => "title carries no level",
            Unmapped::AmbiguousLevel => "title level is ambiguous at this company",
            Unmapped::LevelNotInPack => "level is not in the company's ladder",
            Unmapped::Worksite => "worksite is in no mapped metro",
        }
    }
}

/// Words of `s`: lower case, `&` read as `and`, every other character that
/// is not a letter or digit a separator. Names compare on these, so
/// `AMAZON.COM SERVICES, LLC` and `Amazon.com Services LLC` agree.
pub(crate) fn words(s: &str) -> Vec<String> {
    s.replace('&', " and ")
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn contains(hay: &[String], phrase: &[String]) -> bool {
    phrase.is_empty() || hay.windows(phrase.len()).any(|w| w == phrase)
}

struct Rule<T> {
    all: Vec<Vec<String>>,
    none: Vec<Vec<String>>,
    out: T,
}

impl<T> Rule<T> {
    fn new(all: &[String], none: &[String], out: T) -> Self {
        Self {
            all: all.iter().map(|p| words(p)).collect(),
            none: none.iter().map(|p| words(p)).collect(),
            out,
        }
    }

    fn matches(&self, title: &[String]) -> bool {
        self.all.iter().all(|p| contains(title, p))
            && !self.none.iter().any(|p| contains(title, p))
    }
}

/// A level rule with the roles it applies to.
type LevelRules = (Vec<String>, Rule<Option<String>>);

/// The mapping compiled for lookups.
pub(crate) struct Mapper {
    suffixes: Vec<Vec<String>>,
    abbreviations: HashMap<String, Vec<String>>,
    employers: HashMap<String, String>,
    soc: HashMap<String, Vec<Rule<String>>>,
    titles: Vec<Rule<String>>,
    levels: HashMap<String, Vec<LevelRules>>,
    places: HashMap<(String, String), usize>,
    regions: HashMap<String, String>,
    metros: Vec<(String, String)>,
    defaults: HashMap<String, String>,
}

impl std::fmt::Debug for Mapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapper").field("employers", &self.employers.len()).finish()
    }
}

impl Mapper {
    pub(crate) fn new(m: &Mapping) -> Self {
        let mut me = Mapper {
            suffixes: m.employer_suffixes.iter().map(|s| words(s)).collect(),
            abbreviations: m
                .title_abbreviations
                .iter()
                .map(|(k, v)| (k.to_lowercase(), words(v)))
                .collect(),
            employers: HashMap::new(),
            soc: m
                .soc
                .iter()
                .map(|(code, s)| {
                    let rules = s
                        .roles
                        .iter()
                        .map(|r| Rule::new(&r.all, &r.none, r.role.clone()));
                    (code.clone(), rules.collect())
                })
                .collect(),
            titles: m
                .titles
                .iter()
                .map(|r| Rule::new(&r.all, &r.none, r.role.clone()))
                .collect(),
            levels: HashMap::new(),
            places: HashMap::new(),
            regions: m
                .regions
                .iter()
                .map(|(k, v)| (words(k).join(" "), v.clone()))
                .collect(),
            metros: m.metros.iter().map(|x| (x.id.clone(), x.name.clone())).collect(),
            defaults: HashMap::new(),
        };
        for (id, c) in &m.companies {
            for e in &c.employers {
                let key = me.employer_key(e);
                me.employers.insert(key, id.clone());
            }
            let rules = c
                .levels
                .iter()
                .map(|r| (r.roles.clone(), Rule::new(&r.all, &r.none, r.level.clone())))
                .collect();
            me.levels.insert(id.clone(), rules);
            me.defaults.insert(id.clone(), c.default_metro.clone());
        }
        for (i, metro) in m.metros.iter().enumerate() {
            for p in &metro.places {
                for city in &p.cities {
                    me.places.insert((p.region.to_uppercase(), words(city).join(" ")), i);
                }
            }
        }
        me
    }

    /// The normalised employer name: words without a trailing legal suffix
    /// (repeatedly, so `Foo Holdings Co., Ltd.` loses both).
    pub(crate) fn employer_key(&self, name: &str) -> String {
        let mut w = words(name);
        while let Some(s) =
            self.suffixes.iter().find(|s| w.len() > s.len() && w.ends_with(s))
        {
            w.truncate(w.len() - s.len());
        }
        w.join(" ")
    }

    /// The company id an employer name belongs to.
    pub(crate) fn company(&self, employer: &str) -> Option<&str> {
        self.employers.get(&self.employer_key(employer)).map(String::as_str)
    }

    /// Whether `id` is a company of the mapping.
    pub(crate) fn has_company(&self, id: &str) -> bool {
        self.defaults.contains_key(id)
    }

    /// Title words with abbreviations expanded.
    pub(crate) fn title_words(&self, title: &str) -> Vec<String> {
        let mut out = Vec::new();
        for w in words(title) {
            match self.abbreviations.get(&w) {
                Some(rep) => out.extend(rep.iter().cloned()),
                None => out.push(w),
            }
        }
        out
    }

    /// The role of a title within a SOC code (LCA data).
    pub(crate) fn role_by_soc(
        &self,
        soc: &str,
        title: &[String],
    ) -> Result<&str, Unmapped> {
        let rules = self.soc.get(soc).ok_or(Unmapped::Soc)?;
        first(rules, title).ok_or(Unmapped::Title)
    }

    /// The role of a title alone (data without SOC codes).
    pub(crate) fn role_by_title(&self, title: &[String]) -> Result<&str, Unmapped> {
        first(&self.titles, title).ok_or(Unmapped::Title)
    }

    /// The level a title carries at a company for a role, checked against
    /// the company's ladder (`ladder`: its level ids for the role).
    pub(crate) fn level(
        &self,
        company: &str,
        role: &str,
        title: &[String],
        ladder: &[&str],
    ) -> Result<String, Unmapped> {
        let rules = self.levels.get(company).map(Vec::as_slice).unwrap_or_default();
        let rule = rules
            .iter()
            .find(|(roles, r)| roles.iter().any(|x| x == role) && r.matches(title))
            .ok_or(Unmapped::NoLevel)?;
        let level = rule.1.out.as_deref().ok_or(Unmapped::AmbiguousLevel)?;
        ladder_id(ladder, level).ok_or(Unmapped::LevelNotInPack)
    }

    /// A region code from a code or a name (`CA`, `California`, `UK`).
    pub(crate) fn region(&self, region: &str) -> String {
        let key = words(region).join(" ");
        match self.regions.get(&key) {
            Some(code) => code.clone(),
            None => region.trim().to_uppercase(),
        }
    }

    /// The metro (index) of a city in a region, exactly.
    pub(crate) fn metro(&self, city: &str, region: &str) -> Option<usize> {
        self.places.get(&(self.region(region), words(city).join(" "))).copied()
    }

    /// The metro of a region that has exactly one, for placing a candidate
    /// whose city is not listed (never used for imported data).
    pub(crate) fn only_metro_in(&self, region: &str) -> Option<usize> {
        let code = self.region(region);
        let mut found =
            self.places.iter().filter(|((r, _), _)| *r == code).map(|(_, i)| *i);
        let first = found.next()?;
        found.all(|i| i == first).then_some(first)
    }

    /// A metro by id or display name.
    pub(crate) fn metro_by_name(&self, s: &str) -> Option<usize> {
        let key = words(s).join(" ");
        self.metros.iter().position(|(id, name)| {
            words(id).join(" ") == key || words(name).join(" ") == key
        })
    }

    /// Id and display name of a metro.
    pub(crate) fn metro_info(&self, i: usize) -> (&str, &str) {
        let (id, name) = &self.metros[i];
        (id, name)
    }

    /// A company's default metro id.
    pub(crate) fn default_metro(&self, company: &str) -> Option<usize> {
        let id = self.defaults.get(company)?;
        self.metros.iter().position(|(m, _)| m == id)
    }
}

fn first<'a>(rules: &'a [Rule<String>], title: &[String]) -> Option<&'a str> {
    rules.iter().find(|r| r.matches(title)).map(|r| r.out.as_str())
}

/// The ladder's spelling of `level`, matched without regard to case.
pub(crate) fn ladder_id(ladder: &[&str], level: &str) -> Option<String> {
    ladder.iter().find(|l| l.eq_ignore_ascii_case(level.trim())).map(|l| l.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper() -> Mapper {
        let text = std::str::from_utf8(
            crate::assets::TEMPLATES
                .iter()
                .find(|(n, _)| *n == "packs/paydata/mapping.json")
                .unwrap()
                .1,
        )
        .unwrap();
        Mapper::new(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn employer_names_normalise_punctuation_case_and_suffixes() {
        let m = mapper();
        for (name, company) in [
            ("GOOGLE LLC", Some("google")),
            ("Google, L.L.C.", Some("google")),
            ("Meta Platforms, Inc.", Some("meta")),
            ("FACEBOOK INC", Some("meta")),
            ("Amazon.com Services, LLC", Some("amazon")),
            ("AMAZON WEB SERVICES INC", Some("amazon")),
            ("Amazon Development Center U.S., Inc.", Some("amazon")),
            ("Microsoft Corp.", Some("microsoft")),
            ("Nvidia Corporation", Some("nvidia")),
            ("NETFLIX INC", Some("netflix")),
            ("Apple Inc", Some("apple")),
            // A different legal entity, even with a company's name in it.
            ("Google Fiber Inc.", None),
            ("Apple Hospitality REIT, Inc.", None),
        ] {
            assert_eq!(m.company(name), company, "{name}");
        }
    }

    #[test]
    fn title_words_decide_the_role_within_a_soc_code() {
        let m = mapper();
        let role = |soc: &str, t: &str| m.role_by_soc(soc, &m.title_words(t));
        assert_eq!(role("15-1252", "Senior Software Engineer"), Ok("swe"));
        assert_eq!(role("15-1252", "Software Engineer, Machine Learning"), Ok("mle"));
        assert_eq!(role("15-1252", "Sr. ML Engineer"), Ok("mle"));
        assert_eq!(role("15-1252", "Data Engineer II"), Ok("de"));
        assert_eq!(role("15-1252", "Software Engineering Manager"), Err(Unmapped::Title));
        assert_eq!(role("15-2051", "Senior Data Scientist"), Ok("ds"));
        assert_eq!(role("11-3021", "Technical Program Manager"), Ok("tpm"));
        assert_eq!(role("17-2061", "Hardware Engineer"), Err(Unmapped::Soc));
    }

    #[test]
    fn levels_come_only_from_titles_that_carry_one() {
        let m = mapper();
        let lv = |c: &str, r: &str, t: &str, ladder: &[&str]| {
            m.level(c, r, &m.title_words(t), ladder)
        };
        let g = ["L3", "L4", "L5", "L6"];
        assert_eq!(lv("google", "swe", "Software Engineer III", &g).as_deref(), Ok("L4"));
        assert_eq!(
            lv("google", "swe", "Senior Software Engineer", &g).as_deref(),
            Ok("L5")
        );
        assert_eq!(
            lv("google", "swe", "Staff Software Engineer", &g).as_deref(),
            Ok("L6")
        );
        assert_eq!(
            lv("google", "swe", "Senior Staff Software Engineer", &g),
            Err(Unmapped::AmbiguousLevel)
        );
        assert_eq!(lv("google", "swe", "Software Engineer", &g), Err(Unmapped::NoLevel));
        let a = ["L4", "L5", "L6", "L7"];
        assert_eq!(
            lv("amazon", "swe", "Software Development Engineer I", &a).as_deref(),
            Ok("L4")
        );
        assert_eq!(lv("amazon", "swe", "SDE II", &a).as_deref(), Ok("L5"));
        let n = ["IC2", "IC3", "IC4", "IC5"];
        assert_eq!(
            lv("nvidia", "swe", "Senior Software Engineer", &n),
            Err(Unmapped::AmbiguousLevel)
        );
        let ms = ["59-60", "61-62", "63-64", "65-67"];
        assert_eq!(
            lv("microsoft", "swe", "Software Engineer", &ms).as_deref(),
            Ok("59-60")
        );
        // A rule's level that the ladder does not have is reported, not used.
        assert_eq!(
            lv("google", "swe", "Staff Software Engineer", &g[..3]),
            Err(Unmapped::LevelNotInPack)
        );
    }

    #[test]
    fn worksites_map_to_metros_by_city_and_region() {
        let m = mapper();
        let id = |c: &str, r: &str| m.metro(c, r).map(|i| m.metro_info(i).0.to_string());
        assert_eq!(id("MOUNTAIN VIEW", "CA").as_deref(), Some("sf-bay-area"));
        assert_eq!(id("Redmond", "Washington").as_deref(), Some("seattle"));
        assert_eq!(id("Jersey City", "NJ").as_deref(), Some("new-york"));
        assert_eq!(id("Portland", "OR"), None);
        // Washington the state is not Washington the city.
        assert_eq!(id("Washington", "WA"), None);
        assert_eq!(m.only_metro_in("WA").map(|i| m.metro_info(i).0), Some("seattle"));
        assert_eq!(m.only_metro_in("CA"), None);
    }
}
