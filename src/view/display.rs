//! `Display` for views: the values laid out as NumPy's `str(a)` lays them
//! out.
//!
//! The layout is NumPy 2's `array2string` with its default options,
//! followed step by step: brackets, one space between items, a newline
//! between rows (and one more per further dimension), lines wrapped at 75
//! characters with a hanging indent, every item padded to a common width,
//! and arrays of more than 1000 items elided to their first and last 3
//! entries per dimension (`...`). An empty view prints `[]`; a
//! 0-dimensional one prints its item as NumPy prints a scalar.
//!
//! Items:
//! - integers and `bool`s (`True`/` True`/`False`) exactly as NumPy;
//! - floats with NumPy's rules (the common width, `1.` for integral
//!   values, scientific notation when the largest magnitude is 1e8 or more
//!   (1e6 for `f32`), the smallest below 1e-4, or their ratio above 1000;
//!   `nan`, `inf`),
//!   with the digits of Rust's shortest round-trip formatting, rounded to
//!   at most 8 fractional digits (NumPy's precision). These are the digits
//!   NumPy's Dragon4 produces in every case the tests compare
//!   (`tests/display.rs`, vectors from NumPy 2.4).
//!
//! Untyped views print items of one-scalar numeric and `?` formats the same
//! way (a `'e'` half float with `f32` digits, where NumPy would print
//! float16's shorter ones), and any other item as its Python-style value.
#![forbid(unsafe_code)]

use super::{BufferView, BufferViewMut, FixedView, MemoryView, MemoryViewMut};
use crate::format::{Class, Element, Value};
use crate::layout::dims::DimVec;
use std::fmt::{self, Write as _};

/// NumPy's defaults: `threshold`, `edgeitems`, `linewidth`, `precision`.
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 75;
const PRECISION: usize = 8;

mod sealed {
    /// One item, as the printer sees it.
    #[derive(Clone, Debug)]
    pub enum Cell {
        Int(i128),
        F32(f32),
        F64(f64),
        Bool(bool),
        /// Anything else, already written out.
        Text(String),
    }

    /// Converts an item for printing.
    pub trait ToCell: Copy {
        fn to_cell(self) -> Cell;
    }
}

use sealed::Cell;

/// An element type whose views print their values ([`MemoryView`]'s
/// `Display`): the primitive integers, `f32`, `f64` and `bool`.
pub trait DisplayElement: Element + sealed::ToCell {}

macro_rules! display_ints {
    ($($ty:ty),*) => {$(
        impl sealed::ToCell for $ty {
            fn to_cell(self) -> Cell {
                Cell::Int(i128::from(self))
            }
        }
        impl DisplayElement for $ty {}
    )*};
}

display_ints!(i8, i16, i32, i64, u8, u16, u32, u64);

impl sealed::ToCell for isize {
    fn to_cell(self) -> Cell {
        // isize is at most 64 bits on every platform Rust supports.
        Cell::Int(i128::try_from(self).unwrap_or_default())
    }
}
impl DisplayElement for isize {}

impl sealed::ToCell for usize {
    fn to_cell(self) -> Cell {
        Cell::Int(i128::try_from(self).unwrap_or_default())
    }
}
impl DisplayElement for usize {}

impl sealed::ToCell for f32 {
    fn to_cell(self) -> Cell {
        Cell::F32(self)
    }
}
impl DisplayElement for f32 {}

impl sealed::ToCell for f64 {
    fn to_cell(self) -> Cell {
        Cell::F64(self)
    }
}
impl DisplayElement for f64 {}

impl sealed::ToCell for bool {
    fn to_cell(self) -> Cell {
        Cell::Bool(self)
    }
}
impl DisplayElement for bool {}

impl<T: DisplayElement> fmt::Display for MemoryView<'_, T> {
    /// The values as NumPy's `str(a)` shows them (see the module docs).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::MemoryView;
    ///
    /// let data = [1.0f64, 2.5, -3.0, 4.0];
    /// let v = MemoryView::from_shape(&data, &[2, 2]).unwrap();
    /// assert_eq!(v.to_string(), "[[ 1.   2.5]\n [-3.   4. ]]");
    /// let big: Vec<u16> = (0..2000).collect();
    /// assert_eq!(MemoryView::from_slice(&big).to_string(), "[   0    1    2 ... 1997 1998 1999]");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Items exist at every in-range index: `get` cannot fail there.
        write_array(f, self.shape(), &|index| self.get(index).map_or(Cell::Text(String::new()), T::to_cell))
    }
}

impl<T: DisplayElement> fmt::Display for MemoryViewMut<'_, T> {
    /// As for [`MemoryView`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.view(), f)
    }
}

impl<T: DisplayElement, const N: usize> fmt::Display for FixedView<'_, T, N> {
    /// As for [`MemoryView`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_array(f, &self.shape(), &|index| self.get(index).map_or(Cell::Text(String::new()), T::to_cell))
    }
}

impl fmt::Display for BufferView<'_> {
    /// The decoded values, laid out as NumPy does (see the module docs);
    /// an item that does not decode prints as `?`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{BufferView, Format, Layout, Order};
    ///
    /// let bytes = [0u8, 1, 0xff, 0xfe];
    /// let layout = Layout::contiguous(&[2], 2, Order::C).unwrap();
    /// let v = BufferView::new(&bytes, layout, 0, Format::parse(">h").unwrap()).unwrap();
    /// assert_eq!(v.to_string(), "[ 1 -2]");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let single_float =
            self.format().single_scalar().filter(|s| !s.complex && s.code.class() == Class::Float).map(|s| s.size);
        let cell = |index: &[usize]| match self.get(index) {
            Ok(Value::Int(i)) => Cell::Int(i),
            Ok(Value::Bool(b)) => Cell::Bool(b),
            // Floats of 4 bytes or fewer print with f32's digits
            // (converting them back is exact).
            #[allow(clippy::cast_possible_truncation)]
            Ok(Value::Float(x)) if single_float.is_some_and(|size| size <= 4) => Cell::F32(x as f32),
            Ok(Value::Float(x)) => Cell::F64(x),
            Ok(value) => Cell::Text(python_value(&value)),
            Err(_) => Cell::Text("?".to_string()),
        };
        write_array(f, self.shape(), &cell)
    }
}

impl fmt::Display for BufferViewMut<'_> {
    /// As for [`BufferView`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.view(), f)
    }
}

/// A decoded value as Python's `repr` would show it (for items that are
/// not single numbers).
fn python_value(value: &Value) -> String {
    let join = |items: &[Value]| items.iter().map(python_value).collect::<Vec<_>>().join(", ");
    match value {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::Float(x) => scalar_float(*x, false),
        Value::Complex { re, im } => {
            format!("({}{}{}j)", scalar_float(*re, false), if *im < 0.0 { "" } else { "+" }, scalar_float(*im, false))
        }
        Value::Bytes(bytes) => format!("b{:?}", String::from_utf8_lossy(bytes)),
        Value::Char(c) => format!("{:?}", char::from_u32(*c).unwrap_or(char::REPLACEMENT_CHARACTER)),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", join(items)),
        Value::Tuple(items) => format!("({})", join(items)),
        Value::List(items) => format!("[{}]", join(items)),
    }
}

/// Writes the array of `shape` whose items `cell` gives.
fn write_array(f: &mut fmt::Formatter<'_>, shape: &[usize], cell: &dyn Fn(&[usize]) -> Cell) -> fmt::Result {
    if shape.contains(&0) {
        return f.write_str("[]");
    }
    if shape.is_empty() {
        return f.write_str(&match cell(&[]) {
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => if b { "True" } else { "False" }.to_string(),
            Cell::F32(x) => scalar_float(f64::from(x), true),
            Cell::F64(x) => scalar_float(x, false),
            Cell::Text(text) => text,
        });
    }
    let count = shape.iter().fold(1_usize, |n, &extent| n.saturating_mul(extent));
    let printer = Printer { shape, cell, summarize: count > THRESHOLD, format: Format::Text };
    let format = printer.choose_format();
    let printer = Printer { format, ..printer };
    let mut index = DimVec::filled(0_usize, shape.len());
    f.write_str(&printer.recurse(&mut index, 0, " ", LINE_WIDTH))
}

/// How every item of one array is written (NumPy's format functions).
#[derive(Clone, Copy, Debug)]
enum Format {
    /// Right-aligned to a width.
    Int {
        width: usize,
    },
    Bool,
    /// Positional floats: the integer part right-aligned to `left`, the
    /// fraction left-aligned to `right` characters.
    Positional {
        left: usize,
        right: usize,
        single: bool,
    },
    /// Scientific floats: `precision` fractional digits of mantissa,
    /// `exponent` digits of exponent, the mantissa's integer part
    /// right-aligned to `left`.
    Scientific {
        left: usize,
        precision: usize,
        exponent: usize,
        single: bool,
    },
    /// Text as it is.
    Text,
}

struct Printer<'p> {
    shape: &'p [usize],
    cell: &'p dyn Fn(&[usize]) -> Cell,
    summarize: bool,
    format: Format,
}

impl Printer<'_> {
    /// The positions shown along an axis of `extent`: all, or the first
    /// and last [`EDGE_ITEMS`] when the array is summarized.
    fn shown(&self, extent: usize) -> impl Iterator<Item = usize> + use<> {
        let elided = self.summarize && extent > 2 * EDGE_ITEMS;
        let (head, tail_start) = if elided { (EDGE_ITEMS, extent - EDGE_ITEMS) } else { (extent, extent) };
        (0..head).chain(tail_start..extent)
    }

    /// Calls `visit` with every shown item.
    fn for_each_shown(&self, index: &mut [usize], axis: usize, visit: &mut dyn FnMut(Cell)) {
        if axis == self.shape.len() {
            visit((self.cell)(index));
            return;
        }
        for i in self.shown(self.shape[axis]) {
            index[axis] = i;
            self.for_each_shown(index, axis + 1, visit);
        }
    }

    /// NumPy's choice of format function, from the items shown.
    fn choose_format(&self) -> Format {
        let mut index = DimVec::filled(0_usize, self.shape.len());
        let mut stats = Stats::default();
        self.for_each_shown(&mut index, 0, &mut |cell| stats.add(cell));
        stats.format()
    }

    /// NumPy's `_formatArray` recursion, for the sub-array at `index[..axis]`.
    fn recurse(&self, index: &mut [usize], axis: usize, hanging_indent: &str, width: usize) -> String {
        let ndim = self.shape.len();
        let axes_left = ndim - axis;
        let extent = self.shape[axis];
        let next_indent = format!("{hanging_indent} ");
        let next_width = width.saturating_sub(1);
        let elided = self.summarize && extent > 2 * EDGE_ITEMS;
        let positions: Vec<usize> = self.shown(extent).collect();
        let mut s = String::new();
        if axes_left == 1 {
            // The width left for an item: the line less the closing bracket.
            let item_width = width.saturating_sub(1);
            let mut line = hanging_indent.to_string();
            for (k, &i) in positions.iter().enumerate() {
                index[axis] = i;
                let word = self.item(index);
                let last = k + 1 == positions.len();
                extend_line(&mut s, &mut line, &word, item_width, hanging_indent);
                if !last {
                    line.push(' ');
                }
                if elided && k + 1 == EDGE_ITEMS {
                    extend_line(&mut s, &mut line, "...", item_width, hanging_indent);
                    line.push(' ');
                }
            }
            s.push_str(&line);
        } else {
            let separator = "\n".repeat(axes_left - 1);
            for (k, &i) in positions.iter().enumerate() {
                index[axis] = i;
                let nested = self.recurse(index, axis + 1, &next_indent, next_width);
                s.push_str(hanging_indent);
                s.push_str(&nested);
                if k + 1 < positions.len() {
                    s.push_str(&separator);
                }
                if elided && k + 1 == EDGE_ITEMS {
                    s.push_str(hanging_indent);
                    s.push_str("...");
                    s.push_str(&separator);
                }
            }
        }
        format!("[{}]", &s[hanging_indent.len()..])
    }

    /// One item, formatted.
    fn item(&self, index: &[usize]) -> String {
        format_item((self.cell)(index), self.format)
    }
}

/// NumPy's `_extendLine`: starts a new line (with the hanging indent) when
/// `word` would pass `width`, unless the line holds nothing yet.
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, hanging_indent: &str) {
    let needs_wrap = line.chars().count() + word.chars().count() > width && line.len() > hanging_indent.len();
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        line.clear();
        line.push_str(hanging_indent);
    }
    line.push_str(word);
}

/// What the shown items need (NumPy's `fillFormat` and friends).
#[derive(Default)]
struct Stats {
    ints: Option<(i128, i128)>,
    bools: bool,
    single: bool,
    floats: Vec<f64>,
    nonfinite: Vec<f64>,
}

impl Stats {
    fn add(&mut self, cell: Cell) {
        match cell {
            Cell::Int(i) => {
                let (low, high) = self.ints.unwrap_or((i, i));
                self.ints = Some((low.min(i), high.max(i)));
            }
            Cell::Bool(_) => self.bools = true,
            Cell::F32(x) => {
                self.single = true;
                self.add_float(f64::from(x));
            }
            Cell::F64(x) => self.add_float(x),
            Cell::Text(_) => {}
        }
    }

    fn add_float(&mut self, x: f64) {
        if x.is_finite() { self.floats.push(x) } else { self.nonfinite.push(x) }
    }

    fn format(&self) -> Format {
        if let Some((low, high)) = self.ints {
            return Format::Int { width: high.to_string().len().max(low.to_string().len()) };
        }
        if self.bools {
            return Format::Bool;
        }
        if self.floats.is_empty() && self.nonfinite.is_empty() {
            return Format::Text;
        }
        let single = self.single;
        let magnitudes = self.floats.iter().map(|x| x.abs()).filter(|&m| m != 0.0);
        let (min, max) = magnitudes.fold((f64::INFINITY, 0.0_f64), |(lo, hi), m| (lo.min(m), hi.max(m)));
        // The ratio in the array's own precision, as NumPy divides.
        #[allow(clippy::cast_possible_truncation)]
        let ratio = if single { f64::from(max as f32 / min as f32) } else { max / min };
        // NumPy 2.3+: scientific from 10^min(8, decimal precision of the
        // type): 1e8 for f64, 1e6 for f32.
        let cutoff = if single { 1e6 } else { 1e8 };
        let scientific = max > 0.0 && (max >= cutoff || min < 1e-4 || ratio > 1000.0);
        let neginf = self.nonfinite.contains(&f64::NEG_INFINITY);
        // Width a non-finite item needs beyond the fraction and the point.
        let nonfinite_left = |right: usize| {
            if self.nonfinite.is_empty() {
                0
            } else {
                3_usize.saturating_sub(right + 1).max((3 + usize::from(neginf)).saturating_sub(right + 1))
            }
        };
        if scientific {
            let (mut left, mut precision, mut exponent) = (0, 0, 0);
            for &x in &self.floats {
                let text = shortest_scientific(x, single);
                let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "+00"));
                let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
                left = left.max(int_part.len());
                precision = precision.max(frac.len());
                exponent = exponent.max(exp.len() - 1);
            }
            let right = exponent + 2 + precision;
            Format::Scientific { left: left.max(nonfinite_left(right)), precision, exponent, single }
        } else {
            let (mut left, mut right) = (0, 0);
            for &x in &self.floats {
                let text = shortest_positional(x, single);
                let (int_part, frac) = text.split_once('.').unwrap_or((&text, ""));
                left = left.max(int_part.len());
                right = right.max(frac.len());
            }
            Format::Positional { left: left.max(nonfinite_left(right)), right, single }
        }
    }
}

/// One item in the array's format.
fn format_item(cell: Cell, format: Format) -> String {
    match (cell, format) {
        (Cell::Int(i), Format::Int { width }) => format!("{i:>width$}"),
        (Cell::Bool(b), _) => if b { " True" } else { "False" }.to_string(),
        (Cell::F32(x), _) => format_float(f64::from(x), format),
        (Cell::F64(x), _) => format_float(x, format),
        (Cell::Int(i), _) => i.to_string(),
        (Cell::Text(text), _) => text,
    }
}

fn format_float(x: f64, format: Format) -> String {
    match format {
        _ if !x.is_finite() => {
            let text = if x.is_nan() {
                "nan"
            } else if x < 0.0 {
                "-inf"
            } else {
                "inf"
            };
            let width = match format {
                Format::Positional { left, right, .. } => left + right + 1,
                Format::Scientific { left, precision, exponent, .. } => left + exponent + 2 + precision + 1,
                _ => text.len(),
            };
            format!("{text:>width$}")
        }
        Format::Positional { left, right, single } => {
            let text = shortest_positional(x, single);
            let (int_part, frac) = text.split_once('.').unwrap_or((&text, ""));
            format!("{int_part:>left$}.{frac:<right$}")
        }
        Format::Scientific { left, precision, exponent, single } => {
            // Every item gets `precision` digits: the shortest ones, and
            // where those are fewer, the exact value's next digits rounded
            // (NumPy's `min_digits`), which is the exact value rounded to
            // `precision` digits.
            #[allow(clippy::cast_possible_truncation)]
            let text = if single { format!("{:.precision$e}", x as f32) } else { format!("{x:.precision$e}") };
            let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
            let (int_part, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            let (sign, digits) = if let Some(digits) = exp.strip_prefix('-') { ('-', digits) } else { ('+', exp) };
            format!("{int_part:>left$}.{frac}e{sign}{digits:0>exponent$}")
        }
        _ => x.to_string(),
    }
}

/// The shortest round-trip digits of `x` (as an `f32` if `single`),
/// positional, at most [`PRECISION`] fractional digits (rounded), trailing
/// zeros dropped but the point kept: NumPy's
/// `dragon4_positional(x, precision=8, unique=True, trim='.')`.
fn shortest_positional(x: f64, single: bool) -> String {
    // Widening an f32 is exact, so `x as f32` gives back the item.
    #[allow(clippy::cast_possible_truncation)]
    let mut text = if single { format!("{}", x as f32) } else { format!("{x}") };
    let fraction = text.split_once('.').map_or(0, |(_, frac)| frac.len());
    if fraction > PRECISION {
        #[allow(clippy::cast_possible_truncation)]
        let rounded = if single { format!("{:.PRECISION$}", x as f32) } else { format!("{x:.PRECISION$}") };
        text = rounded.trim_end_matches('0').to_string();
    }
    if !text.contains('.') {
        text.push('.');
    }
    text
}

/// The shortest round-trip digits of `x` in scientific form, the mantissa
/// rounded to at most [`PRECISION`] fractional digits, with an explicit
/// exponent sign and at least two exponent digits: NumPy's
/// `dragon4_scientific(x, precision=8, unique=True, trim='.')`.
fn shortest_scientific(x: f64, single: bool) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let mut text = if single { format!("{:e}", x as f32) } else { format!("{x:e}") };
    let fraction = text.split_once('e').and_then(|(m, _)| m.split_once('.')).map_or(0, |(_, frac)| frac.len());
    if fraction > PRECISION {
        #[allow(clippy::cast_possible_truncation)]
        let rounded = if single { format!("{:.PRECISION$e}", x as f32) } else { format!("{x:.PRECISION$e}") };
        let (mantissa, exp) = rounded.split_once('e').unwrap_or((&rounded, "0"));
        text = format!("{}e{exp}", mantissa.trim_end_matches('0'));
    }
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.") };
    let (sign, digits) = if let Some(digits) = exp.strip_prefix('-') { ('-', digits) } else { ('+', exp) };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// A float as NumPy prints a float scalar (and a 0-dimensional array of
/// one), like Python's `repr`: shortest digits, positional from 1e-4 up to
/// (not including) 1e16 (1e6 for `f32`) with `.0` for integral values,
/// scientific (`1e-05`, `1.5e+16`) outside.
fn scalar_float(x: f64, single: bool) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x < 0.0 {
            "-inf".into()
        } else {
            "inf".into()
        };
    }
    let magnitude = x.abs();
    let limit = if single { 1e6 } else { 1e16 };
    if magnitude == 0.0 || (1e-4..limit).contains(&magnitude) {
        #[allow(clippy::cast_possible_truncation)]
        let mut text = if single { format!("{}", x as f32) } else { format!("{x}") };
        if !text.contains('.') {
            text.push_str(".0");
        }
        return text;
    }
    #[allow(clippy::cast_possible_truncation)]
    let text = if single { format!("{:e}", x as f32) } else { format!("{x:e}") };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let (sign, digits) = if let Some(digits) = exp.strip_prefix('-') { ('-', digits) } else { ('+', exp) };
    let mut out = String::new();
    let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
    out
}
