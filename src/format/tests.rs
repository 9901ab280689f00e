//! Parser tests against values observed on CPython 3.11 (`struct.calcsize`).

use super::*;

#[test]
fn calcsize_matches_cpython() {
    // (format, struct.calcsize on CPython 3.11.7 x86-64 Linux)
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("<", 0),
        ("@", 0),
        ("x", 1),
        ("3x", 3),
        ("0p", 0),
        ("ic0i", 8),
        ("i i", 8),
        ("@ih", 6),
        ("@hi", 8),
        ("@bl", 16),
        ("<bl", 5),
        ("=bq", 9),
        ("ic", 5),
        ("ci", 8),
        ("qb", 9),
        ("hb", 3),
        ("bi", 8),
        ("10s", 10),
        ("5p", 5),
        ("?", 1),
        ("e", 2),
        ("nNP", 24),
        ("!hHiIlLqQ", 36),
        ("\t2h\n", 4),
        ("bd", 16),
        ("<bd", 9),
    ];
    for &(text, size) in cases {
        assert_eq!(size_from_format(text), Ok(size), "{text:?}");
    }
}

#[test]
fn struct_errors_match_cpython() {
    let cases: &[(&str, &str, usize)] = &[
        (" <i", "bad char in struct format", 1),
        ("i<i", "bad char in struct format", 1),
        ("2 h", "bad char in struct format", 1),
        ("3", "repeat count given without format specifier", 0),
        ("99999999999999999999i", "total struct size too long", 0),
        ("i\0", "embedded null character", 1),
        ("<n", "bad char in struct format", 1),
        ("=P", "bad char in struct format", 1),
        ("T{i}", "bad char in struct format", 0),
        ("y", "bad char in struct format", 0),
        ("é", "bad char in struct format", 0),
    ];
    for &(text, message, position) in cases {
        let err = size_from_format(text).unwrap_err();
        assert_eq!((err.message(), err.position()), (message, Some(position)), "{text:?}");
        assert_eq!(err.kind(), ErrorKind::InvalidFormat);
    }
    // The product overflows isize even though each count fits.
    assert!(size_from_format("9223372036854775807q").is_err());
}

#[test]
fn pep3118_extensions() {
    let size = |t: &str| Format::parse(t).map(|f| f.itemsize());
    assert_eq!(size("T{<d:x:<d:y:}"), Ok(16));
    assert_eq!(size("T{bi}"), Ok(8));
    assert_eq!(size("bT{bi}"), Ok(12)); // the record aligns to 4
    assert_eq!(size("T{ib}"), Ok(8)); // trailing padding inside a record
    assert_eq!(size("(2,3)f"), Ok(24));
    assert_eq!(size("Zd"), Ok(16));
    assert_eq!(size("bZf"), Ok(12));
    assert_eq!(size("^bd"), Ok(9));
    assert_eq!(size("<i>i"), Ok(8));
    assert_eq!(size("g"), Ok(16));
    assert_eq!(size("w"), Ok(4));
    // Byte orders set inside a record stay in force after it, as NumPy
    // reads them and writes them: its export of a packed dtype
    // {u1, {u1, f8}, f8, u1, u4} (23 bytes).
    assert_eq!(size("T{B:a:T{B:c:=d:d:}:b:d:e:B:g:I:h:}"), Ok(23));
    assert_eq!(size("T{IT{=Bx}}"), Ok(6)); // no trailing padding after '='
    assert_eq!(size("T{QBT{h>w}L}"), Ok(19)); // the record placed unaligned
    assert!(Format::parse("T{i").is_err());
    assert!(Format::parse("i:x").is_err());
    assert!(Format::parse(":x:i").is_err());
    assert!(Format::parse("(2,f").is_err());
    assert!(Format::parse("Zi").is_err());
    assert!(!Format::parse("T{i}").unwrap().is_struct_syntax());
    assert!(Format::parse("<i").unwrap().is_struct_syntax());
}

#[test]
fn unpack_like_struct() {
    let f = Format::parse("<2h?xc3s3p").unwrap();
    let bytes = [1, 0, 0xff, 0xff, 2, 0, b'a', b'x', b'y', b'z', 5, b'p', b'q'];
    assert_eq!(
        f.unpack(&bytes).unwrap(),
        vec![
            Value::Int(1),
            Value::Int(-1),
            Value::Bool(true),
            Value::Bytes(b"a".to_vec()),
            Value::Bytes(b"xyz".to_vec()),
            Value::Bytes(b"pq".to_vec()),
        ]
    );
    let record = Format::parse("T{<h:a:(2)<b:b:}").unwrap();
    assert_eq!(
        record.decode(&[3, 0, 4, 5]).unwrap(),
        Value::Tuple(vec![Value::Int(3), Value::List(vec![Value::Int(4), Value::Int(5)])])
    );
    let big = Format::parse(">Q").unwrap();
    assert_eq!(big.decode(&[0xff; 8]).unwrap(), Value::Int(i128::from(u64::MAX)));
    assert!(f.unpack(&bytes[..3]).is_err());
    assert_eq!(Format::parse("O").unwrap().decode(&[0; 8]).unwrap_err().kind(), ErrorKind::Unsupported);
}

#[test]
fn foreign_text_is_kept() {
    let f = Format::foreign("what{");
    assert_eq!(f.as_str(), "what{");
    assert!(f.error().is_some());
    assert_eq!(f.decode(&[0]).unwrap_err().kind(), ErrorKind::InvalidFormat);
}

#[test]
fn native_codes() {
    assert_eq!(Format::parse("@i").unwrap().native_code(), Some('i'));
    assert_eq!(Format::parse("<i").unwrap().native_code(), None);
    assert_eq!(Format::parse("2h").unwrap().native_code(), None);
}

/// Found by fuzzing (`format_parse`): a zero-width Pascal string at the end
/// of an item indexed past the item's bytes.
#[test]
fn zero_width_pascal_string() {
    assert_eq!(Format::parse("0p").unwrap().unpack(&[]).unwrap(), vec![Value::Bytes(Vec::new())]);
    assert_eq!(Format::parse("b0p").unwrap().unpack(&[7]).unwrap(), vec![Value::Int(7), Value::Bytes(Vec::new())]);
}

/// Found by fuzzing (`format_parse`): `53533353T{}` decoded 53 million
/// empty tuples from zero bytes. Records must have a size.
#[test]
fn empty_records_are_refused() {
    assert_eq!(Format::parse("53533353T{}p").unwrap_err().kind(), ErrorKind::InvalidFormat);
    assert!(Format::parse("T{0i}").is_err());
    assert_eq!(Format::parse("T{x}").unwrap().itemsize(), 1);
}

/// Found by fuzzing (`format_parse`): `(588888888888888888,3,0)f` is an
/// empty item whose decoding built astronomically many empty lists.
#[test]
fn zero_sub_array_extents_are_refused() {
    assert_eq!(Format::parse("(588888888888888888,3,0)f").unwrap_err().kind(), ErrorKind::InvalidFormat);
    assert!(Format::parse("(0)f").is_err());
    // Also found by fuzzing: a count of 0 on a sub-array item.
    assert!(Format::parse("(88463463,6)0gQ").is_err());
}

/// `Format::of` (built at compile time for one-code formats) must be
/// exactly what parsing `T::FORMAT` at run time gives, and it must fall back
/// to parsing for every other text.
#[test]
fn element_formats_built_at_compile_time_match_parsed_ones() {
    fn same<T: Element>() {
        let (built, parsed) = (Format::of::<T>(), Format::foreign(T::FORMAT));
        assert_eq!(built.as_str(), parsed.as_str());
        assert_eq!(built.scalar(), parsed.scalar(), "{}", T::FORMAT);
        assert_eq!((built.itemsize(), built.alignment()), (parsed.itemsize(), parsed.alignment()));
        assert_eq!((built.byte_order(), built.native_code()), (parsed.byte_order(), parsed.native_code()));
        assert_eq!(built.error(), parsed.error());
        assert_eq!(built.is_struct_syntax(), parsed.is_struct_syntax());
    }
    macro_rules! elements {
        ($($ty:ty),*) => { $(same::<$ty>();)* };
    }
    elements!(u8, i8, u16, i16, u32, i32, u64, i64, usize, isize, f32, f64, bool);
    #[cfg(feature = "half")]
    elements!(half::f16);
    #[cfg(feature = "num-complex")]
    elements!(num_complex::Complex<f32>, num_complex::Complex<f64>);

    // User types: prefixed scalars (built), compound and invalid texts
    // (parsed), and texts at and past the inline limit.
    macro_rules! user {
        ($($name:ident: $text:literal),* $(,)?) => {
            $(
                #[derive(Clone, Copy, bytemuck::NoUninit, bytemuck::AnyBitPattern)]
                #[repr(C)]
                struct $name(u8);
                impl Element for $name {
                    const FORMAT: &'static str = $text;
                }
                same::<$name>();
            )*
        };
    }
    user!(
        BigEndian: ">H",
        Native: "@B",
        Standard: "=i",
        Caret: "^i",
        Complex: ">Zd",
        Extension: "g",
        Pair: "2B",
        Record: "T{B:x:}",
        Invalid: "what{",
        Empty: "",
        Long: "T{B:a_rather_long_name_here:}",
    );
    assert!(Format::of::<Invalid>().error().is_some());
    assert_eq!(Format::of::<Record>().itemsize(), 1);
}
