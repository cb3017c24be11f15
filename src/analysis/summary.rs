//! The analysis as text, for `prepbook analyze`: what a candidate or a
//! reviewer checks first (fit and its parts, each requirement with its
//! verdict and evidence, the ranked gaps, the level and why). The JSON
//! form is the [`Analysis`] itself.

use std::fmt;

use super::Analysis;
use super::assess::Status;

impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.candidate;
        writeln!(f, "{} for {}", c.name, self.posting.title)?;
        writeln!(
            f,
            "  {:.1} professional years, {:.1} towards the role",
            c.years, c.role_years
        )?;
        writeln!(f, "\nfit {}/100", self.fit.score)?;
        for k in &self.fit.components {
            writeln!(
                f,
                "  {:>3}/{:<3} {}: {}",
                k.points, k.weight, k.name, k.explanation
            )?;
        }
        writeln!(f, "\nrequirements")?;
        for r in &self.requirements {
            let mark = match r.status {
                Status::Met => "met",
                Status::Partial => "partial",
                Status::Missing => "missing",
            };
            let kind = serde_json::to_value(r.requirement.kind).unwrap_or_default();
            writeln!(
                f,
                "  {:<3} {:<8} {:<14} {} — {}",
                r.requirement.id,
                mark,
                kind.as_str().unwrap_or(""),
                r.requirement.label,
                r.why
            )?;
            if let Some(e) = r.evidence.first() {
                writeln!(f, "      {} ({:.2}): {}", e.path, e.weight, clip(&e.text, 90))?;
            }
        }
        writeln!(f, "\ngaps")?;
        if self.gaps.is_empty() {
            writeln!(f, "  none")?;
        }
        for g in &self.gaps {
            writeln!(f, "  {:>2}. {} ({:.2})", g.rank, g.label, g.size)?;
        }
        if let Some(l) = &self.level {
            writeln!(f, "\nlevel {} ({}): {}", l.recommended, l.title, l.why)?;
            for s in &l.steps {
                writeln!(f, "  - {s}")?;
            }
        }
        Ok(())
    }
}

/// `text` cut at a word boundary to about `max` characters, for one line.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}
