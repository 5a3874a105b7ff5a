//! The `brief` binary: a thin shell over [`brief::cli`], and the allocator it runs on.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use clap::Parser;
use libmimalloc_sys::{mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned};
use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};

/// mimalloc (v2, without transparent huge pages): a build makes millions of small strings on
/// every core, and glibc's allocator spent a fifth of it (BENCHMARKS.md).
///
/// Called directly rather than through the `mimalloc` crate, whose allocator asks for an
/// aligned block every time: mimalloc's aligned entry point checks and forwards through four
/// calls before it reaches the plain one, about 1.3% of a build's instructions. Blocks from
/// the plain entry point are aligned to 16 bytes, or to their size when smaller, the same
/// guarantee std's `System` allocator relies on for `malloc`.
struct Mimalloc;

/// The alignment mimalloc's plain entry points give any block at least this large.
const PLAIN_ALIGN: usize = 16;

fn plain_suffices(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

/// Allocates `layout` with `plain` when its alignment guarantee covers it, else with `aligned`.
///
/// # Safety
/// As `GlobalAlloc::alloc`: `layout` has a non-zero size.
unsafe fn allocate(
    layout: Layout,
    plain: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: both are mimalloc's, called with the layout's size (and alignment).
    unsafe {
        if plain_suffices(layout.align(), layout.size()) {
            plain(layout.size()).cast()
        } else {
            aligned(layout.size(), layout.align()).cast()
        }
    }
}

// SAFETY: each method forwards to the mimalloc function with the same contract, choosing
// the plain one only when its alignment guarantee covers `layout` (see `plain_suffices`).
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { allocate(layout, mi_malloc, mi_malloc_aligned) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { allocate(layout, mi_zalloc, mi_zalloc_aligned) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if plain_suffices(layout.align(), new_size) {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

fn main() {
    let cli = brief::cli::Cli::parse();
    std::process::exit(brief::cli::run(cli));
}
