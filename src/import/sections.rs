//! Stage 3a: the lines into sections (Experience, Education, Skills, …)
//! and the header above them (name, contacts).
//!
//! A heading is chosen by scoring every line with named features and
//! weights, as OpenResume's parser scores candidates, rather than by one
//! rule: the words of the line (a multilingual list of section names), the
//! layout the reader saw (a stated heading level, bold, a larger size, all
//! capitals, a gap above, a short line) and what a heading never has (a
//! list marker, a date, an address). The margin over the threshold is the
//! section's confidence.
//!
//! Responsible for where sections start and end and for the header's
//! fields; not for the entries inside a section (`entries`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Budget, ImportError, Line, dates};

/// What a section holds, as JSON Resume names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// The lines above the first section, and a "Contact" section.
    Header,
    Summary,
    Work,
    Education,
    Skills,
    Projects,
    Volunteer,
    Awards,
    Certificates,
    Publications,
    Languages,
    Interests,
    References,
    /// A heading we do not know ("Teaching", "Patents"): its lines are
    /// reported as unplaced rather than guessed into a field.
    Other,
}

impl Kind {
    /// The name the import report uses.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Header => "header",
            Kind::Summary => "summary",
            Kind::Work => "work",
            Kind::Education => "education",
            Kind::Skills => "skills",
            Kind::Projects => "projects",
            Kind::Volunteer => "volunteer",
            Kind::Awards => "awards",
            Kind::Certificates => "certificates",
            Kind::Publications => "publications",
            Kind::Languages => "languages",
            Kind::Interests => "interests",
            Kind::References => "references",
            Kind::Other => "other",
        }
    }
}

/// Section names as resumes write them, normalised (lowercase, `&` as
/// `and`), in English, German, French, Spanish, Portuguese, Italian and
/// Dutch.
const HEADINGS: &[(Kind, &[&str])] = &[
    (
        Kind::Work,
        &[
            "experience",
            "experiences",
            "work experience",
            "professional experience",
            "relevant experience",
            "industry experience",
            "employment",
            "employment history",
            "work history",
            "career history",
            "career",
            "professional background",
            "professional history",
            "work",
            "positions",
            "berufserfahrung",
            "berufliche erfahrung",
            "berufspraxis",
            "beruflicher werdegang",
            "werdegang",
            "praxiserfahrung",
            "expérience",
            "expériences",
            "expérience professionnelle",
            "expériences professionnelles",
            "parcours professionnel",
            "experiencia",
            "experiencia laboral",
            "experiencia profesional",
            "experiência",
            "experiência profissional",
            "esperienza",
            "esperienze",
            "esperienza professionale",
            "esperienze lavorative",
            "werkervaring",
        ],
    ),
    (
        Kind::Education,
        &[
            "education",
            "education and training",
            "academic background",
            "academic history",
            "academics",
            "qualifications",
            "studies",
            "ausbildung",
            "bildung",
            "bildungsweg",
            "studium",
            "schulbildung",
            "akademischer werdegang",
            "formation",
            "formations",
            "éducation",
            "études",
            "diplômes",
            "educación",
            "formación",
            "formación académica",
            "estudios",
            "educação",
            "formação",
            "formação acadêmica",
            "formação académica",
            "istruzione",
            "formazione",
            "opleiding",
            "opleidingen",
        ],
    ),
    (
        Kind::Skills,
        &[
            "skills",
            "technical skills",
            "core skills",
            "key skills",
            "skills and tools",
            "skills and technologies",
            "skills and expertise",
            "tools and technologies",
            "technologies",
            "tech stack",
            "competencies",
            "core competencies",
            "expertise",
            "areas of expertise",
            "kenntnisse",
            "fähigkeiten",
            "kompetenzen",
            "fachkenntnisse",
            "it-kenntnisse",
            "technische kenntnisse",
            "compétences",
            "compétences techniques",
            "habilidades",
            "competencias",
            "conocimientos",
            "competências",
            "competenze",
            "vaardigheden",
        ],
    ),
    (
        Kind::Projects,
        &[
            "projects",
            "personal projects",
            "selected projects",
            "side projects",
            "key projects",
            "academic projects",
            "open source",
            "open-source",
            "projekte",
            "projets",
            "proyectos",
            "projetos",
            "progetti",
            "projecten",
        ],
    ),
    (
        Kind::Volunteer,
        &[
            "volunteer",
            "volunteering",
            "volunteer experience",
            "volunteer work",
            "community",
            "community involvement",
            "ehrenamt",
            "ehrenamtliches engagement",
            "engagement",
            "bénévolat",
            "voluntariado",
            "volontariato",
            "vrijwilligerswerk",
        ],
    ),
    (
        Kind::Awards,
        &[
            "awards",
            "honors",
            "honours",
            "awards and honors",
            "honors and awards",
            "awards and honours",
            "achievements",
            "scholarships",
            "auszeichnungen",
            "prix",
            "distinctions",
            "premios",
            "prêmios",
            "premi",
        ],
    ),
    (
        Kind::Certificates,
        &[
            "certifications",
            "certificates",
            "certification",
            "licenses and certifications",
            "licences and certifications",
            "certifications and licenses",
            "zertifikate",
            "zertifizierungen",
            "weiterbildung",
            "certificaciones",
            "certificações",
            "certificazioni",
        ],
    ),
    (
        Kind::Publications,
        &[
            "publications",
            "selected publications",
            "papers",
            "publikationen",
            "veröffentlichungen",
            "publicaciones",
            "publicações",
            "pubblicazioni",
        ],
    ),
    (
        Kind::Languages,
        &[
            "languages",
            "language skills",
            "spoken languages",
            "sprachen",
            "sprachkenntnisse",
            "langues",
            "idiomas",
            "lingue",
            "talen",
        ],
    ),
    (
        Kind::Interests,
        &[
            "interests",
            "hobbies",
            "hobbies and interests",
            "interests and hobbies",
            "interessen",
            "hobbys",
            "freizeit",
            "centres d'intérêt",
            "centres d’intérêt",
            "loisirs",
            "intereses",
            "interesses",
            "interessi",
        ],
    ),
    (
        Kind::Summary,
        &[
            "summary",
            "profile",
            "professional summary",
            "professional profile",
            "career summary",
            "executive summary",
            "about",
            "about me",
            "objective",
            "career objective",
            "overview",
            "personal statement",
            "profil",
            "kurzprofil",
            "zusammenfassung",
            "über mich",
            "à propos",
            "perfil",
            "perfil profesional",
            "perfil profissional",
            "resumen",
            "resumo",
            "sobre mí",
            "sobre mim",
            "profilo",
            "profiel",
        ],
    ),
    (
        Kind::Header,
        &[
            "contact",
            "contact information",
            "contact details",
            "personal information",
            "personal details",
            "kontakt",
            "persönliche daten",
            "coordonnées",
            "contacto",
            "datos personales",
            "contato",
            "contatti",
        ],
    ),
    (Kind::References, &["references", "referenzen", "références", "referencias"]),
];

/// Normalises a line for heading lookup: lowercase, `&` as `and`, no
/// trailing colon or numbering, single spaces.
pub(crate) fn normalise(s: &str) -> String {
    let s = s.trim().trim_end_matches([':', '.', '：']).trim();
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    s.to_lowercase()
        .replace(['&', '/'], " and ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The section a heading's words name: exact match, or a known name
/// followed by at most two more words ("Skills and Interests").
fn known(text: &str) -> Option<(Kind, bool)> {
    let n = normalise(text);
    for (kind, names) in HEADINGS {
        if names.contains(&n.as_str()) {
            return Some((*kind, true));
        }
    }
    let words: Vec<&str> = n.split(' ').collect();
    if words.len() > 4 {
        return None;
    }
    for take in (1..words.len()).rev() {
        let head = words[..take].join(" ");
        for (kind, names) in HEADINGS {
            if names.contains(&head.as_str()) {
                return Some((*kind, false));
            }
        }
    }
    None
}

/// One section: its heading line and the lines under it.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) kind: Kind,
    /// The heading line's index, if the section has one (the header has
    /// none).
    pub(crate) heading: Option<usize>,
    /// The lines under the heading.
    pub(crate) body: Range<usize>,
    /// How sure the heading is a heading (0..1).
    pub(crate) confidence: f32,
}

/// A line's heading score with the features that fired, for the report
/// and for debugging a wrong pick.
#[derive(Debug, Clone, Default)]
pub(crate) struct Score {
    pub(crate) value: f32,
    pub(crate) kind: Option<Kind>,
    pub(crate) features: Vec<(&'static str, f32)>,
}

impl Score {
    fn add(&mut self, feature: &'static str, weight: f32) {
        self.value += weight;
        self.features.push((feature, weight));
    }
}

/// Score at which a line is taken as a heading.
const THRESHOLD: f32 = 4.0;

/// What the document's body text looks like, against which headings
/// stand out.
struct Body {
    size: f32,
    /// The heading level that known section names are set at, if the
    /// source states levels (Markdown `##`, DOCX Heading2).
    level: Option<u8>,
}

fn body_style(lines: &[Line]) -> Body {
    let mut sizes: Vec<(i32, usize)> = Vec::new();
    for l in lines {
        let key = (l.size * 2.0).round() as i32;
        match sizes.iter_mut().find(|(k, _)| *k == key) {
            Some(e) => e.1 += l.text.chars().count(),
            None => sizes.push((key, l.text.chars().count())),
        }
    }
    let size = sizes.iter().max_by_key(|e| e.1).map_or(0.0, |e| e.0 as f32 / 2.0);
    let mut levels = [0usize; 7];
    for l in lines {
        if let Some(h) = l.heading
            && known(&l.text).is_some()
        {
            levels[h.min(6) as usize] += 1;
        }
    }
    let level = (1..=6)
        .max_by_key(|&i| (levels[i], std::cmp::Reverse(i)))
        .filter(|&i| levels[i] > 0);
    Body { size, level: level.map(|l| l as u8) }
}

fn all_caps(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 3 && letters.iter().all(|c| !c.is_lowercase())
}

/// Scores line `i` as a section heading.
fn score(lines: &[Line], i: usize, body: &Body) -> Score {
    let l = &lines[i];
    let mut s = Score::default();
    let words = l.text.split_whitespace().count();
    match known(&l.text) {
        Some((kind, true)) => {
            s.kind = Some(kind);
            s.add("names a section", 4.0);
        }
        Some((kind, false)) => {
            s.kind = Some(kind);
            s.add("starts with a section name", 2.5);
        }
        None => {}
    }
    if let Some(h) = l.heading {
        match body.level {
            Some(level) if h > level => s.add("heading below the section level", -2.0),
            _ if i == 0 && h == 1 => s.add("first heading (the name)", 0.0),
            _ => s.add("stated heading", 3.5),
        }
    }
    if l.bold {
        s.add("bold", 1.0);
    }
    if all_caps(&l.text) {
        s.add("all capitals", 1.5);
    }
    if body.size > 0.0 && l.size > body.size * 1.1 {
        s.add("larger than body text", 1.0);
    }
    if words <= 4 {
        s.add("short", 0.5);
    } else if words > 6 {
        s.add("long", -3.0);
    }
    if l.gap_before > 0.0 || i == 0 || lines[i - 1].block != l.block {
        s.add("space above", 0.5);
    }
    if l.text.trim_end().ends_with(':') && words <= 4 {
        s.add("ends with a colon", 0.5);
    }
    if l.bullet {
        s.add("list item", -4.0);
    }
    if dates::has_head_date(&l.text) {
        s.add("has a date", -2.0);
    }
    if l.text.contains('@')
        || l.text.contains('\t')
        || l.text.contains('|')
        || l.text.contains(',')
    {
        s.add("has separators", -2.0);
    }
    if l.text.trim_end().ends_with('.') {
        s.add("ends a sentence", -1.0);
    }
    if i == 0 && s.kind.is_none() {
        s.add("first line (the name)", -3.0);
    }
    s
}

/// The document's sections in order, the header first (possibly empty).
pub(crate) fn split(
    lines: &[Line],
    budget: &mut Budget,
) -> Result<Vec<Section>, ImportError> {
    let body = body_style(lines);
    let mut heads: Vec<(usize, Kind, f32)> = Vec::new();
    for i in 0..lines.len() {
        budget.spend(4 + lines[i].text.len() as u64 / 16)?;
        let s = score(lines, i, &body);
        // An unknown heading needs the layout of one on its own: a stated
        // heading level or capitals that stand out.
        if s.value >= THRESHOLD && (s.kind.is_some() || s.value >= THRESHOLD + 0.5) {
            let confidence = (0.5 + (s.value - THRESHOLD) / 6.0).clamp(0.05, 0.99);
            heads.push((i, s.kind.unwrap_or(Kind::Other), confidence));
        }
    }
    let mut out = Vec::new();
    let first = heads.first().map_or(lines.len(), |h| h.0);
    out.push(Section {
        kind: Kind::Header,
        heading: None,
        body: 0..first,
        confidence: 1.0,
    });
    for (n, &(i, kind, confidence)) in heads.iter().enumerate() {
        let end = heads.get(n + 1).map_or(lines.len(), |h| h.0);
        out.push(Section { kind, heading: Some(i), body: i + 1..end, confidence });
    }
    Ok(out)
}

/// The header's fields: who the candidate is and how to reach them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Header {
    pub(crate) name: Option<(usize, String)>,
    pub(crate) label: Option<(usize, String)>,
    pub(crate) email: Option<(usize, String)>,
    pub(crate) phone: Option<(usize, String)>,
    pub(crate) url: Option<(usize, String)>,
    /// City, region, country code.
    pub(crate) location: Option<(usize, String, Option<String>, Option<String>)>,
    /// Network, username, url.
    pub(crate) profiles: Vec<(usize, String, Option<String>, String)>,
    /// Header lines that are sentences: a summary without a heading.
    pub(crate) summary: Vec<usize>,
    /// Lines used.
    pub(crate) used: Vec<usize>,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
        .expect("valid")
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d[\d\s().\-/]{5,}\d").expect("valid"));
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://[^\s|,;<>()]+|www\.[^\s|,;<>()]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s|,;<>()]*)")
        .expect("valid")
});

/// Profiles by the host their address has.
const NETWORKS: &[(&str, &str)] = &[
    ("linkedin", "LinkedIn"),
    ("github", "GitHub"),
    ("gitlab", "GitLab"),
    ("twitter", "Twitter"),
    ("x.com", "X"),
    ("stackoverflow", "Stack Overflow"),
    ("medium.com", "Medium"),
    ("kaggle", "Kaggle"),
    ("scholar.google", "Google Scholar"),
    ("xing", "XING"),
    ("behance", "Behance"),
    ("dribbble", "Dribbble"),
    ("orcid", "ORCID"),
];

/// Splits a header line into its parts: `a | b · c\td`.
pub(crate) fn fragments(s: &str) -> Vec<&str> {
    let mut out = vec![s];
    for sep in ["\t", " | ", "|", " · ", " • ", " ⋅ ", " ◦ ", " — ", " – ", "; "]
    {
        out = out
            .iter()
            .flat_map(|f| f.split(sep))
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
    }
    out
}

fn digits(s: &str) -> usize {
    s.chars().filter(char::is_ascii_digit).count()
}

/// Whether a fragment reads as a place: `München, Bayern`, `Austin, TX`,
/// `Remote`, `Lagos, Nigeria`.
pub(crate) fn location_like(s: &str) -> bool {
    let t = s.trim();
    let lower = t.to_lowercase();
    if ["remote", "hybrid", "remote (eu)", "remote (us)"].contains(&lower.as_str()) {
        return true;
    }
    let parts: Vec<&str> = t.split(", ").collect();
    (2..=3).contains(&parts.len())
        && t.split_whitespace().count() <= 6
        && digits(t) <= 5
        && parts.iter().all(|p| {
            let p = p.trim();
            p.chars().next().is_some_and(char::is_uppercase)
                && p.split_whitespace().count() <= 3
                && !p.contains('@')
        })
}

/// Reads the header's lines (and a "Contact" section's).
pub(crate) fn header(lines: &[Line], range: Range<usize>, h: &mut Header) {
    let max_size = lines[range.clone()].iter().map(|l| l.size).fold(0.0, f32::max);
    // The name: the first or largest line of a few capitalised words.
    let name_score = |i: usize| -> f32 {
        let l = &lines[i];
        let t = l.text.trim();
        let words = t.split_whitespace().count();
        let mut s = 0.0;
        if i == range.start {
            s += 3.0;
        }
        if max_size > 0.0 && l.size >= max_size {
            s += 2.0;
        }
        if l.heading == Some(1) {
            s += 2.0;
        }
        if (2..=4).contains(&words) {
            s += 1.0;
        } else if words > 6 {
            s -= 3.0;
        }
        if t.split_whitespace()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        {
            s += 1.0;
        }
        if l.bold {
            s += 0.5;
        }
        if digits(t) > 0 || t.contains('@') || t.contains('|') || t.contains('\t') {
            s -= 5.0;
        }
        s
    };
    if h.name.is_none() {
        let best = range
            .clone()
            .take(6)
            .max_by(|&a, &b| name_score(a).total_cmp(&name_score(b)).then(b.cmp(&a)));
        if let Some(i) = best.filter(|&i| name_score(i) >= 2.0) {
            h.name = Some((i, lines[i].text.trim().to_string()));
            h.used.push(i);
        }
    }
    for i in range.clone() {
        if h.name.as_ref().is_some_and(|n| n.0 == i) {
            continue;
        }
        let text = &lines[i].text;
        let mut used = false;
        let mut rest: Vec<String> = Vec::new();
        for frag in fragments(text) {
            let frag = frag.trim_start_matches(|c: char| {
                !c.is_alphanumeric() && c != '+' && c != '('
            });
            let lower = frag.to_lowercase();
            let frag = [
                "email:", "e-mail:", "phone:", "tel:", "tel.:", "mobile:", "web:",
                "website:", "address:",
            ]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map_or(frag, |p| frag[p.len()..].trim());
            if let Some(m) = EMAIL.find(frag) {
                if h.email.is_none() {
                    h.email = Some((i, m.as_str().to_string()));
                }
                used = true;
            } else if let Some(m) = URL.find(frag) {
                let url = m.as_str().trim_end_matches(['.', ')']).to_string();
                let lower = url.to_lowercase();
                if let Some((_, network)) =
                    NETWORKS.iter().find(|(host, _)| lower.contains(host))
                {
                    let username =
                        url.trim_end_matches('/').rsplit('/').next().map(str::to_string);
                    h.profiles.push((i, network.to_string(), username, url));
                } else if h.url.is_none() {
                    h.url = Some((i, url));
                }
                used = true;
            } else if let Some(m) = PHONE.find(frag)
                && digits(m.as_str()) >= 7
                && dates::best(frag).is_none_or(|d| !d.range)
            {
                if h.phone.is_none() {
                    h.phone = Some((i, m.as_str().trim().to_string()));
                }
                used = true;
            } else if location_like(frag) && h.location.is_none() {
                let parts: Vec<&str> = frag.split(", ").map(str::trim).collect();
                let city = parts[0].to_string();
                let (mut region, mut country) = (None, None);
                for p in &parts[1..] {
                    if p.len() == 2
                        && p.chars().all(|c| c.is_ascii_uppercase())
                        && parts.len() == 3
                    {
                        country = Some(p.to_string());
                    } else if region.is_none() {
                        region = Some(p.to_string());
                    }
                }
                h.location = Some((i, city, region, country));
                used = true;
            } else {
                rest.push(frag.to_string());
            }
        }
        if used {
            h.used.push(i);
            continue;
        }
        let t = text.trim();
        let words = t.split_whitespace().count();
        let next_to_name = h.name.as_ref().is_some_and(|n| n.0 + 1 == i);
        if h.label.is_none() && next_to_name && words <= 10 && !t.ends_with('.') {
            h.label = Some((i, t.to_string()));
            h.used.push(i);
        } else if words >= 8 {
            h.summary.push(i);
            h.used.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        Line { text: text.into(), page: 1, ..Line::default() }
    }

    #[test]
    fn headings_in_many_languages_and_layouts() {
        assert_eq!(known("WORK EXPERIENCE"), Some((Kind::Work, true)));
        assert_eq!(known("Berufserfahrung:"), Some((Kind::Work, true)));
        assert_eq!(known("Formación académica"), Some((Kind::Education, true)));
        assert_eq!(known("Skills & Tools"), Some((Kind::Skills, true)));
        assert_eq!(known("Skills and interests"), Some((Kind::Skills, false)));
        assert_eq!(known("Experience with Kafka and Spark at scale"), None);
        let mut lines: Vec<Line> = [
            "Jane Doe",
            "jane@example.com | +1 555 123 4567",
            "EXPERIENCE",
            "Acme Corp\t2020 – 2021",
            "- Built things",
            "Teaching",
        ]
        .into_iter()
        .map(line)
        .collect();
        lines[2].gap_before = 1.0;
        lines[5].heading = Some(2);
        lines[5].gap_before = 1.0;
        let limits = super::super::ImportLimits::default();
        let s = split(&lines, &mut Budget::new(&limits)).unwrap();
        let kinds: Vec<Kind> = s.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Kind::Header, Kind::Work, Kind::Other]);
        assert_eq!(s[0].body, 0..2);
        let mut h = Header::default();
        header(&lines, s[0].body.clone(), &mut h);
        assert_eq!(h.name.unwrap().1, "Jane Doe");
        assert_eq!(h.email.unwrap().1, "jane@example.com");
        assert_eq!(h.phone.unwrap().1, "+1 555 123 4567");
    }
}
