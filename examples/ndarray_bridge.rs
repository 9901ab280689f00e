//! ndarray and memoryview together: views in both directions without a
//! copy, and ndarray copies through memoryview's copy planner.
//!
//! ```text
//! cargo run --release --example ndarray_bridge --features ndarray
//! ```

use memoryview::ndarray::AssignFast;
use memoryview::{BufferFlags, ErrorKind, Exporter, Layout, MemoryView, MemoryViewMut, Order, py_s};
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, array, s};
use std::time::Instant;

fn main() -> Result<(), memoryview::Error> {
    // 1. ndarray -> memoryview: an ndarray view described as a Py_buffer
    //    would describe it (byte strides, a struct format), ready to hand
    //    to Python or C.
    let a = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64);
    let v = MemoryView::try_from(a.slice(s![.., ..;-1]))?;
    println!(
        "ndarray a[:, ::-1] as a memoryview: format {:?}, shape {:?}, strides {:?} (bytes)",
        v.format().as_str(),
        v.shape(),
        v.strides()
    );
    let exported = v.get_buffer(BufferFlags::RECORDS_RO)?;
    println!("  exported for PyBUF_RECORDS_RO: format {:?}, strides {:?}", exported.format(), exported.strides());
    // Python's slicing on it (note Python's meaning of a negative step).
    let w = v.slice(&py_s![2..0;-1, 1..])?;
    println!("  v[2:0:-1, 1:] = {:?}", w.to_vec(Order::C));

    // 2. memoryview -> ndarray: memory from elsewhere (here a buffer read
    //    bottom-up, as BMP images are stored) gets ndarray's algebra.
    let rows_bottom_up: Vec<f32> = (0..12).map(|i| i as f32).collect();
    let layout = Layout::new(&[3, 4], &[-16, 4], 4)?; // byte strides, the first negative
    let image = MemoryView::new(&rows_bottom_up, layout, 32)?; // base: the last row
    let nd = ArrayView2::try_from(image.clone())?;
    println!("\nforeign memory as an ndarray view (strides {:?} elements):\n{nd}", nd.strides());
    println!("  column sums {}, row 0 . row 1 = {}", nd.sum_axis(ndarray::Axis(0)), nd.row(0).dot(&nd.row(1)));

    // 3. Mutable views both ways: ndarray writes into memoryview's view
    //    of a Vec, memoryview writes into ndarray's array.
    let mut store = vec![0u16; 6];
    let m = MemoryViewMut::from_shape(&mut store, &[2, 3])?.t(); // transposed, no copy
    let mut nd_mut = ArrayViewMut2::try_from(m)?;
    nd_mut.assign(&array![[1u16, 2], [3, 4], [5, 6]]);
    println!("\nndarray writing through a transposed memoryview: {store:?}");
    let mut b = Array2::<i32>::zeros((2, 2));
    MemoryViewMut::try_from(b.view_mut())?.copy_from_slice(&[1, 2, 3, 4], Order::F)?;
    println!("memoryview filling an ndarray in Fortran order:\n{b}");

    // 4. What ndarray cannot describe is refused with a reason: strides
    //    that are not whole elements, and pointer tables (suboffsets).
    let words = [0u16; 8];
    let odd = MemoryView::new(&words, Layout::new(&[5], &[3], 2)?, 0)?; // every 3 bytes
    println!("\nrefused: {}", ndarray::ArrayView1::try_from(odd).unwrap_err());
    let bytes = [7u8; 8];
    let table = [bytes.as_ptr(); 2];
    let indirect = Layout::with_suboffsets(&[2, 8], &[8, 1], &[0, -1], 1)?;
    // SAFETY: the pointer table and the bytes it points to outlive the view.
    let rows = unsafe { MemoryView::<u8>::from_raw_parts(table.as_ptr().cast(), indirect) }?;
    let err = ndarray::ArrayViewD::try_from(rows).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Indirect);
    println!("refused: {err}");

    // 5. The fast assign: ndarray's `dst.assign(&src.t())` through
    //    memoryview's planner (tiled SIMD transposes, threads).
    let n = 2048;
    let src = Array2::from_shape_fn((n, n), |(i, j)| (i * n + j) as f32);
    let mut ours = Array2::<f32>::zeros((n, n));
    let mut theirs = Array2::<f32>::zeros((n, n));
    let time = |f: &mut dyn FnMut()| {
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    };
    let fast = time(&mut || ours.assign_fast(&src.t()).expect("same shapes"));
    let plain = time(&mut || theirs.assign(&src.t()));
    assert_eq!(ours, theirs);
    println!(
        "\ntranspose of a {n}x{n} f32 array: assign_fast {:.2} ms, ndarray's assign {:.2} ms ({:.1}x)",
        fast * 1e3,
        plain * 1e3,
        plain / fast
    );
    let cube = Array3::from_shape_fn((128, 128, 128), |(i, j, k)| (i + j + k) as u64);
    let mut out = Array3::<u64>::zeros((128, 128, 128));
    out.assign_fast(&cube.view().permuted_axes([2, 1, 0]))?;
    assert_eq!(out, cube.view().permuted_axes([2, 1, 0]));
    println!("(and a 128^3 u64 (2, 1, 0) permutation, checked against ndarray)");
    Ok(())
}
