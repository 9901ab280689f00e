//! Conformance with CPython 3.11: every vector in `tests/data/` (generated
//! by `tests/cpython/gen_vectors.py` from `_testbuffer`) must pass.

#[path = "cpython/runner.rs"]
mod runner;

// Not under Miri: parsing the JSON alone takes many minutes there. The
// code paths the vectors exercise (Py_buffer descriptors, pointer tables,
// every copy) run under Miri through `prop_views`, `hostile` and `views`.

fn run(path: &str) {
    let report = runner::run_file(path, 1).expect("vector file readable");
    assert!(runner::print_report(path, &report), "{} vectors failed", report.failed.len());
    assert!(report.passed > 0);
}

#[test]
#[cfg_attr(miri, ignore)]
fn generated_vectors() {
    run(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cpython-vectors.json"));
}

#[test]
#[cfg_attr(miri, ignore)]
fn edge_case_vectors() {
    run(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cpython-edge-vectors.json"));
}
