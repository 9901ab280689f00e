//! Any text: the parser accepts or refuses it without panicking; accepted
//! formats agree with `size_from_format` where the struct module would
//! read them, and decode any bytes of their size without panicking. The
//! compile-time measurer behind `element!` gives the parser's itemsize (or
//! refuses where it refuses), and equivalence is reflexive for every
//! format without objects (of less than a MiB).
#![no_main]

use libfuzzer_sys::fuzz_target;
use memoryview::{Format, size_from_format};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = Format::parse(text);
    assert_eq!(memoryview::format::__record::itemsize(text), parsed.as_ref().ok().map(Format::itemsize), "{text:?}");
    match parsed {
        Ok(format) => {
            // (Past 2^22 steps of walking, formats match nothing: a walk
            // takes a few steps per byte of an item or character of text.)
            if format.itemsize() < 1 << 20 && !text.contains('O') {
                assert!(format.equivalent(&format), "{text:?}");
            }
            assert_eq!(format.as_str(), text);
            if format.is_struct_syntax() {
                assert_eq!(size_from_format(text), Ok(format.itemsize()));
            } else {
                assert!(size_from_format(text).is_err());
            }
            // Decode some bytes (bounded, so huge itemsizes stay cheap).
            if format.itemsize() <= 4096 {
                let bytes: Vec<u8> = data.iter().cycle().take(format.itemsize()).copied().collect();
                let _ = format.decode(&bytes);
                let _ = format.unpack(&bytes);
            }
            assert!(format.decode(&[]).is_err() || format.itemsize() == 0);
        }
        Err(err) => {
            assert!(size_from_format(text).is_err());
            assert!(err.position().is_some_and(|p| p <= text.len()), "{err:?}");
        }
    }
});
