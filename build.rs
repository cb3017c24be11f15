//! Embeds `report_templates/` (templates and content packs) and `fonts/` in
//! the binary, so that `prepbook` runs anywhere with no files beside it.
//! Runtime `--templates` and `--packs` directories override the embedded set.

use std::env;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut out = String::new();
    for (name, dir, exts) in [
        ("TEMPLATES", "report_templates", &["typ", "j2", "json", "md"][..]),
        ("FONTS", "fonts", &["ttf", "otf"][..]),
    ] {
        let base = root.join(dir);
        println!("cargo:rerun-if-changed={}", base.display());
        let mut files = Vec::new();
        walk(&base, &mut files);
        files.sort();
        writeln!(out, "pub(crate) static {name}: &[(&str, &[u8])] = &[").unwrap();
        for file in files {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !exts.contains(&ext) {
                continue;
            }
            println!("cargo:rerun-if-changed={}", file.display());
            let rel =
                file.strip_prefix(&base).unwrap().to_str().unwrap().replace('\\', "/");
            writeln!(
                out,
                "    ({rel:?}, include_bytes!({:?})),",
                file.display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).unwrap();
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
