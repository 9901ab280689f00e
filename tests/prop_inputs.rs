//! The fuzz targets' properties on stable, as proptests: the format parser
//! on arbitrary text (`format_parse`) and layouts against an allocation
//! (`layout_access`).

use memoryview::{BufferView, Format, Layout, Order, size_from_format};
use proptest::prelude::*;

const CASES: u32 = if cfg!(miri) { 8 } else { 512 };

/// Text made mostly of format characters, with some of anything.
fn format_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "@",
        "=",
        "<",
        ">",
        "!",
        "^",
        "x",
        "c",
        "b",
        "B",
        "?",
        "h",
        "H",
        "i",
        "I",
        "l",
        "L",
        "q",
        "Q",
        "n",
        "N",
        "e",
        "f",
        "d",
        "s",
        "p",
        "P",
        "g",
        "w",
        "O",
        "T{",
        "}",
        ":a:",
        "(2,3)",
        "(0)",
        "Zf",
        "Zd",
        " ",
        "0",
        "3",
        "17",
        "99999999999999999999",
        "é",
        "%",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn formats_parse_or_refuse_consistently(text in format_text(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        match Format::parse(&text) {
            Ok(format) => {
                prop_assert_eq!(format.as_str(), text.as_str());
                if format.is_struct_syntax() {
                    prop_assert_eq!(size_from_format(&text), Ok(format.itemsize()));
                } else {
                    prop_assert!(size_from_format(&text).is_err());
                }
                // Decoding never panics: enough bytes decode (or fail on
                // `O`), too few are refused.
                let result = format.decode(&bytes);
                if bytes.len() < format.itemsize() {
                    prop_assert!(result.is_err());
                }
            }
            Err(err) => {
                prop_assert!(size_from_format(&text).is_err());
                prop_assert!(err.position().is_some_and(|p| p <= text.len()));
            }
        }
    }

    #[test]
    fn layouts_are_checked_against_the_allocation(
        dims in prop::collection::vec((0usize..6, -40isize..40), 0..4),
        itemsize in 0usize..9,
        offset in 0usize..80,
        len in 0usize..160,
    ) {
        let shape: Vec<usize> = dims.iter().map(|d| d.0).collect();
        let strides: Vec<isize> = dims.iter().map(|d| d.1).collect();
        let Ok(layout) = Layout::new(&shape, &strides, itemsize) else {
            prop_assert_eq!(itemsize, 0);
            return Ok(());
        };
        let buffer: Vec<u8> = (0..len).map(|i| i as u8).collect();
        // Every item's bytes, by the definition, relative to the buffer.
        let mut offsets = vec![offset as isize];
        for (&n, &s) in shape.iter().zip(&strides) {
            offsets = offsets.iter().flat_map(|&o| (0..n as isize).map(move |i| o + i * s)).collect();
        }
        let inside = offsets.iter().all(|&o| o >= 0 && o as usize + itemsize <= len);
        match BufferView::new(&buffer, layout.clone(), offset, Format::bytes()) {
            Ok(view) => {
                prop_assert!(inside);
                let expected: Vec<u8> = offsets.iter().flat_map(|&o| buffer[o as usize..o as usize + itemsize].to_vec()).collect();
                prop_assert_eq!(view.to_bytes(Order::C), expected);
            }
            Err(_) => prop_assert!(!inside, "refused a layout whose items all lie inside"),
        }
    }
}
