//! The canonical layout of a format, and the one rule by which two formats
//! describe the same items: what typed views match on.
//!
//! A format is reduced to its *atoms*: every scalar it holds, at its byte
//! offset in the item, as a kind (signed, unsigned, float, complex, bool,
//! character, Pascal string), a size in bytes (per part, for complex
//! numbers) and a byte order resolved to "as this machine stores it" or
//! "swapped". Padding (`x`, alignment gaps, a record's trailing padding) is
//! nothing but bytes no atom covers. Two formats are equivalent when they
//! have the same itemsize and the same atoms. So field names, record
//! boundaries, repeat counts against repeated codes (`3B` = `BBB`),
//! sub-array shapes against counts (`(2,3)h` = `6h`), `<`, `=` and `@`
//! where they give the same sizes and (on a little-endian machine) order,
//! and codes of the same size and kind (`l` and `q` where both are 8
//! bytes) make no difference. The rule, with examples, is documented on
//! [`Format::equivalent`](super::Format::equivalent).
//!
//! Atoms are produced as runs (`count` atoms side by side) by walking the
//! parsed format, and two walks are compared run against run, splitting the
//! longer run where they differ in length: nothing is expanded, so `(1000000)B`
//! costs one step, and the walk of an item never takes more steps than it has
//! bytes plus fields.
#![forbid(unsafe_code)]

use super::{Class, Code, FieldKind, Scalar, StructDef};

/// What an atom holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Signed,
    /// Unsigned integers, and bytes: `c`, each byte of `s`, `P`.
    Unsigned,
    Float,
    /// Two floats of `size` bytes each (`Zf`, `Zd`, `Zg`).
    Complex,
    Bool,
    /// `u` and `w`: UCS-2 and UCS-4 code units.
    Text,
    /// `p`: one Pascal string of `size` bytes.
    Pascal,
}

/// `count` atoms of one kind side by side from `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    pub(crate) offset: usize,
    pub(crate) kind: Kind,
    /// Bytes per atom (per part, for complex numbers).
    pub(crate) size: usize,
    /// Stored with the bytes of each part reversed from this machine's
    /// order (never for one-byte parts).
    pub(crate) swapped: bool,
    pub(crate) count: usize,
}

impl Run {
    /// A run of `count` scalars; `None` for `O` (Python objects: no
    /// layout describes their meaning, so nothing matches them).
    fn scalar(offset: usize, s: &Scalar, count: usize) -> Option<Run> {
        let kind = match s.code.class() {
            _ if s.complex => Kind::Complex,
            Class::Signed => Kind::Signed,
            Class::Unsigned => Kind::Unsigned,
            Class::Float => Kind::Float,
            Class::Bool => Kind::Bool,
            Class::Other if s.code == Code::Object => return None,
            Class::Other => Kind::Text,
        };
        Some(Run { offset, kind, size: s.size, swapped: s.size > 1 && !s.order.is_native(), count })
    }

    /// Bytes per atom, both parts of a complex number together.
    fn width(&self) -> usize {
        if self.kind == Kind::Complex { self.size.saturating_mul(2) } else { self.size }
    }

    /// The same run without its first `n` atoms (`n <= count`).
    fn skip(self, n: usize) -> Option<Run> {
        let count = self.count.checked_sub(n)?;
        let offset = self.offset.checked_add(n.checked_mul(self.width())?)?;
        Some(Run { offset, count, ..self })
    }
}

/// A record being walked: its fields from `field` on, at `base`; `rep`
/// repetitions of the current record field are done.
#[derive(Clone, Copy, Debug)]
struct Frame<'f> {
    def: &'f StructDef,
    base: usize,
    field: usize,
    rep: usize,
}

/// The most steps (fields visited, records entered) one walk may take; a
/// format that needs more matches nothing (see [`Format::equivalent`]).
///
/// Counts, sub-array shapes and runs of bytes cost one step however long
/// they are, but a repeated record is walked once per repetition:
/// `1000000000000T{bi}` holds a trillion records, and would take as many
/// steps. Elements rarely hold more than a few thousand fields.
///
/// [`Format::equivalent`]: super::Format::equivalent
pub(crate) const MAX_STEPS: usize = 1 << 22;

/// The runs of a format's atoms, in offset order.
#[derive(Debug)]
pub(crate) struct Runs<'f> {
    single: Option<Run>,
    stack: Vec<Frame<'f>>,
    /// Set when the walk met something that matches nothing (`O`), an
    /// offset that does not fit (which a parsed format never has), or took
    /// more than [`MAX_STEPS`].
    unmatchable: bool,
    steps: usize,
}

impl<'f> Runs<'f> {
    /// The runs of one scalar (allocates nothing).
    pub(crate) fn of_scalar(s: &Scalar) -> Runs<'f> {
        let single = Run::scalar(0, s, 1);
        Runs { single, stack: Vec::new(), unmatchable: single.is_none(), steps: 0 }
    }

    /// The runs of a parsed struct.
    pub(crate) fn of_struct(def: &'f StructDef) -> Runs<'f> {
        Runs { single: None, stack: vec![Frame { def, base: 0, field: 0, rep: 0 }], unmatchable: false, steps: 0 }
    }

    /// The runs of nothing that can match (a format that does not parse).
    pub(crate) fn unmatchable() -> Runs<'f> {
        Runs { single: None, stack: Vec::new(), unmatchable: true, steps: 0 }
    }

    fn fail(&mut self) -> Option<Run> {
        self.unmatchable = true;
        self.stack.clear();
        None
    }
}

impl Iterator for Runs<'_> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        if let Some(run) = self.single.take() {
            return Some(run);
        }
        loop {
            self.steps += 1;
            if self.steps > MAX_STEPS && !self.stack.is_empty() {
                return self.fail();
            }
            let top = self.stack.last_mut()?;
            let Some(field) = top.def.fields.get(top.field) else {
                self.stack.pop();
                continue;
            };
            let Some(at) = top.base.checked_add(field.offset) else { return self.fail() };
            let run = match &field.kind {
                FieldKind::Record(inner) => {
                    if top.rep == field.count {
                        top.rep = 0;
                        top.field += 1;
                        continue;
                    }
                    let Some(base) = top.rep.checked_mul(inner.size).and_then(|skip| at.checked_add(skip)) else {
                        return self.fail();
                    };
                    top.rep += 1;
                    self.stack.push(Frame { def: inner, base, field: 0, rep: 0 });
                    continue;
                }
                FieldKind::Pad => None,
                FieldKind::Scalar(s) => match Run::scalar(at, s, field.count) {
                    Some(run) => Some(run),
                    None => return self.fail(),
                },
                FieldKind::Bytes => {
                    Some(Run { offset: at, kind: Kind::Unsigned, size: 1, swapped: false, count: field.count })
                }
                FieldKind::Pascal => {
                    Some(Run { offset: at, kind: Kind::Pascal, size: field.count, swapped: false, count: 1 })
                }
            };
            top.field += 1;
            match run {
                Some(run) if run.count > 0 && run.size > 0 => return Some(run),
                _ => continue,
            }
        }
    }
}

/// A source of runs in offset order, which may have met something that
/// matches nothing.
pub(crate) trait Atoms: Iterator<Item = Run> {
    fn unmatchable(&self) -> bool;
}

impl Atoms for Runs<'_> {
    fn unmatchable(&self) -> bool {
        self.unmatchable
    }
}

/// The runs of a format within the bytes `start..end` of its item, moved
/// to start at 0 (a field of a record). An atom cut by either end makes
/// the window unmatchable.
#[derive(Debug)]
pub(crate) struct Window<'f> {
    runs: Runs<'f>,
    start: usize,
    end: usize,
    cut: bool,
}

impl<'f> Window<'f> {
    pub(crate) fn new(runs: Runs<'f>, start: usize, end: usize) -> Window<'f> {
        Window { runs, start, end, cut: false }
    }
}

impl Iterator for Window<'_> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        loop {
            let run = self.runs.next()?;
            let width = run.width();
            let run_end = run.count.checked_mul(width).and_then(|n| n.checked_add(run.offset));
            let Some(run_end) = run_end else {
                self.cut = true;
                return None;
            };
            if run_end <= self.start {
                continue;
            }
            if run.offset >= self.end {
                return None;
            }
            // Atoms from `first` to `last` (exclusive) lie inside.
            let before = self.start.saturating_sub(run.offset);
            let after = run_end.saturating_sub(self.end);
            if before % width != 0 || after % width != 0 {
                self.cut = true;
                return None;
            }
            let count = run.count - before / width - after / width;
            let offset = run.offset + before - self.start;
            return Some(Run { offset, count, ..run });
        }
    }
}

impl Atoms for Window<'_> {
    fn unmatchable(&self) -> bool {
        self.cut || self.runs.unmatchable
    }
}

/// How one format's atoms relate to another's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Relation {
    /// The same atoms in the same byte orders.
    Same,
    /// The same atoms, but some stored in the other byte order.
    Swapped,
    Different,
}

/// Atoms of one format stored in the other byte order than in another:
/// `count` parts of `size` bytes from `offset`, each to be reversed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Swap {
    pub(crate) offset: usize,
    pub(crate) size: usize,
    pub(crate) count: usize,
}

/// Compares the atoms of two formats (of equal itemsizes: the caller checks
/// that), reporting each stretch stored in opposite byte orders to
/// `on_swap` as it goes.
pub(crate) fn relate(mut a: impl Atoms, mut b: impl Atoms, mut on_swap: impl FnMut(Swap)) -> Relation {
    let mut swapped = false;
    let (mut x, mut y) = (a.next(), b.next());
    loop {
        match (x, y) {
            (None, None) => break,
            (Some(p), Some(q)) => {
                if (p.offset, p.kind, p.size) != (q.offset, q.kind, q.size) {
                    return Relation::Different;
                }
                let n = p.count.min(q.count);
                if p.swapped != q.swapped {
                    swapped = true;
                    let parts = if p.kind == Kind::Complex { n.saturating_mul(2) } else { n };
                    on_swap(Swap { offset: p.offset, size: p.size, count: parts });
                }
                x = match p.skip(n) {
                    Some(rest) if rest.count > 0 => Some(rest),
                    Some(_) => a.next(),
                    None => return Relation::Different,
                };
                y = match q.skip(n) {
                    Some(rest) if rest.count > 0 => Some(rest),
                    Some(_) => b.next(),
                    None => return Relation::Different,
                };
            }
            _ => return Relation::Different,
        }
    }
    match (a.unmatchable() || b.unmatchable(), swapped) {
        (true, _) => Relation::Different,
        (false, true) => Relation::Swapped,
        (false, false) => Relation::Same,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::*;

    fn runs(text: &str) -> Vec<Run> {
        let format = Format::parse(text).unwrap();
        format.runs().collect()
    }

    #[test]
    fn runs_follow_offsets() {
        let u = |offset, count| Run { offset, kind: Kind::Unsigned, size: 1, swapped: false, count };
        assert_eq!(runs("3B"), [u(0, 3)]);
        assert_eq!(runs("BBB"), [u(0, 1), u(1, 1), u(2, 1)]);
        assert_eq!(runs("(3)B"), [u(0, 3)]);
        assert_eq!(runs("3s"), [u(0, 3)]);
        assert_eq!(runs("2x0Bc"), [u(2, 1)]);
        let d = |offset| Run { offset, kind: Kind::Float, size: 8, swapped: false, count: 1 };
        let i = |offset| Run { offset, kind: Kind::Signed, size: 4, swapped: false, count: 1 };
        assert_eq!(runs("2T{i:a:d:b:}"), [i(0), d(8), i(16), d(24)]);
        assert_eq!(runs("T{T{d}}"), [d(0)]);
        let z = Run { offset: 0, kind: Kind::Complex, size: 4, swapped: true, count: 2 };
        assert_eq!(runs(">2Zf"), [z]);
        assert_eq!(runs("3p"), [Run { offset: 0, kind: Kind::Pascal, size: 3, swapped: false, count: 1 }]);
    }

    /// A trillion repeated records would take a trillion steps: the walk
    /// stops at its budget and matches nothing, where it used to hang.
    #[test]
    // Millions of steps: too slow interpreted.
    #[cfg_attr(miri, ignore)]
    fn huge_repetitions_stop_at_the_budget() {
        let huge = Format::parse("1000000000000T{bi}").unwrap();
        assert_eq!(relate(huge.runs(), huge.runs(), |_| ()), Relation::Different);
        let dense = Format::parse("1000000000000B").unwrap();
        assert_eq!(relate(dense.runs(), dense.runs(), |_| ()), Relation::Same);
        let many = Format::parse(&format!("{}T{{bi}}", MAX_STEPS / 8)).unwrap();
        assert_eq!(relate(many.runs(), many.runs(), |_| ()), Relation::Same);
    }

    #[test]
    fn objects_match_nothing() {
        let format = Format::parse("dO").unwrap();
        assert_eq!(relate(format.runs(), format.runs(), |_| ()), Relation::Different);
    }

    #[test]
    fn swaps_are_reported_per_part() {
        let (a, b) = (Format::parse("<h2xT{>Zf}").unwrap(), Format::parse("hZf").unwrap());
        let mut swaps = Vec::new();
        assert_eq!(relate(a.runs(), b.runs(), |s| swaps.push(s)), Relation::Swapped);
        assert_eq!(swaps, [Swap { offset: 4, size: 4, count: 2 }]);
    }

    #[test]
    fn windows_cut_out_fields() {
        let record = Format::parse("T{I:id:4xd:x:(3)h:y:}").unwrap();
        let window = |start, end| Window::new(record.runs(), start, end);
        let same = |start, end, t: &str| {
            let field = Format::parse(t).unwrap();
            relate(window(start, end), field.runs(), |_| ()) == Relation::Same
        };
        assert!(same(8, 16, "d"));
        assert!(same(0, 4, "I"));
        assert!(same(4, 8, "4x"));
        assert!(same(18, 22, "2h"));
        assert!(same(0, 16, "I4xd"));
        assert!(!same(8, 16, "q"));
        assert!(!same(9, 17, "d")); // cuts the double
        assert!(!same(17, 19, "h")); // cuts both neighbours
    }
}
