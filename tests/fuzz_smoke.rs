//! The fuzz targets' smoke run (issues 13 and 14): every entry of
//! `prepbook::fuzzing` over its committed corpus (`fuzz/corpus/TARGET/`,
//! which keeps the inputs cargo-fuzz found, crashes included) and over
//! deterministic mutations of the project's own fixtures: bit flips,
//! truncations, splices and repeated slices. Each input must return
//! without a panic; the run is the same on every machine.

mod common;

use std::path::Path;

use common::root;

/// A small deterministic generator (xorshift64*): the same mutations in
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// `n` mutations of `seed`.
fn mutations(seed: &[u8], n: usize, rng: &mut Rng) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| {
            let mut v = seed.to_vec();
            for _ in 0..1 + rng.below(4) {
                match rng.below(5) {
                    0 if !v.is_empty() => {
                        let i = rng.below(v.len());
                        v[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let cut = rng.below(v.len() + 1);
                        v.truncate(cut);
                    }
                    2 if !v.is_empty() => {
                        let i = rng.below(v.len());
                        let b =
                            [0u8, 0xff, b'(', b')', b'<', b'>', b'[', b']', b'/', b'\\']
                                [rng.below(10)];
                        v.insert(i, b);
                    }
                    3 if v.len() > 8 => {
                        // Repeat a slice: nesting and self-reference.
                        let a = rng.below(v.len() - 4);
                        let len = 1 + rng.below((v.len() - a).min(256));
                        let slice = v[a..a + len].to_vec();
                        let at = rng.below(v.len());
                        for _ in 0..1 + rng.below(8) {
                            v.splice(at..at, slice.iter().copied());
                        }
                    }
                    _ if !v.is_empty() => {
                        let a = rng.below(v.len());
                        let b = rng.below(v.len());
                        let (a, b) = (a.min(b), a.max(b));
                        v.drain(a..b);
                    }
                    _ => {}
                }
            }
            v
        })
        .collect()
}

fn files(dir: &Path, ext: &[&str]) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            ext.is_empty()
                || p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| ext.contains(&e))
        })
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// The corpus of `target`, then `per_seed` mutations of each seed.
fn run(target: &str, seeds: Vec<Vec<u8>>, per_seed: usize, f: fn(&[u8])) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
    let corpus = files(&root().join("fuzz/corpus").join(target), &[]);
    let mut n = 0;
    for input in corpus.iter().chain(seeds.iter()) {
        f(input);
        n += 1;
    }
    for seed in &seeds {
        for m in mutations(seed, per_seed, &mut rng) {
            f(&m);
            n += 1;
        }
    }
    eprintln!("{target}: {n} inputs ({} from the corpus)", corpus.len());
}

#[test]
fn order_reader() {
    let mut seeds = files(&root().join("fixtures/errors"), &["json"]);
    seeds.push(std::fs::read(root().join("fixtures/order.sample.json")).unwrap());
    run("order", seeds, 60, prepbook::fuzzing::order);
}

#[test]
fn job_text_reader() {
    let mut seeds = vec![std::fs::read(root().join("fixtures/job.mle.txt")).unwrap()];
    seeds
        .extend(files(&root().join("fixtures/analysis/mle-01-backend-to-mle"), &["txt"]));
    run("job_text", seeds, 40, prepbook::fuzzing::job_text);
}

#[test]
fn typst_escaper() {
    let blns: Vec<String> = serde_json::from_slice(
        &std::fs::read(root().join("fixtures/blns/blns.json")).unwrap(),
    )
    .unwrap();
    let seeds: Vec<Vec<u8>> = blns.into_iter().map(String::into_bytes).collect();
    run("escape", seeds, 2, prepbook::fuzzing::escape);
}

#[test]
fn pdf_inspector() {
    let seeds = files(&root().join("fixtures/import/docs"), &["pdf"])
        .into_iter()
        .take(6)
        .collect();
    run("inspect", seeds, 25, prepbook::fuzzing::inspect);
}

#[test]
fn pdf_import() {
    let mut seeds: Vec<Vec<u8>> = files(&root().join("fixtures/import/docs"), &["pdf"])
        .into_iter()
        .take(8)
        .collect();
    seeds.extend(files(&root().join("fixtures/import/bad"), &["pdf"]));
    run("import_pdf", seeds, 25, prepbook::fuzzing::import_pdf);
}

#[test]
fn docx_import() {
    let mut seeds: Vec<Vec<u8>> = files(&root().join("fixtures/import/docs"), &["docx"])
        .into_iter()
        .take(6)
        .collect();
    seeds.extend(files(&root().join("fixtures/import/bad"), &["docx"]));
    run("import", seeds, 25, prepbook::fuzzing::import);
}

#[test]
fn text_import() {
    let seeds = files(&root().join("fixtures/import/docs"), &["txt", "md"]);
    run("import_text", seeds, 8, prepbook::fuzzing::import_text);
}
