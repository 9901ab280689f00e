//! Conformance with CPython 3.11: every vector in `tests/data/` (generated
//! by `tests/cpython/gen_vectors.py` from `_testbuffer`) must pass.

#[path = "cpython/runner.rs"]
mod runner;

/// Under Miri, a sample of the vectors (each takes real work there).
const EVERY: usize = if cfg!(miri) { 25 } else { 1 };

fn run(path: &str) {
    let report = runner::run_file(path, EVERY).expect("vector file readable");
    assert!(runner::print_report(path, &report), "{} vectors failed", report.failed.len());
    assert!(report.passed > 0);
}

#[test]
fn generated_vectors() {
    run(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cpython-vectors.json"));
}

#[test]
fn edge_case_vectors() {
    run(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cpython-edge-vectors.json"));
}
