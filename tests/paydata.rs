//! Pay-data import: the fixtures under `fixtures/paydata/` are invented
//! rows in the real LCA disclosure layout (written by
//! `fixtures/paydata/make_fixtures.py`) and a generic CSV. Every expected
//! figure below was worked out by hand from the wages in that script, not
//! by calling the code under test.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use prepbook::Packs;
use prepbook::paydata::{
    self, Cell, Format, ImportOptions, ImportReport, Store, Unmapped,
};

const LABEL: &str =
    "prepbook test fixture: invented rows in the LCA layout, not real filings";

fn packs() -> &'static Packs {
    &engine().packs
}

fn lca(name: &str) -> PathBuf {
    fixture("paydata").join(name)
}

fn import(file: &str, format: Format, existing: Option<Store>) -> (Store, ImportReport) {
    let f = std::fs::File::open(lca(file)).unwrap();
    let opts = ImportOptions { label: Some(LABEL.into()), ..ImportOptions::new(format) };
    paydata::import(f, file, existing, packs().pay.mapping(), packs(), &opts).unwrap()
}

fn cell<'a>(cells: &'a [Cell], key: &str) -> &'a Cell {
    let parts: Vec<&str> = key.split(' ').collect();
    cells
        .iter()
        .find(|c| {
            [&c.company, &c.role, &c.level, &c.metro, &c.currency]
                .iter()
                .zip(&parts)
                .all(|(a, b)| a.as_str() == *b)
        })
        .unwrap_or_else(|| panic!("no cell {key}"))
}

#[test]
fn every_row_of_the_lca_fixture_is_accounted_for() {
    let (_, r) = import("lca_fixture_q1.csv", Format::Lca, None);
    // 269 generated rows and 7 malformed lines.
    assert_eq!(r.rows_read, 276);
    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
    assert_eq!(lines, (26..=32).collect::<Vec<_>>(), "{:#?}", r.rejections);
    let reasons: Vec<&str> = r.rejections.iter().map(|x| x.reason.as_str()).collect();
    assert!(reasons[0].contains("expected 96 fields") && reasons[0].contains("found 40"));
    assert!(reasons[1].contains("found 98"));
    for (i, col) in [
        (2, "WAGE_RATE_OF_PAY_FROM"),
        (3, "WAGE_UNIT_OF_PAY"),
        (4, "DECISION_DATE"),
        (5, "CASE_NUMBER"),
        (6, "SOC_CODE"),
    ] {
        assert!(reasons[i].contains(col), "line {}: {}", lines[i], reasons[i]);
    }
    // Acme (3), Google Fiber (1) and the three other employers (29).
    assert_eq!(r.unmapped[&Unmapped::Employer].count, 33);
    // The most frequent first; Initech and Globex tie at 10, Initech first.
    let top: Vec<(&str, usize)> = r.unmapped[&Unmapped::Employer]
        .examples
        .iter()
        .map(|e| (e.value.as_str(), e.count))
        .collect();
    assert_eq!(
        top,
        [
            ("Initech LLC", 10),
            ("Globex Corporation", 10),
            ("Hooli, Inc.", 9),
            ("Acme Analytics LLC", 3),
            ("Google Fiber Inc.", 1)
        ]
    );
    // Case 3 has an older record, case 9 a later withdrawal.
    assert_eq!(r.duplicates, 2);
    let excluded: Vec<(&str, usize)> =
        r.excluded.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        excluded,
        [
            ("case status certified - withdrawn", 1),
            ("case status denied", 1),
            ("case status withdrawn", 1),
            ("implausible annual wage", 1),
            ("part-time position", 1),
        ]
    );
    let n = |why| r.unmapped.get(&why).map_or(0, |x| x.count);
    assert_eq!(n(Unmapped::Soc), 2);
    assert_eq!(n(Unmapped::Title), 1);
    assert_eq!(n(Unmapped::NoLevel), 2);
    // Three NVIDIA "Senior" titles (IC3 or IC4) and one Google Senior Staff.
    assert_eq!(n(Unmapped::AmbiguousLevel), 4);
    assert_eq!(n(Unmapped::Worksite), 1);
    assert_eq!(r.unmapped[&Unmapped::Worksite].examples[0].value, "Portland, OR");
    // 38 key rows and 181 filler rows.
    assert_eq!(r.counted, 219);
    assert_eq!(r.store_rows, 219);
    assert_eq!(r.changes.added, 219);
}

#[test]
fn lca_aggregates_match_hand_computed_medians_and_quartiles() {
    let (_, r) = import("lca_fixture_q1.csv", Format::Lca, None);
    // (cell, n, p25, median, p75), by hand with h = (n − 1)·q.
    let expected = [
        // 175000 180000 185000 187200(90/h) 188500 192000 196000 201000
        ("google swe L5 sf-bay-area USD", 8, 183_750, 187_850, 193_000),
        // 150000 156000(3000/wk) 158600(6100/2wk) 160000 162000(13500/mo) 165000
        ("amazon swe L5 seattle USD", 6, 156_650, 159_300, 161_500),
        ("meta ds IC5 new-york USD", 5, 176_000, 182_000, 185_000),
        ("microsoft swe 61-62 seattle USD", 4, 143_750, 147_500, 151_250),
        ("nvidia swe IC5 sf-bay-area USD", 5, 250_000, 255_000, 260_000),
        // 80, 85.50, 90.25, 95, 100 an hour × 2080
        ("apple swe ICT4 sf-bay-area USD", 5, 177_840, 187_720, 197_600),
        ("netflix swe L5 sf-bay-area USD", 5, 350_000, 400_000, 450_000),
        ("google swe L6 sf-bay-area USD", 6, 246_250, 252_500, 258_750),
    ];
    for (key, n, p25, median, p75) in expected {
        let c = cell(&r.coverage, key);
        assert_eq!(
            (c.n, c.base.p25, c.base.median, c.base.p75),
            (n, p25, median, p75),
            "{key}"
        );
        assert_eq!(c.shown(), n >= paydata::MIN_N, "{key}");
        assert!(c.total.is_none(), "LCA data has no total compensation");
    }
    let a = cell(&r.coverage, "google swe L5 sf-bay-area USD");
    assert_eq!((a.from.as_str(), a.to.as_str()), ("2024-10-15", "2024-11-04"));
    assert_eq!(a.source, LABEL);
    assert_eq!(cell(&r.coverage, "google swe L4 sf-bay-area USD").n, 3);
}

#[test]
fn a_newer_quarter_merges_by_case_number_and_the_latest_decision_wins() {
    let (q1, _) = import("lca_fixture_q1.csv", Format::Lca, None);
    let (q2, r) = import("lca_fixture_q2.csv", Format::Lca, Some(q1));
    // Case 1 again, case 2 now withdrawn, an old record of case 3, a new case.
    assert_eq!(r.changes.unchanged, 1);
    assert_eq!(r.changes.removed, 1);
    assert_eq!(r.changes.older, 1);
    assert_eq!(r.changes.added, 1);
    // 175000 185000 187200 188500 192000 196000 201000 205000
    let c = cell(&r.coverage, "google swe L5 sf-bay-area USD");
    assert_eq!(
        (c.n, c.base.p25, c.base.median, c.base.p75),
        (8, 186_650, 190_250, 197_250)
    );
    assert_eq!(c.to, "2025-02-10");
    // Importing the older quarter again cannot bring case 2 back.
    let (again, r) = import("lca_fixture_q1.csv", Format::Lca, Some(q2.clone()));
    assert!(r.already_imported);
    assert_eq!(again.rows, q2.rows);
    assert!(again.dropped.iter().any(|d| d.id == "I-200-24280-000002"));
}

#[test]
fn the_generic_csv_keeps_totals_and_currencies_apart() {
    let (_, r) = import("reported_fixture.csv", Format::Csv, None);
    assert_eq!(r.rows_read, 20);
    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
    assert_eq!(lines, [16, 17, 18], "{:#?}", r.rejections);
    assert!(r.rejections[1].reason.contains("currency"));
    assert_eq!(r.unmapped[&Unmapped::Employer].count, 1);
    assert_eq!(r.unmapped[&Unmapped::LevelNotInPack].count, 1);
    assert_eq!(r.unmapped[&Unmapped::Worksite].count, 1);
    assert_eq!(r.counted, 14);
    // Bases 190000 195000 198000 198000 200000 200000 205000 210000 215000
    // (the two identical reports stay two); totals 308000 308000 320000
    // 335000 350000 350000 365000 380000 395000.
    let usd = cell(&r.coverage, "google swe L5 sf-bay-area USD");
    assert_eq!(
        (usd.n, usd.base.p25, usd.base.median, usd.base.p75),
        (9, 198_000, 200_000, 205_000)
    );
    let t = usd.total.unwrap();
    assert_eq!((usd.total_n, t.p25, t.median, t.p75), (9, 320_000, 350_000, 365_000));
    assert!(usd.source.contains("prepbook fixture survey (invented)"));
    // London in pounds, never converted: 95000 100000 105000 110000 120000.
    let gbp = cell(&r.coverage, "google swe L5 london GBP");
    assert_eq!(
        (gbp.n, gbp.base.p25, gbp.base.median, gbp.base.p75),
        (5, 100_000, 105_000, 110_000)
    );
    assert!(gbp.total.is_none());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn prepbook() -> Command {
    Command::cargo_bin("prepbook").unwrap()
}

/// A copy of the shipped packs with both fixtures imported through the CLI.
fn packs_with_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("report_templates/packs"), dir.path());
    for (file, format) in [("lca_fixture_q1.csv", "lca"), ("reported_fixture.csv", "csv")]
    {
        prepbook()
            .args(["paydata", "import"])
            .arg(lca(file))
            .args(["--format", format, "--label", LABEL, "--packs"])
            .arg(dir.path())
            .assert()
            .success();
    }
    dir
}

#[test]
fn the_cli_import_is_idempotent_and_the_packs_stay_valid() {
    let dir = packs_with_fixtures();
    let store = dir.path().join("paydata/lca.json");
    let before = std::fs::read(&store).unwrap();
    let out = prepbook()
        .args(["paydata", "import"])
        .arg(lca("lca_fixture_q1.csv"))
        .args(["--format", "lca", "--json", "--packs"])
        .arg(dir.path())
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["already_imported"], true);
    assert_eq!(report["changes"]["unchanged"], 219 + 15);
    assert_eq!(std::fs::read(&store).unwrap(), before, "re-import changed the store");
    prepbook().arg("validate").arg("--packs").arg(dir.path()).assert().success();
    // The text report names rejected lines and the coverage.
    let text = prepbook()
        .args(["paydata", "import"])
        .arg(lca("lca_fixture_q1.csv"))
        .args(["--format", "lca", "--store"])
        .arg(dir.path().join("other/lca.json"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(text.contains("line 28: WAGE_RATE_OF_PAY_FROM \"n/a\""), "{text}");
    assert!(
        text.contains("google swe L5 sf-bay-area USD: n = 8, median $187,850"),
        "{text}"
    );
}

#[test]
fn an_import_over_a_limit_is_refused_naming_it() {
    let f = std::fs::File::open(lca("lca_fixture_q1.csv")).unwrap();
    let mut opts = ImportOptions::new(Format::Lca);
    opts.limits.max_rows = 100;
    let err = paydata::import(f, "q1.csv", None, packs().pay.mapping(), packs(), &opts)
        .unwrap_err();
    assert!(err.to_string().contains("max_rows"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    opts.limits.max_file_bytes = 1000;
    let err = paydata::import_file(
        &lca("lca_fixture_q1.csv"),
        &dir.path().join("s.json"),
        packs(),
        &opts,
    )
    .unwrap_err();
    assert!(err.to_string().contains("max_file_bytes"), "{err}");
}

#[test]
fn a_playbook_for_a_company_with_imported_data_shows_sourced_figures() {
    let dir = packs_with_fixtures();
    let engine = prepbook::Engine::with_overrides(Some(dir.path()), None).unwrap();
    // The sample resume lives in San Francisco.
    let order = order_json(serde_json::json!({
        "order_id": "TEST-PAYDATA",
        "resume": {"path": fixture("jsonresume/sample.resume.json")},
        "target": {"company": "google", "role": "swe", "level": "L5", "interview_date": "2027-01-08"}
    }))
    .unwrap();
    let source = engine.source(&order).unwrap();
    assert!(source.contains("Pay data for"), "no pay-data section");
    let out = engine.render(&order, &Default::default()).unwrap();
    let text = pdf_pages_text(&out.pdf)
        .join("\n")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "Metro area: San Francisco Bay Area",
        // L5 from the LCA fixture and from the generic CSV, with its total.
        "$187,850",
        "$183,750 – $193,000",
        "Oct 2024 – Nov 2024",
        "$200,000",
        "median $350,000 ($320,000 – $365,000), 9 cases",
        // L6 from the filler rows; L4 has only 3 cases, so its estimate stays.
        "$252,500",
        "L4: only 3 cases",
        "also has sourced figures for New York City",
    ] {
        assert!(text.contains(want), "missing {want:?} in the compensation pages");
    }
    // The estimate table now lists only the levels without sourced figures.
    assert!(text.contains("Compensation ranges (estimates for the other levels)"));
    // Without imported data the same order says every figure is an estimate.
    let plain = common::engine().source(&order).unwrap();
    assert!(plain.contains("No imported pay data covers"));
    assert!(!plain.contains("Pay data for"));
}
