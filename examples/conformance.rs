//! Runs CPython conformance vector files (format `memoryview-vectors/1`):
//!
//! ```text
//! cargo run --release --example conformance -- FILE.json [FILE.json ...]
//! ```
//!
//! Prints `N passed, M failed` per file, the deliberate differences from
//! CPython with their reasons, then the failures; exits non-zero if any
//! vector failed.

#[path = "../tests/cpython/runner.rs"]
mod runner;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: conformance FILE.json [FILE.json ...]");
        std::process::exit(2);
    }
    let mut ok = true;
    for path in &paths {
        match runner::run_file(path, 1) {
            Ok(report) => ok &= runner::print_report(path, &report),
            Err(e) => {
                eprintln!("{e}");
                ok = false;
            }
        }
    }
    std::process::exit(if ok { 0 } else { 1 });
}
