//! The CPython conformance runner, shared by `tests/cpython.rs` and
//! `examples/conformance.rs`.
//!
//! It reads files in the `memoryview-vectors/1` format (see
//! `tests/cpython/gen_vectors.py`), rebuilds each vector's memory (blocks
//! plus patched pointer slots), makes a view of it through the `Py_buffer`
//! path (`from_buffer_info`), and checks every answer CPython recorded:
//! `tobytes` C/F/A, `PyBuffer_IsContiguous` C/F/A, the decoded items,
//! `m == m`, every getbuffer request, and every slice.
//!
//! Where the crate deliberately differs from CPython, the difference is
//! counted under a named reason instead of failing (see [`DIFFERENCES`]).

#![allow(dead_code)]

use memoryview::{
    BufferFlags, BufferInfo, BufferView, BufferViewMut, ErrorKind, Exported, Exporter, ExporterMut, Order, Slice, Value,
};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::ffi::CString;

/// The deliberate differences from CPython 3.11, with the reason given.
pub(crate) const DIFFERENCES: &[(&str, &str)] = &[
    (
        "cached-flags",
        "memoryview's cached contiguity flags call an empty 1-D view with a stride other than \
         the itemsize non-contiguous; the crate follows PyBuffer_IsContiguous, which calls it \
         contiguous, so getbuffer requests that need contiguity succeed",
    ),
    (
        "tolist-formats",
        "CPython 3.11's tolist() refuses formats that are not one native code ('e', '<i', '2h', \
         ...); the crate decodes every struct format (checked against struct_tolist instead)",
    ),
];

/// What running one file found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) passed: usize,
    /// Vector id and the checks that failed.
    pub(crate) failed: Vec<(String, Vec<String>)>,
    /// How many checks each deliberate difference explained.
    pub(crate) differences: BTreeMap<&'static str, usize>,
}

/// Runs every vector of a file (`every`: only every n-th vector, for Miri).
pub(crate) fn run_file(path: &str, every: usize) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let json: Json = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    if json["schema"] != "memoryview-vectors/1" {
        return Err(format!("{path}: not a memoryview-vectors/1 file"));
    }
    let vectors = json["vectors"].as_array().ok_or_else(|| format!("{path}: no vectors"))?;
    let mut report = Report::default();
    for vector in vectors.iter().step_by(every.max(1)) {
        let id = vector["id"].as_str().unwrap_or("?").to_string();
        let mut check = Check { failures: Vec::new(), differences: &mut report.differences };
        run_vector(vector, &mut check);
        if check.failures.is_empty() {
            report.passed += 1;
        } else {
            let failures = check.failures;
            report.failed.push((id, failures));
        }
    }
    Ok(report)
}

struct Check<'r> {
    failures: Vec<String>,
    differences: &'r mut BTreeMap<&'static str, usize>,
}

impl Check<'_> {
    fn expect(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(what());
        }
    }

    fn differ(&mut self, reason: &'static str) {
        *self.differences.entry(reason).or_default() += 1;
    }
}

/// The vector's memory: 8-byte aligned blocks with pointer slots patched.
struct Memory {
    _blocks: Vec<Vec<u64>>,
    bases: Vec<*mut u8>,
}

impl Memory {
    fn build(vector: &Json) -> Result<Memory, String> {
        let mut blocks: Vec<Vec<u64>> = Vec::new();
        for block in vector["blocks"].as_array().ok_or("no blocks")? {
            let bytes = hex(block["hex"].as_str().ok_or("block without hex")?)?;
            let mut words = vec![0u64; bytes.len().div_ceil(8) + 1];
            bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(&bytes);
            blocks.push(words);
        }
        // Take every base pointer once, after all writes through the Vecs.
        let bases: Vec<*mut u8> = blocks.iter_mut().map(|b| b.as_mut_ptr().cast::<u8>()).collect();
        let memory = Memory { _blocks: blocks, bases };
        for pointer in vector["pointers"].as_array().ok_or("no pointers")? {
            let (block, offset) = (pointer["at"][0].as_u64(), pointer["at"][1].as_u64());
            let fits = |b: u64, o: u64| vector["blocks"][b as usize]["len"].as_u64().is_some_and(|len| o + 8 <= len);
            if !matches!((block, offset), (Some(b), Some(o)) if fits(b, o)) {
                return Err(format!("pointer slot {} is not inside a block", pointer["at"]));
            }
            let at = memory.address(&pointer["at"])?;
            let to = memory.address(&pointer["to"])?;
            // SAFETY: `at` is a slot inside a block (the format says so);
            // blocks are 8-byte aligned Vec<u64> storage we own.
            unsafe { at.cast::<*mut u8>().write_unaligned(to) };
        }
        Ok(memory)
    }

    /// The address a `[block, offset]` reference names (possibly outside
    /// the block, for references nothing reads through).
    fn address(&self, reference: &Json) -> Result<*mut u8, String> {
        let block = reference[0].as_u64().ok_or("bad reference")? as usize;
        let offset = reference[1].as_i64().ok_or("bad reference")? as isize;
        let base = *self.bases.get(block).ok_or("reference to a missing block")?;
        Ok(base.wrapping_offset(offset))
    }
}

fn hex(text: &str) -> Result<Vec<u8>, String> {
    (0..text.len() / 2).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())).collect()
}

fn ints(json: &Json) -> Vec<isize> {
    json.as_array().map(|a| a.iter().map(|v| v.as_i64().unwrap_or(0) as isize).collect()).unwrap_or_default()
}

/// A `Py_buffer` for the vector's view, with the arrays it points into.
struct Info {
    info: BufferInfo,
    _shape: Vec<isize>,
    _strides: Vec<isize>,
    _suboffsets: Option<Vec<isize>>,
    /// The format and its NUL (a `Vec`, which may move without
    /// invalidating pointers into it, unlike a `CString`'s box).
    _format: Vec<u8>,
}

impl Info {
    fn build(view: &Json, memory: &Memory) -> Result<Info, String> {
        let mut shape = ints(&view["shape"]);
        let mut strides = ints(&view["strides"]);
        let mut suboffsets = view["suboffsets"].as_array().map(|_| ints(&view["suboffsets"]));
        let mut format =
            CString::new(view["format"].as_str().ok_or("no format")?).map_err(|e| e.to_string())?.into_bytes_with_nul();
        let info = BufferInfo {
            buf: memory.address(&view["buf"])?.cast(),
            len: view["len"].as_i64().ok_or("no len")? as isize,
            itemsize: view["itemsize"].as_i64().ok_or("no itemsize")? as isize,
            readonly: i32::from(view["readonly"].as_bool().unwrap_or(true)),
            ndim: view["ndim"].as_i64().ok_or("no ndim")? as i32,
            format: format.as_mut_ptr().cast(),
            shape: shape.as_mut_ptr(),
            strides: strides.as_mut_ptr(),
            suboffsets: suboffsets.as_mut().map_or(std::ptr::null_mut(), |s| s.as_mut_ptr()),
            ..BufferInfo::default()
        };
        Ok(Info { info, _shape: shape, _strides: strides, _suboffsets: suboffsets, _format: format })
    }
}

/// Checks, before any pointer is followed, that every item of the view
/// lies inside a block and that every pointer it loads is a listed slot:
/// a malformed file then fails instead of crashing the runner.
fn validate_memory(vector: &Json) -> Result<(), String> {
    let view = &vector["view"];
    let shape: Vec<usize> = ints(&view["shape"]).into_iter().map(|n| n.max(0) as usize).collect();
    if shape.contains(&0) {
        return Ok(());
    }
    let strides = ints(&view["strides"]);
    let suboffsets = view["suboffsets"].as_array().map(|_| ints(&view["suboffsets"]));
    let itemsize = view["itemsize"].as_i64().unwrap_or(0) as isize;
    let lens: Vec<isize> =
        vector["blocks"].as_array().into_iter().flatten().map(|b| b["len"].as_i64().unwrap_or(0) as isize).collect();
    let reference = |r: &Json| (r[0].as_i64().unwrap_or(-1) as usize, r[1].as_i64().unwrap_or(0) as isize);
    let slots: BTreeMap<(usize, isize), (usize, isize)> = vector["pointers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (reference(&p["at"]), reference(&p["to"])))
        .collect();
    let mut index = vec![0usize; shape.len()];
    loop {
        let (mut block, mut offset) = reference(&view["buf"]);
        for (dim, &i) in index.iter().enumerate() {
            offset += strides.get(dim).copied().unwrap_or(0) * i as isize;
            if let Some(sub) = suboffsets.as_ref().map(|s| s[dim]).filter(|&s| s >= 0) {
                (block, offset) =
                    *slots.get(&(block, offset)).ok_or(format!("index {index:?} loads an unlisted slot"))?;
                offset += sub;
            }
        }
        let len = *lens.get(block).ok_or("reference to a missing block")?;
        if offset < 0 || offset + itemsize > len {
            return Err(format!("item {index:?} lies outside block {block}"));
        }
        let mut dim = shape.len();
        loop {
            if dim == 0 {
                return Ok(());
            }
            dim -= 1;
            index[dim] += 1;
            if index[dim] < shape[dim] {
                break;
            }
            index[dim] = 0;
        }
    }
}

fn run_vector(vector: &Json, check: &mut Check<'_>) {
    if let Err(e) = validate_memory(vector) {
        return check.failures.push(format!("malformed vector: {e}"));
    }
    let memory = match Memory::build(vector) {
        Ok(m) => m,
        Err(e) => return check.failures.push(format!("memory: {e}")),
    };
    let info = match Info::build(&vector["view"], &memory) {
        Ok(i) => i,
        Err(e) => return check.failures.push(format!("view: {e}")),
    };
    let expect = &vector["expect"];
    if info.info.readonly != 0 {
        // SAFETY: the info describes the vector's memory, which lives until
        // the end of this function and is not written meanwhile.
        match unsafe { BufferView::from_buffer_info(&info.info) } {
            Ok(view) => check_view(&view, expect, &memory, check, |flags| {
                view.get_buffer(flags).map(summary).map_err(|e| e.to_string())
            }),
            Err(e) => check.failures.push(format!("from_buffer_info: {e}")),
        }
    } else {
        // SAFETY: as above; this view is the only access to the memory
        // while it lives.
        match unsafe { BufferViewMut::from_buffer_info(&info.info) } {
            Ok(mut view) => {
                // Writable requests need the mutable view; ask them all
                // first, then check everything through a shared view.
                let answers: Vec<(BufferFlags, Result<Summary, String>)> = getbuf_flags(expect)
                    .into_iter()
                    .map(|f| (f, view.get_buffer_mut(f).map(summary).map_err(|e| e.to_string())))
                    .collect();
                check_view(&view.view(), expect, &memory, check, |flags| {
                    let answer = answers.iter().find(|(f, _)| *f == flags);
                    answer.map_or_else(|| Err("not asked".to_string()), |(_, r)| r.clone())
                });
            }
            Err(e) => check.failures.push(format!("from_buffer_info (writable): {e}")),
        }
    }
}

fn getbuf_flags(expect: &Json) -> Vec<BufferFlags> {
    expect["getbuf"]
        .as_array()
        .map(|a| a.iter().map(|r| BufferFlags::from_bits(r["flags"].as_u64().unwrap_or(0) as u32)).collect())
        .unwrap_or_default()
}

/// The fields of a granted request, in the vector's terms.
#[derive(Clone, Debug, PartialEq)]
struct Summary {
    ndim: usize,
    format: Option<String>,
    itemsize: usize,
    len: usize,
    readonly: bool,
    shape: Option<Vec<usize>>,
    strides: Option<Vec<isize>>,
    suboffsets: Option<Vec<isize>>,
    buf: usize,
}

trait AnyExported {
    fn summary(&self) -> Summary;
}

macro_rules! any_exported {
    ($view:ident) => {
        impl AnyExported for Exported<$view<'_>> {
            fn summary(&self) -> Summary {
                Summary {
                    ndim: self.ndim(),
                    format: self.format().map(str::to_string),
                    itemsize: self.itemsize(),
                    len: self.len(),
                    readonly: self.readonly(),
                    shape: self.shape().map(<[usize]>::to_vec),
                    strides: self.strides().map(<[isize]>::to_vec),
                    suboffsets: self.suboffsets().map(<[isize]>::to_vec),
                    buf: self.buf() as usize,
                }
            }
        }
    };
}

any_exported!(BufferView);
any_exported!(BufferViewMut);

fn summary(exported: impl AnyExported) -> Summary {
    exported.summary()
}

fn check_view(
    view: &BufferView<'_>,
    expect: &Json,
    memory: &Memory,
    check: &mut Check<'_>,
    mut request: impl FnMut(BufferFlags) -> Result<Summary, String>,
) {
    check.expect(view.nbytes() as u64 == expect["nbytes"].as_u64().unwrap_or(u64::MAX), || {
        format!("nbytes {} != {}", view.nbytes(), expect["nbytes"])
    });
    let py_len = if view.ndim() == 0 { 1 } else { view.shape()[0] };
    check.expect(py_len as u64 == expect["len"].as_u64().unwrap_or(u64::MAX), || {
        format!("len {py_len} != {}", expect["len"])
    });
    check_bytes_and_contiguity(view, &expect["tobytes"], &expect["contiguous"], "", check);
    let cached_flags_differ = cached_flags_differ(expect);

    // Items.
    let ndim = view.ndim();
    match view.to_list() {
        Ok(list) => {
            let wanted = json_to_value(&expect["struct_tolist"], ndim);
            check.expect(same(&list, &wanted), || format!("struct_tolist: got {list:?}, want {wanted:?}"));
            if expect["tolist"].is_null() && !expect["tolist_error"].is_null() {
                check.differ("tolist-formats");
            }
        }
        Err(e) => check.failures.push(format!("to_list failed: {e}")),
    }
    let eq_self = expect["eq_self"].as_bool().unwrap_or(true);
    let same_view = view.clone();
    check.expect((*view == same_view) == eq_self, || format!("m == m should be {eq_self}"));

    // Getbuffer requests.
    for case in expect["getbuf"].as_array().into_iter().flatten() {
        let flags = BufferFlags::from_bits(case["flags"].as_u64().unwrap_or(0) as u32);
        let name = case["name"].as_str().unwrap_or("?");
        let ours = request(flags);
        let mismatch = match (&ours, case["ok"].as_bool().unwrap_or(false)) {
            (Ok(got), true) => {
                let want = json_summary(&case["result"], memory);
                (want.as_ref() != Ok(got)).then(|| format!("getbuf {name}: got {got:?}, want {want:?}"))
            }
            (Err(_), false) => None,
            (Ok(_), false) => Some(format!("getbuf {name}: granted, CPython refused")),
            (Err(e), true) => Some(format!("getbuf {name}: refused ({e}), CPython granted")),
        };
        if let Some(message) = mismatch {
            // The only allowed difference: we grant what the cached flags
            // made CPython refuse.
            if cached_flags_differ && ours.is_ok() && case["ok"] == false {
                check.differ("cached-flags");
            } else {
                check.failures.push(message);
            }
        }
    }

    // Slices.
    for (n, case) in expect["slices"].as_array().into_iter().flatten().enumerate() {
        let key: Vec<Slice> = case["key"].as_array().into_iter().flatten().map(json_slice).collect();
        match (view.slice(&key), case["error"].is_null()) {
            (Ok(sliced), true) => {
                let shape: Vec<usize> = ints(&case["shape"]).into_iter().map(|n| n as usize).collect();
                check.expect(sliced.shape() == shape, || format!("slice {n}: shape {:?} != {shape:?}", sliced.shape()));
                check.expect(sliced.nbytes() as u64 == case["nbytes"].as_u64().unwrap_or(u64::MAX), || {
                    format!("slice {n}: nbytes {}", sliced.nbytes())
                });
                let want = hex(case["tobytes_C"].as_str().unwrap_or("")).unwrap_or_default();
                check.expect(sliced.to_bytes(Order::C) == want, || format!("slice {n}: tobytes_C differs"));
                check_contiguity(&sliced, &case["contiguous"], &format!("slice {n} "), check);
            }
            (Err(e), false) => check.expect(e.kind() == ErrorKind::InvalidSlice, || format!("slice {n}: error {e}")),
            (Ok(_), false) => check.failures.push(format!("slice {n}: CPython refused it")),
            (Err(e), true) => check.failures.push(format!("slice {n}: refused: {e}")),
        }
    }
}

fn check_bytes_and_contiguity(
    view: &BufferView<'_>,
    tobytes: &Json,
    contiguous: &Json,
    what: &str,
    check: &mut Check<'_>,
) {
    for (name, order) in [("C", Order::C), ("F", Order::F), ("A", Order::A)] {
        let want = hex(tobytes[name].as_str().unwrap_or("")).unwrap_or_default();
        let got = view.to_bytes(order);
        check.expect(got == want, || format!("{what}tobytes {name}: got {got:02x?}, want {want:02x?}"));
    }
    check_contiguity(view, contiguous, what, check);
}

fn check_contiguity(view: &BufferView<'_>, contiguous: &Json, what: &str, check: &mut Check<'_>) {
    for (name, order) in [("C", Order::C), ("F", Order::F), ("A", Order::A)] {
        let want = contiguous[name].as_bool();
        let got = view.is_contiguous(order);
        check.expect(want == Some(got), || format!("{what}contiguous {name}: got {got}, want {want:?}"));
    }
}

/// Whether memoryview's cached flags disagree with `PyBuffer_IsContiguous`
/// for this view (the "cached-flags" difference).
fn cached_flags_differ(expect: &Json) -> bool {
    let flags = &expect["mv_flags"];
    let contiguous = &expect["contiguous"];
    flags["c_contiguous"] != contiguous["C"] || flags["f_contiguous"] != contiguous["F"]
}

fn json_summary(result: &Json, memory: &Memory) -> Result<Summary, String> {
    let list = |key: &str| result[key].as_array().map(|_| ints(&result[key]));
    Ok(Summary {
        ndim: result["ndim"].as_u64().ok_or("ndim")? as usize,
        format: result["format"].as_str().map(str::to_string),
        itemsize: result["itemsize"].as_u64().ok_or("itemsize")? as usize,
        len: result["len"].as_u64().ok_or("len")? as usize,
        readonly: result["readonly"].as_bool().ok_or("readonly")?,
        shape: list("shape").map(|s| s.into_iter().map(|n| n as usize).collect()),
        strides: list("strides"),
        suboffsets: list("suboffsets"),
        buf: memory.address(&result["buf"])? as usize,
    })
}

fn json_slice(part: &Json) -> Slice {
    let bound = |v: &Json| -> Option<isize> {
        if v.is_null() {
            return None;
        }
        // Python clamps huge bounds to ±PY_SSIZE_T_MAX.
        Some(
            v.as_i64()
                .map(|i| i as isize)
                .unwrap_or_else(|| if v.as_f64().unwrap_or(0.0) < 0.0 { -isize::MAX } else { isize::MAX }),
        )
    };
    Slice::new(bound(&part[0]), bound(&part[1]), bound(&part[2]))
}

/// A recorded value: `depth` more levels of lists, then one item (an array
/// there is a tuple of members).
fn json_to_value(json: &Json, depth: usize) -> Value {
    match json {
        Json::Array(items) if depth > 0 => Value::List(items.iter().map(|v| json_to_value(v, depth - 1)).collect()),
        Json::Array(members) => Value::Tuple(members.iter().map(|v| json_to_value(v, 0)).collect()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i128::from(i)),
            (_, Some(u)) => Value::Int(i128::from(u)),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Float(s.parse().unwrap_or(f64::NAN)),
        Json::Object(o) => Value::Bytes(hex(o["bytes"].as_str().unwrap_or("")).unwrap_or_default()),
        Json::Null => Value::Tuple(Vec::new()),
    }
}

/// Structural equality: NaN equals NaN, and -0.0 differs from 0.0.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        _ => false,
    }
}

/// Prints a report the way the example and the test show it.
pub(crate) fn print_report(path: &str, report: &Report) -> bool {
    println!("{path}: {} passed, {} failed", report.passed, report.failed.len());
    for (reason, count) in &report.differences {
        let why = DIFFERENCES.iter().find(|(name, _)| name == reason).map_or("", |(_, why)| *why);
        println!("  deliberate difference '{reason}' ({count} checks): {why}");
    }
    for (id, failures) in &report.failed {
        println!("  FAILED {id}");
        for failure in failures.iter().take(8) {
            println!("    {failure}");
        }
    }
    report.failed.is_empty()
}
