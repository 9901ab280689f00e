//! A file of C structs, memory-mapped and read in place: as records, and
//! as zero-copy columns of one field each.
//!
//!     cargo run --example mmap_records
//!
//! The file is what a C program writing `struct record { uint32_t id;
//! double x; double y; }` with `fwrite` would leave behind (after a 16-byte
//! header): each record is 24 bytes, with 4 bytes of padding after `id`.
//! The Rust struct declares that padding (bytemuck's `Pod` needs every byte
//! accounted for) and gets its format from `memoryview::element!`, which
//! is equivalent to the one NumPy exports for the same C struct
//! (`T{I:id:xxxxd:x:d:y:}`), so the mapped bytes can be described either
//! way.

use bytemuck::{Pod, Zeroable};
use memmap2::Mmap;
use memoryview::{BufferView, Element, Format, Layout, MemoryView, Order, Slice};
use std::error::Error;
use std::fs::{self, File};
use std::mem::offset_of;

memoryview::element! {
    /// `struct record { uint32_t id; double x; double y; }` as C lays it out.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
    pub struct Record {
        /// `uint32_t id`.
        pub id: u32,
        #[padding]
        _pad: [u8; 4],
        /// `double x`.
        pub x: f64,
        /// `double y`.
        pub y: f64,
    }
}

const HEADER: usize = 16;

/// Writes `count` records after a header, the way a C program would.
fn write_file(path: &std::path::Path, count: usize) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(HEADER + count * size_of::<Record>());
    bytes.extend_from_slice(b"RECORDS\0");
    bytes.extend_from_slice(&(count as u64).to_ne_bytes());
    for i in 0..count {
        bytes.extend_from_slice(&(i as u32 * 10).to_ne_bytes());
        bytes.extend_from_slice(&[0xAA; 4]); // padding: whatever the C compiler left
        bytes.extend_from_slice(&(i as f64 * 0.5).to_ne_bytes());
        bytes.extend_from_slice(&(-(i as f64)).to_ne_bytes());
    }
    fs::write(path, bytes)
}

fn main() -> Result<(), Box<dyn Error>> {
    let count = 100_000;
    let path = std::env::temp_dir().join(format!("memoryview-mmap-records-{}.bin", std::process::id()));
    write_file(&path, count)?;
    let file = File::open(&path)?;
    // SAFETY: the file is this program's own temporary, and nothing writes
    // to it while it is mapped.
    let map = unsafe { Mmap::map(&file)? };
    println!("mapped {} bytes; Record::FORMAT = {}", map.len(), Record::FORMAT);

    // The records after the header, described as NumPy would export them.
    let layout = Layout::contiguous(&[count], size_of::<Record>(), Order::C)?;
    let table = BufferView::new(&map, layout, HEADER, Format::parse("T{I:id:xxxxd:x:d:y:}")?)?;
    let records: MemoryView<'_, Record> = table.typed()?;
    let r = records.get(&[4242])?;
    println!("record 4242: id {} at ({}, {})", r.id, r.x, r.y);
    assert_eq!((r.id, r.x, r.y), (42420, 2121.0, -4242.0));

    // Columns of one field each: the same memory, a 24-byte stride, no copy.
    let xs = records.field::<f64>(offset_of!(Record, x))?;
    let ys = records.field::<f64>(offset_of!(Record, y))?;
    println!("x column: {} items, stride {} bytes, itemsize {}", xs.len(), xs.strides()[0], xs.itemsize());
    assert_eq!(xs.as_ptr(), map.as_ptr().wrapping_add(HEADER + offset_of!(Record, x)));

    // Every thousandth x, last first: still no copy.
    let sampled = xs.slice(&[Slice::from(..).step(-1000)])?;
    let first: Vec<f64> = sampled.iter().take(3).collect();
    println!("x[::-1000][:3] = {first:?}");
    assert_eq!(first, [49999.5, 49499.5, 48999.5]);

    // Whole columns copied out (through the copy engine's strided gather).
    let x = xs.to_vec(Order::C);
    let y = ys.to_vec(Order::C);
    let mean_x = x.iter().sum::<f64>() / count as f64;
    let dot: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
    println!("mean x = {mean_x}, x . y = {dot:e}");
    assert_eq!(mean_x, (count - 1) as f64 * 0.25);

    // The ids as floats, converted while copying, from the untyped view.
    let ids = table.field(offset_of!(Record, id), Format::parse("I")?)?.to_vec_as::<f64>(Order::C)?;
    assert_eq!(ids[7], 70.0);
    // ... and as u16 they do not all fit: the error names the first one.
    let err = table.field(0, Format::parse("I")?)?.to_vec_as::<u16>(Order::C).unwrap_err();
    println!("ids as u16: {err}");

    drop(map);
    fs::remove_file(&path)?;
    Ok(())
}
