//! A tour of viewing foreign memory without copying it.
//!
//! ```text
//! cargo run --example tour
//! ```
//!
//! 1. A C-style buffer (as a C library would hand it over: a pointer, a
//!    shape and byte strides) viewed upside down with a negative stride,
//!    sliced, transposed and copied out in Fortran order.
//! 2. A PIL-style image whose rows are reached through a table of row
//!    pointers (PEP 3118 suboffsets), cropped and copied out.

use memoryview::{BufferFlags, BufferView, Exporter, Format, Layout, MemoryView, Order, Slice};

fn main() -> memoryview::Result<()> {
    c_buffer_with_negative_strides()?;
    pil_image_through_row_pointers()?;
    Ok(())
}

fn c_buffer_with_negative_strides() -> memoryview::Result<()> {
    println!("== A C buffer, viewed bottom-up ==");
    // What a C library gives us: 3 rows of 4 doubles, row-major.
    let storage: Vec<f64> = (0..12).map(f64::from).collect();
    let ptr = storage.as_ptr().cast::<u8>();

    // View it bottom-up: the base is the first item of the last row, and
    // the row stride is negative. Strides are in bytes, as in Py_buffer.
    let layout = Layout::new(&[3, 4], &[-32, 8], 8)?;
    let last_row = ptr.wrapping_add(2 * 32);
    // SAFETY: every item the layout reaches from `last_row` lies inside
    // `storage`, which outlives `flipped` and is not written meanwhile.
    let flipped = unsafe { MemoryView::<f64>::from_raw_parts(last_row, layout) }?;
    println!("shape {:?}, strides {:?}", flipped.shape(), flipped.strides());
    println!("flipped, C order:   {:?}", flipped.to_vec(Order::C));

    // Python slicing in every dimension: flipped[::2, 1::2].
    let corners = flipped.slice(&[Slice::from(..).step(2), Slice::from(1..).step(2)])?;
    println!("flipped[::2, 1::2]: {:?}", corners.to_vec(Order::C));

    // Transpose (free) and copy out in Fortran order.
    let t = flipped.t();
    println!("transposed {:?}, C-contiguous: {}", t.shape(), t.is_c_contiguous());
    println!("transposed, F order: {:?}", t.to_vec(Order::F));

    // What a consumer asking for a Fortran-contiguous buffer would get.
    match t.get_buffer(BufferFlags::F_CONTIGUOUS) {
        Ok(_) => println!("F_CONTIGUOUS request: granted"),
        Err(e) => println!("F_CONTIGUOUS request: refused ({e})"),
    }
    Ok(())
}

fn pil_image_through_row_pointers() -> memoryview::Result<()> {
    println!("\n== A PIL-style image: rows through a pointer table ==");
    // Each row is its own allocation (RGB, 5 pixels wide), as PIL keeps
    // images that were built row by row.
    let rows: Vec<Vec<u8>> = (0..4u8).map(|r| (0..15u8).map(|c| r * 16 + c).collect()).collect();
    let table: Vec<*const u8> = rows.iter().map(|row| row.as_ptr()).collect();

    // shape (height, width, channel); dimension 0 steps through the table
    // and dereferences (suboffset 0), the others are direct.
    let layout = Layout::with_suboffsets(&[4, 5, 3], &[8, 3, 1], &[0, -1, -1], 1)?;
    // SAFETY: the table and every row outlive `image` and are not written.
    let image = unsafe { BufferView::from_raw_parts(table.as_ptr().cast(), layout, Format::bytes()) }?;
    println!(
        "image {:?}, suboffsets {:?}, contiguous: {}",
        image.shape(),
        image.suboffsets(),
        image.is_contiguous(Order::A)
    );

    // Crop rows 1..3, columns 1..4, and keep only the green channel.
    let green = image.slice(&[Slice::from(1..3), Slice::from(1..4), Slice::from(1..2)])?;
    println!("green crop {:?}: {:?}", green.shape(), green.to_bytes(Order::C));

    // Consumers that cannot follow pointers are refused, as in CPython.
    match image.get_buffer(BufferFlags::STRIDED_RO) {
        Ok(_) => println!("STRIDED_RO request: granted"),
        Err(e) => println!("STRIDED_RO request: refused ({e})"),
    }
    let packed = image.to_bytes(Order::C);
    println!("packed copy: {} bytes, first row {:?}", packed.len(), &packed[..15]);
    Ok(())
}
