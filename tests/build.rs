//! How the crate resolves its dependencies, checked on the dependency tree
//! (`cargo tree`, which compiles nothing) rather than with more builds:
//! the engine without the `service` feature pulls in no web stack, and the
//! test build resolves every normal dependency with the features of
//! `cargo build`, so the two share one compiled typst.

use std::process::Command;

/// `cargo tree` of this crate, one `name version|features` line per package.
fn tree(args: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--prefix", "none", "--format", "{p}|{f}"])
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .args(args)
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        // A package seen before is printed again with a trailing ` (*)`.
        .map(|l| l.trim_end_matches(" (*)").to_string())
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

fn names(tree: &[String]) -> Vec<&str> {
    tree.iter().filter_map(|l| l.split_whitespace().next()).collect()
}

#[test]
fn the_core_build_pulls_in_no_web_stack() {
    let core = tree(&["--no-default-features", "-e", "normal"]);
    let core = names(&core);
    // Not sha2: lopdf uses another major version of it for PDF encryption.
    let web = ["tokio", "axum", "tower", "tower-http", "hyper", "sqlx", "hmac"];
    for name in web.iter().chain(&["tracing-subscriber"]) {
        assert!(!core.contains(name), "{name} is in the core build");
    }
    assert!(core.contains(&"typst"), "the core build lacks typst");
    // The default build has them, so the check above can fail.
    let full = tree(&["-e", "normal"]);
    let full = names(&full);
    for name in web {
        assert!(full.contains(&name), "{name} missing from the default build");
    }
}

#[test]
fn tests_and_cargo_build_resolve_the_same_features() {
    // Cargo resolves features without dev-dependencies for `cargo build`
    // and with them for `cargo test`. A dev-dependency that turns on one
    // more feature of a crate under typst (boon did, for idna) makes the
    // two builds compile typst each, ten minutes apiece from cold; the
    // cure is a direct dependency with that feature (Cargo.toml).
    let build = tree(&["-e", "normal,build"]);
    let test = tree(&["-e", "normal,build,dev"]);
    let differ: Vec<&String> = build.iter().filter(|l| !test.contains(l)).collect();
    assert!(
        differ.is_empty(),
        "the test build resolves these with other features than `cargo build` \
         (add the test build's features as a direct dependency): {differ:#?}"
    );
}
