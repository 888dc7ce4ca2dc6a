//! The allocator of the `fedplan` binary and of the fleet example (included by both with
//! `#[path]`; the library leaves the choice to the program that links it).
//!
//! A control plane at fleet scale allocates and frees millions of small JSON nodes, which
//! mimalloc serves faster than the system allocator. By default mimalloc hands memory a
//! program freed back to the kernel a second later; the next allocation then takes fresh
//! pages that the kernel zeroes again, which cost up to a quarter of a fleet simulation's
//! time. A simulation frees and refills the same amount of memory pass after pass, so it
//! keeps it.

#![allow(unsafe_code)]

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the `mi_option_e` enumeration of mimalloc 3's `mimalloc.h`
/// (the version `libmimalloc-sys` builds by default); `libmimalloc-sys` names no constant
/// for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process instead of returning it to the kernel after a delay.
pub fn keep_freed_memory() {
    // SAFETY: `mi_option_set` takes any option of the enumeration and any value; -1 is the
    // documented "never purge" value of this option, and options may be set at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // mimalloc 3's default purge delay is 1000 ms; no other option of the enumeration
        // defaults to 1000.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reading an option of the enumeration.
            assert_eq!(
                unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
                1000
            );
        }
        keep_freed_memory();
        // SAFETY: as above.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            -1
        );
    }
}
