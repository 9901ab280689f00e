//! The itemsize of a format, computed in `const` context: what the
//! [`element!`](crate::element!) macro checks against the struct's size at
//! compile time.
//!
//! It follows the parser's rules (`parse`), sharing its modes and scalar
//! sizes, but builds nothing: it walks the text once and keeps only the
//! size, the alignment and the mode in force. `const fn`s cannot allocate
//! or use the parser's `Vec`s, hence this second walk; the tests check it
//! against the parser on every format of the CPython and NumPy vectors and
//! on random ones.
#![forbid(unsafe_code)]

use super::Code;
use super::MAX_NESTING;
use super::parse::{Mode, scalar_size};

/// What a walk over items produced.
#[derive(Clone, Copy)]
struct Measured {
    size: usize,
    align: usize,
    mode: Mode,
    /// The position after the items (after the closing `}` of a record).
    end: usize,
}

/// The itemsize of `text` as [`Format::parse`](super::Format::parse)
/// computes it, or `None` where the parser refuses the text.
pub(crate) const fn itemsize(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mode, start) = match bytes.first() {
        Some(&c) => match Mode::from_prefix(c) {
            Some(mode) => (mode, 1),
            None => (Mode::NATIVE, 0),
        },
        None => (Mode::NATIVE, 0),
    };
    match items(bytes, start, mode, 0) {
        Some(m) if m.end == bytes.len() => Some(m.size),
        _ => None,
    }
}

/// A decimal number at `at`: its value and the position after it.
const fn number(bytes: &[u8], mut at: usize) -> Option<(Option<usize>, usize)> {
    let mut value: Option<usize> = None;
    while at < bytes.len() && bytes[at].is_ascii_digit() {
        let digit = (bytes[at] - b'0') as usize;
        value = match value {
            None => Some(digit),
            Some(v) => match v.checked_mul(10) {
                Some(v) => v.checked_add(digit),
                None => None,
            },
        };
        match value {
            Some(v) if v <= isize::MAX as usize => {}
            _ => return None,
        }
        at += 1;
    }
    Some((value, at))
}

/// Items from `at` to the end of the text (`depth == 0`) or to the `}`
/// closing a record.
const fn items(bytes: &[u8], mut at: usize, mut mode: Mode, depth: usize) -> Option<Measured> {
    let mut size: usize = 0;
    let mut align: usize = 1;
    let mut shape: Option<usize> = None;
    // The dimensions of that shape: records below them nest deeper.
    let mut shape_dims = 0;
    let mut has_item = false;
    loop {
        if at >= bytes.len() {
            if depth > 0 || shape.is_some() {
                return None;
            }
            break;
        }
        let c = bytes[at];
        if c.is_ascii_whitespace() || c == 0x0b {
            at += 1;
            continue;
        }
        if c == b'}' {
            if depth == 0 || shape.is_some() {
                return None;
            }
            at += 1;
            break;
        }
        if c == 0 {
            return None;
        }
        if let Some(switch) = Mode::from_prefix(c) {
            mode = switch;
            at += 1;
            continue;
        }
        if c == b':' {
            if !has_item {
                return None;
            }
            at += 1;
            while at < bytes.len() && bytes[at] != b':' {
                if bytes[at] == 0 {
                    return None;
                }
                at += 1;
            }
            if at >= bytes.len() {
                return None;
            }
            at += 1;
            continue;
        }
        if c == b'(' {
            let mut elements: usize = 1;
            let mut dims = 0;
            at += 1;
            loop {
                while at < bytes.len() && bytes[at] == b' ' {
                    at += 1;
                }
                let (d, next) = match number(bytes, at) {
                    Some((Some(d), next)) if d > 0 => (d, next),
                    _ => return None,
                };
                elements = match elements.checked_mul(d) {
                    Some(e) => e,
                    None => return None,
                };
                dims += 1;
                if depth + dims > MAX_NESTING {
                    return None;
                }
                at = next;
                while at < bytes.len() && bytes[at] == b' ' {
                    at += 1;
                }
                if at >= bytes.len() {
                    return None;
                }
                at += 1;
                match bytes[at - 1] {
                    b',' => continue,
                    b')' => break,
                    _ => return None,
                }
            }
            shape = Some(elements);
            shape_dims = dims;
            continue;
        }
        let (count, next) = match number(bytes, at) {
            Some(found) => found,
            None => return None,
        };
        at = next;
        if at >= bytes.len() {
            return None;
        }
        let code = bytes[at];
        at += 1;
        let (item_size, item_align) = match code {
            b'T' => {
                let nested = depth + shape_dims + 1;
                if at >= bytes.len() || bytes[at] != b'{' || nested > MAX_NESTING {
                    return None;
                }
                let record = match items(bytes, at + 1, mode, nested) {
                    Some(record) if record.size > 0 => record,
                    _ => return None,
                };
                at = record.end;
                mode = record.mode;
                (record.size, record.align)
            }
            b'Z' => {
                if at >= bytes.len() {
                    return None;
                }
                let part = match Code::from_char(bytes[at]) {
                    Some(part @ (Code::Half | Code::Float | Code::Double | Code::LongDouble)) => part,
                    _ => return None,
                };
                at += 1;
                match scalar_size(part, mode) {
                    Some((size, align)) => (size * 2, align),
                    None => return None,
                }
            }
            b'x' | b's' | b'p' => (1, 1),
            _ => match Code::from_char(code) {
                Some(code) => match scalar_size(code, mode) {
                    Some(found) => found,
                    None => return None,
                },
                None => return None,
            },
        };
        let elements = match (shape, count) {
            (Some(_), Some(0)) => return None,
            (Some(dims), count) => match dims.checked_mul(match count {
                Some(c) => c,
                None => 1,
            }) {
                Some(e) => e,
                None => return None,
            },
            (None, Some(c)) => c,
            (None, None) => 1,
        };
        shape = None;
        shape_dims = 0;
        if mode.aligned && item_align > 1 {
            size = match size.checked_next_multiple_of(item_align) {
                Some(s) => s,
                None => return None,
            };
            if item_align > align {
                align = item_align;
            }
        }
        size = match elements.checked_mul(item_size) {
            Some(bytes) => match size.checked_add(bytes) {
                Some(s) if s <= isize::MAX as usize => s,
                _ => return None,
            },
            None => return None,
        };
        has_item = true;
    }
    if depth > 0 && mode.aligned {
        size = match size.checked_next_multiple_of(align) {
            Some(s) => s,
            None => return None,
        };
    }
    Some(Measured { size, align, mode, end: at })
}
