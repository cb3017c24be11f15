//! Tests of the PDF reader: small PDFs written here with lopdf for each
//! edge case, and real ones from `fixtures/import_pdf/`.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

use super::read;
use crate::import::{Budget, ImportError, ImportLimits, Line};

fn run(bytes: &[u8]) -> Result<Vec<Line>, ImportError> {
    run_with(bytes, &ImportLimits::default())
}

fn run_with(bytes: &[u8], limits: &ImportLimits) -> Result<Vec<Line>, ImportError> {
    let mut budget = Budget::new(limits);
    read(bytes, limits, &mut budget)
}

fn texts(lines: &[Line]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

/// A document under construction: fonts and pages added, then saved.
struct Pdf {
    doc: Document,
    pages: ObjectId,
    kids: Vec<Object>,
    fonts: Dictionary,
    xobjects: Dictionary,
}

impl Pdf {
    fn new() -> Self {
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        Pdf {
            doc,
            pages,
            kids: Vec::new(),
            fonts: Dictionary::new(),
            xobjects: Dictionary::new(),
        }
    }

    /// A simple font with 500-unit widths (a space of 250).
    fn simple_font(&mut self, name: &str, base: &str, encoding: Object) {
        let mut widths: Vec<Object> = vec![Object::Integer(500); 224];
        widths[0] = Object::Integer(250);
        let id = self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "TrueType",
            "BaseFont" => base,
            "FirstChar" => 32,
            "LastChar" => 255,
            "Widths" => widths,
            "Encoding" => encoding,
        });
        self.fonts.set(name, id);
    }

    /// A Type0 font with Identity-H codes and the given ToUnicode map.
    fn cid_font(&mut self, name: &str, base: &str, to_unicode: &str) {
        let cmap = self
            .doc
            .add_object(Stream::new(dictionary! {}, to_unicode.as_bytes().to_vec()));
        let descriptor = self.doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => base,
            "Flags" => 4,
            "FontWeight" => 400,
        });
        let descendant = self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => base,
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "DW" => 1000,
            "W" => vec![Object::Integer(4), vec![Object::Integer(300)].into()],
        });
        let id = self.doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => base,
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(descendant)],
            "ToUnicode" => cmap,
        });
        self.fonts.set(name, id);
    }

    fn page(&mut self, content: &str) -> ObjectId {
        self.page_stream(Stream::new(dictionary! {}, content.as_bytes().to_vec()))
    }

    fn page_stream(&mut self, stream: Stream) -> ObjectId {
        let content = self.doc.add_object(stream);
        let page = self.doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => self.pages,
            "Contents" => content,
        });
        self.kids.push(page.into());
        page
    }

    fn save(mut self) -> Vec<u8> {
        let resources = self.doc.add_object(dictionary! {
            "Font" => self.fonts.clone(),
            "XObject" => self.xobjects.clone(),
        });
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => self.kids.clone(),
                "Count" => count,
                "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            }),
        );
        let catalog = self
            .doc
            .add_object(dictionary! { "Type" => "Catalog", "Pages" => self.pages });
        self.doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        self.doc.save_to(&mut out).expect("the test PDF saves");
        out
    }
}

fn winansi() -> Object {
    Object::Name(b"WinAnsiEncoding".to_vec())
}

/// One text line in PDF user space (y up from the bottom).
fn text_at(font: &str, size: f32, x: f32, y: f32, text: &str) -> String {
    format!("BT /{font} {size} Tf {x} {y} Td ({text}) Tj ET\n")
}

#[test]
fn winansi_font_with_differences_decodes_names_and_codes() {
    let mut pdf = Pdf::new();
    let encoding = dictionary! {
        "Type" => "Encoding",
        "BaseEncoding" => "WinAnsiEncoding",
        "Differences" => vec![128.into(), "uni0416".into(), "fi".into()],
    };
    pdf.simple_font("F1", "Helvetica", encoding.into());
    pdf.page(&text_at("F1", 12.0, 72.0, 700.0, r"Caf\351 \226 \201ne \200"));
    let lines = run(&pdf.save()).expect("reads");
    assert_eq!(texts(&lines), ["Café – fine Ж"]);
    let line = &lines[0];
    assert_eq!((line.page, line.x, line.y, line.size), (1, 72.0, 92.0, 12.0));
    assert!(!line.bold);
}

#[test]
fn tj_kerning_past_a_quarter_em_is_a_word_space() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.page("BT /F1 10 Tf 72 700 Td [(Hello) -400 (World) -50 (Again) 30 (!)] TJ ET");
    let lines = run(&pdf.save()).expect("reads");
    assert_eq!(texts(&lines), ["Hello WorldAgain!"]);
}

#[test]
fn identity_h_font_maps_cjk_cyrillic_and_ligatures_through_to_unicode() {
    let mut pdf = Pdf::new();
    let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        5 beginbfchar <0001> <4E2D> <0002> <0416> <0003> <FB01> <0004> <0020> <0005> <2FBC> endbfchar
        1 beginbfrange <0010> <0012> <D835DC00> endbfrange
        endcmap end end";
    pdf.cid_font("C1", "ABCDEF+NotoSans-Bold", cmap);
    pdf.page(
        "BT /C1 11 Tf 50 700 Td <000100020004000300040010001100120004000500010002> Tj ET",
    );
    let lines = run(&pdf.save()).expect("reads");
    // The Kangxi radical ⾼ comes out as the ideograph 高.
    assert_eq!(texts(&lines), ["中Ж fi 𝐀𝐁𝐂 高中Ж"]);
    assert!(lines[0].bold, "a Bold font name after the subset prefix is bold");
}

#[test]
fn chromium_style_flipped_scaled_ctm_gives_point_sizes_from_the_top() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.page(
        "q 0.75 0 0 -0.75 0 792 cm BT /F1 16 Tf 1 0 0 -1 100 100 Tm (Scaled text) Tj ET Q",
    );
    let lines = run(&pdf.save()).expect("reads");
    assert_eq!(texts(&lines), ["Scaled text"]);
    assert_eq!((lines[0].x, lines[0].y, lines[0].size), (75.0, 75.0, 12.0));
}

#[test]
fn invisible_and_off_page_text_is_dropped() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.page(&format!(
        "{}BT 3 Tr /F1 10 Tf 72 650 Td (hidden keywords) Tj ET\n{}{}",
        text_at("F1", 10.0, 72.0, 700.0, "Visible"),
        text_at("F1", 10.0, 72.0, 900.0, "Above the page"),
        text_at("F1", 10.0, -400.0, 600.0, "Left of it"),
    ));
    let lines = run(&pdf.save()).expect("reads");
    assert_eq!(texts(&lines), ["Visible"]);
}

const SIDEBAR: [&str; 9] = [
    "SKILLS",
    "Python and Pandas",
    "SQL and dbt models",
    "Spark Streaming",
    "Airflow and Dagster",
    "Kafka and Flink",
    "LANGUAGES",
    "German (native)",
    "English (fluent)",
];

/// A two-column resume: a full-width header, a narrow left sidebar and a
/// main column with bullets, a bold heading and right-aligned dates.
fn two_column_pdf() -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.simple_font("F2", "ABCDEF+Inter-SemiBold", winansi());
    let mut c = String::new();
    c += &text_at("F2", 20.0, 40.0, 750.0, "Jane Doe");
    c += &text_at(
        "F1",
        10.0,
        40.0,
        728.0,
        "Data Engineer | jane@example.com | +49 30 1234567 | Berlin, Germany | github.com/jane",
    );
    let skills = SIDEBAR;
    for (i, s) in skills.iter().enumerate() {
        let font = if s.chars().all(|c| c.is_ascii_uppercase()) { "F2" } else { "F1" };
        c += &text_at(font, 9.0, 40.0, 690.0 - 13.0 * i as f32, s);
    }
    c += &text_at("F2", 12.0, 220.0, 690.0, "EXPERIENCE");
    let mut y = 672.0;
    for job in 0..3 {
        c += &text_at("F2", 10.0, 220.0, y, &format!("Data Engineer, Acme {job}"));
        c += &text_at("F1", 10.0, 500.0, y, "2019 \\226 2021");
        y -= 13.0;
        for b in 0..3 {
            c += &text_at("F1", 10.0, 226.0, y, "\\225");
            c += &text_at(
                "F1",
                10.0,
                236.0,
                y,
                &format!("Built pipeline {job}.{b} for events"),
            );
            y -= 13.0;
        }
        y -= 6.0;
    }
    pdf.page(&c);
    pdf.save()
}

#[test]
fn sidebar_is_one_consecutive_block_between_header_and_main_column() {
    let lines = run(&two_column_pdf()).expect("reads");
    let t = texts(&lines);
    assert_eq!(t[0], "Jane Doe");
    assert!(t[1].starts_with("Data Engineer | jane@example.com"), "{t:?}");
    assert_eq!(t[2..11], SIDEBAR);
    let sidebar = lines[2].block;
    assert!(lines[2..11].iter().all(|l| l.block == sidebar));
    assert!(lines[11..].iter().all(|l| l.block != sidebar));
    assert_ne!(lines[0].block, sidebar);
    assert_eq!(t[11], "EXPERIENCE");
    assert!(lines[11].bold && lines[2].bold && !lines[3].bold);
    assert_eq!(t[12], "Data Engineer, Acme 0\t2019 – 2021");
    assert_eq!(t[13], "Built pipeline 0.0 for events");
    assert!(lines[13].bullet && !lines[12].bullet);
    assert_eq!(lines[13].x, 226.0, "x is the left edge, marker included");
    assert_eq!(lines[0].size, 20.0);
    // Within the main column the pitch is 13pt; after an entry 19pt.
    let gap = lines[16].gap_before;
    assert!((0.3..0.6).contains(&gap), "{gap}");
}

#[test]
fn self_referential_page_tree_ends() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    let page = pdf.page(&text_at("F1", 10.0, 72.0, 700.0, "Only once"));
    let pages = pdf.pages;
    // The pages node lists itself and the page twice.
    pdf.kids.push(pages.into());
    pdf.kids.push(page.into());
    let mut bytes = pdf.save();
    let lines = run(&bytes).expect("reads");
    assert_eq!(texts(&lines), ["Only once"]);
    // A page that is its own parent and kid.
    let mut doc = Document::load_mem(&bytes).expect("loads");
    if let Ok(Object::Dictionary(d)) = doc.get_object_mut(page) {
        d.set("Parent", page);
        d.set("Kids", vec![Object::Reference(page)]);
        d.remove(b"Type");
    }
    bytes.clear();
    doc.save_to(&mut bytes).expect("saves");
    assert!(matches!(run(&bytes), Err(ImportError::Corrupt(_))));
}

#[test]
fn form_xobject_that_draws_itself_is_followed_once() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    let form = pdf.doc.new_object_id();
    let resources = dictionary! { "XObject" => dictionary! { "Fx" => form } };
    let mut stream = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "Resources" => resources,
        "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()] },
        b"BT /F1 10 Tf 72 700 Td (In the form) Tj ET /Fx Do".to_vec(),
    );
    // The form's own resources lack the font: it inherits none, so give it one.
    if let Ok(Object::Dictionary(res)) = stream.dict.get_mut(b"Resources") {
        res.set("Font", pdf.fonts.clone());
    }
    pdf.doc.objects.insert(form, Object::Stream(stream));
    pdf.xobjects.set("Fx", form);
    pdf.page("/Fx Do");
    let lines = run(&pdf.save()).expect("reads");
    assert_eq!(texts(&lines), ["In the form"]);
}

#[test]
fn flate_bomb_stops_at_the_decompression_limit() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    let mut content = text_at("F1", 10.0, 72.0, 700.0, "Bomb").into_bytes();
    content.resize(4 << 20, b' ');
    let mut stream = Stream::new(dictionary! {}, content);
    stream.compress().expect("compresses");
    assert!(stream.content.len() < 64 << 10);
    pdf.page_stream(stream);
    let limits = ImportLimits { max_decompressed: 1 << 20, ..ImportLimits::default() };
    let err = run_with(&pdf.save(), &limits).expect_err("refused");
    assert_eq!(err, ImportError::TooLarge { what: "decompressed bytes", limit: 1 << 20 });
}

#[test]
fn encrypted_trailer_is_refused() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.page(&text_at("F1", 10.0, 72.0, 700.0, "Secret"));
    let encrypt = pdf.doc.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 1,
        "R" => 2,
        "O" => Object::String(vec![7; 32], StringFormat::Hexadecimal),
        "U" => Object::String(vec![9; 32], StringFormat::Hexadecimal),
        "P" => -4,
    });
    pdf.doc.trailer.set("Encrypt", encrypt);
    let id = Object::String(vec![1; 16], StringFormat::Hexadecimal);
    pdf.doc.trailer.set("ID", vec![id.clone(), id]);
    assert_eq!(run(&pdf.save()), Err(ImportError::Encrypted));
}

#[test]
fn too_many_pages_are_refused() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    for i in 0..3 {
        pdf.page(&text_at("F1", 10.0, 72.0, 700.0, &format!("Page {i}")));
    }
    let limits = ImportLimits { max_pages: 2, ..ImportLimits::default() };
    assert_eq!(
        run_with(&pdf.save(), &limits),
        Err(ImportError::TooLarge { what: "pages", limit: 2 })
    );
}

#[test]
fn image_only_pdf_has_no_text() {
    let mut pdf = Pdf::new();
    let image = pdf.doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        vec![0],
    ));
    pdf.xobjects.set("Im1", image);
    pdf.page("q 500 0 0 700 50 50 cm /Im1 Do Q");
    assert_eq!(run(&pdf.save()), Err(ImportError::NoText));
}

#[test]
fn damaged_files_are_corrupt_and_never_panic() {
    assert!(matches!(run(b"%PDF-1.7\nthis is not a pdf"), Err(ImportError::Corrupt(_))));
    assert!(matches!(run(b""), Err(ImportError::Corrupt(_))));
    let good = two_column_pdf();
    // Every truncation and a few byte flips: an error or lines, never a panic.
    for cut in (0..good.len()).step_by(97) {
        let _ = run(&good[..cut]);
    }
    for at in (0..good.len()).step_by(211) {
        let mut bad = good.clone();
        bad[at] ^= 0x5A;
        let _ = run(&bad);
    }
}

#[test]
fn work_budget_bounds_a_long_content_stream() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    pdf.page(&"q Q ".repeat(50_000));
    let limits = ImportLimits { work: 10_000, ..ImportLimits::default() };
    assert!(matches!(run_with(&pdf.save(), &limits), Err(ImportError::TooLarge { .. })));
}

/// Prints the lines of the PDF at `$PDF_DUMP` (a development aid:
/// `PDF_DUMP=file.pdf cargo nextest run -E 'test(dump_lines)' --run-ignored only --no-capture`).
#[test]
#[ignore = "a development aid that reads a file outside the project"]
fn dump_lines() {
    let Ok(path) = std::env::var("PDF_DUMP") else { return };
    let bytes = std::fs::read(path).expect("reads the file");
    let limits =
        ImportLimits { max_pages: 1_000, max_lines: 100_000, ..ImportLimits::default() };
    let start = std::time::Instant::now();
    let lines = run_with(&bytes, &limits);
    let elapsed = start.elapsed();
    match lines {
        Ok(lines) => {
            for l in &lines {
                println!(
                    "p{} b{:<2} x{:>5.1} y{:>5.1} s{:>4.1} g{:>4.2} {}{} {:?}",
                    l.page,
                    l.block,
                    l.x,
                    l.y,
                    l.size,
                    l.gap_before,
                    if l.bold { "B" } else { "-" },
                    if l.bullet { "•" } else { " " },
                    l.text
                );
            }
        }
        Err(e) => println!("error: {e:?}"),
    }
    let start = std::time::Instant::now();
    let _ = run_with(&bytes, &limits);
    let again = start.elapsed();
    let start = std::time::Instant::now();
    let _ = Document::load_mem(&bytes);
    println!(
        "elapsed: {elapsed:?}, again {again:?}, lopdf's load alone {:?}",
        start.elapsed()
    );
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/import_pdf/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn find<'a>(lines: &'a [Line], text: &str) -> &'a Line {
    lines.iter().find(|l| l.text == text).unwrap_or_else(|| panic!("no line {text:?}"))
}

#[test]
fn chromium_two_column_sidebar_comes_out_as_its_own_block() {
    let lines = run(&fixture("kendall-two-column.pdf")).expect("reads");
    let name = &lines[0];
    assert_eq!(name.text, "MARIA CLARA DELA CRUZ");
    assert!(name.bold && (name.size - 16.0).abs() < 0.1, "{name:?}");
    // The centred title under the name is read with it, above both columns.
    assert_eq!(lines[1].text, "JUNIOR DATA ENGINEER");
    assert_eq!(lines[1].block, name.block);
    let sidebar = find(&lines, "CONTACT").block;
    let main = find(&lines, "WORK EXPERIENCE").block;
    assert!(name.block < main && main < sidebar, "header, main column, then sidebar");
    assert_ne!(sidebar, main);
    // Every sidebar heading is in the sidebar's block, and that block's
    // lines are consecutive.
    for heading in ["CONTACT", "EDUCATION", "SKILLS"] {
        assert_eq!(find(&lines, heading).block, sidebar, "{heading}");
        assert!(find(&lines, heading).bold);
    }
    for heading in ["ABOUT", "WORK EXPERIENCE", "PROJECTS"] {
        assert_eq!(find(&lines, heading).block, main, "{heading}");
    }
    let first = lines.iter().position(|l| l.block == sidebar).expect("sidebar");
    let count = lines.iter().filter(|l| l.block == sidebar).count();
    assert!(lines[first..first + count].iter().all(|l| l.block == sidebar));
    assert!(lines.iter().any(|l| l.text == "2022\tSan José State University"));
    // The markers are triangles drawn as paths, not characters.
    let bullet = find(&lines, "Wrote the table definitions and a short data dictionary");
    assert!(bullet.bullet && !bullet.bold);
    assert!(!find(&lines, "Highlights").bullet);
}

#[test]
fn margin_labels_come_out_as_lines_before_their_first_entry() {
    let lines = run(&fixture("even-margin-labels.pdf")).expect("reads");
    assert_eq!(lines[0].text, "Wanjiru Kamau");
    assert!((lines[0].size - 32.0).abs() < 0.1, "{:?}", lines[0]);
    // A section name in the margin is a line of its own before its entry.
    let work = lines.iter().position(|l| l.text == "Work").expect("Work");
    assert_eq!(lines[work + 1].text, "Senior Analytics Engineer");
    assert!((lines[work].y - lines[work + 1].y).abs() < 3.0);
    let education = lines.iter().position(|l| l.text == "Education").expect("Education");
    assert_eq!(lines[education + 1].text, "University of Nairobi");
    let bullets = lines.iter().filter(|l| l.bullet).count();
    assert_eq!(bullets, 9, "one per highlight, drawn as discs");
    assert!(lines.iter().any(|l| l.page == 2));
    // Two pages, one column each: one block per page.
    let mut blocks: Vec<u32> = lines.iter().map(|l| l.block).collect();
    blocks.dedup();
    assert_eq!(blocks.len(), 2);
}

#[test]
fn one_column_resume_keeps_dates_after_a_tab() {
    let lines = run(&fixture("plain-one-column.pdf")).expect("reads");
    assert_eq!(lines[0].text, "Arjun Venkataraman");
    assert!(lines[0].bold);
    assert!(lines.iter().all(|l| l.block == 0));
    let entry = find(&lines, "Setu Pay Technologies\tJune 2021 - Present");
    assert!(entry.bold);
    let heading = find(&lines, "EXPERIENCE");
    assert!(heading.bold && heading.gap_before > 0.3, "{heading:?}");
    let bullet = find(&lines, "Lead four data engineers; mentor two interns a year");
    assert!(bullet.bullet);
    assert!(bullet.gap_before < 0.2, "{bullet:?}");
}

#[test]
fn skill_grids_do_not_split_a_one_column_page() {
    let lines = run(&fixture("stackoverflow-grid.pdf")).expect("reads");
    let mut blocks: Vec<(u32, u32)> = lines.iter().map(|l| (l.page, l.block)).collect();
    blocks.dedup();
    assert_eq!(blocks.len(), 2, "one block per page: {blocks:?}");
}

#[test]
fn chinese_and_arabic_text_comes_through_in_reading_order() {
    let lines = run(&fixture("plain-chinese.pdf")).expect("reads");
    assert_eq!(lines[0].text, "王思远 (Siyuan Wang)");
    assert!(lines[0].bold);
    find(&lines, "复旦大学 Fudan University\t2012 - 2016");
    // Known gap: ⻛ (a CJK radical supplement code point) is not unified
    // to 风; only Kangxi radicals are.
    assert!(lines.iter().any(|l| l.text.starts_with("上海")));

    let lines = run(&fixture("plain-arabic.pdf")).expect("reads");
    assert_eq!(lines[0].text, "يوسف منصور");
    find(&lines, "جامعة القاهرة\t2016 - 2021");
}

#[test]
fn bad_fixtures_give_their_errors() {
    assert_eq!(run(&fixture("bad-encrypted.pdf")), Err(ImportError::Encrypted));
    assert!(matches!(run(&fixture("bad-truncated.pdf")), Err(ImportError::Corrupt(_))));
}

/// Prints the time each fixture takes (the goal is 50 ms for two pages in
/// the dev profile; not asserted, since the machine's load varies).
#[test]
fn fixture_timings() {
    for name in [
        "kendall-two-column.pdf",
        "even-margin-labels.pdf",
        "plain-one-column.pdf",
        "stackoverflow-grid.pdf",
    ] {
        let bytes = fixture(name);
        let start = std::time::Instant::now();
        let lines = run(&bytes).expect("reads");
        println!("{name}: {} lines in {:?}", lines.len(), start.elapsed());
    }
}

#[test]
fn cut_and_flipped_chromium_files_never_panic() {
    let good = fixture("kendall-two-column.pdf");
    for cut in (0..good.len()).step_by(good.len() / 40) {
        let _ = run(&good[..cut]);
    }
    for at in (0..good.len()).step_by(good.len() / 60) {
        let mut bad = good.clone();
        bad[at] = bad[at].wrapping_add(0x41);
        let _ = run(&bad);
    }
}

/// A page of 6,000 scattered words: layout stays near-linear.
#[test]
fn dense_scattered_page_reads_quickly() {
    let mut pdf = Pdf::new();
    pdf.simple_font("F1", "Helvetica", winansi());
    let mut c = String::new();
    for i in 0..6_000u32 {
        let x = (i * 37 % 550) as f32;
        let y = (i * 101 % 760) as f32 + 10.0;
        c += &text_at("F1", 6.0, x, y, "w");
    }
    pdf.page(&c);
    let bytes = pdf.save();
    let start = std::time::Instant::now();
    let lines = run(&bytes).expect("reads");
    println!("dense page: {} lines in {:?}", lines.len(), start.elapsed());
    assert!(!lines.is_empty());
}
