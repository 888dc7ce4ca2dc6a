//! The plugin's allocator: a bump arena that lives as long as one call.
//!
//! The host runs every call in a fresh instance and throws it away afterwards, so memory
//! never needs to be reused across calls. Allocating by bumping an offset (and giving back
//! only the most recent block, which is what growing strings and vectors need) is the
//! cheapest allocator there is, and freeing is nearly free.
//!
//! The arena is a zeroed static, so it lies inside the module's initial memory: an ordinary
//! call never executes `memory.grow`. That matters to the host, which would otherwise change
//! page protections twice per call (grow, then shrink back for the next instance). Requests
//! the arena cannot hold go to the standard allocator, so large calls work as before and
//! the host's memory limit still bounds them.
//!
//! Only compiled for single-threaded wasm32, where a `static` with interior mutability is
//! never shared between threads.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};

/// Bytes of the arena; what a call allocates beyond it comes from the standard allocator.
/// Being part of the initial memory, it counts towards the host's per-call memory limit
/// from the start, and towards the per-call reset: the host scans a plugin's whole memory
/// for written pages after every call, so the arena is sized for ordinary calls rather than
/// the largest (a plugin of this workspace starts at about 1.3 MiB: 256 KiB of stack, its
/// data and the arena).
pub const ARENA_BYTES: usize = 1 << 20;

/// The arena: its bytes and the offset of the first free one.
#[repr(C, align(16))]
pub struct CallArena {
    bytes: UnsafeCell<[u8; ARENA_BYTES]>,
    next: Cell<usize>,
}

// SAFETY: compiled only for wasm32 without the `atomics` feature, where there is exactly one
// thread; the arena is never accessed concurrently.
unsafe impl Sync for CallArena {}

impl CallArena {
    /// An empty arena.
    pub const fn new() -> Self {
        CallArena {
            bytes: UnsafeCell::new([0; ARENA_BYTES]),
            next: Cell::new(0),
        }
    }

    fn base(&self) -> *mut u8 {
        self.bytes.get().cast::<u8>()
    }

    /// The offset of `ptr` in the arena, if it points into it.
    fn offset_of(&self, ptr: *mut u8) -> Option<usize> {
        let offset = (ptr as usize).wrapping_sub(self.base() as usize);
        (offset < ARENA_BYTES).then_some(offset)
    }

    /// A block of `layout` from the arena, or `None` when it does not fit.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        let base = self.base() as usize;
        let free = base.checked_add(self.next.get())?;
        let start = free.checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let offset = start - base;
        let end = offset.checked_add(layout.size())?;
        if end > ARENA_BYTES {
            return None;
        }
        self.next.set(end);
        // `offset <= end <= ARENA_BYTES`: in bounds of the arena.
        Some(self.base().wrapping_add(offset))
    }
}

impl Default for CallArena {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block handed out is either a disjoint range of the arena (the offset only
// moves past handed-out blocks, and moves back only over the most recent block once it is
// freed) or a block of the standard allocator, which gets back exactly its own blocks.
unsafe impl GlobalAlloc for CallArena {
    // Kept out of line: inlined at every allocation site, it grows each plugin by ~10%.
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: forwarding the caller's valid layout.
            None => unsafe { System.alloc(layout) },
        }
    }

    // Kept out of line: inlined at every allocation site, it grows each plugin by ~10%.
    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match self.offset_of(ptr) {
            Some(offset) => {
                if offset + layout.size() == self.next.get() {
                    self.next.set(offset);
                }
            }
            // SAFETY: `ptr` came from `System` with this layout.
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    // Kept out of line: inlined at every allocation site, it grows each plugin by ~10%.
    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(offset) = self.offset_of(ptr) else {
            // SAFETY: `ptr` came from `System` with this layout.
            return unsafe { System.realloc(ptr, layout, new_size) };
        };
        let is_last = offset + layout.size() == self.next.get();
        if is_last
            && offset
                .checked_add(new_size)
                .is_some_and(|end| end <= ARENA_BYTES)
        {
            self.next.set(offset + new_size);
            return ptr;
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size` with `layout.align()` is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a fresh block of at least `layout.size()` bytes, disjoint from `ptr`'s.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size());
            }
            new
        }
    }
}
