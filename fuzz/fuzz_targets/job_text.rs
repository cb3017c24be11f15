//! cargo fuzz run job_text — see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| prepbook::fuzzing::job_text(data));
