//! Handing memory back to the system after a large piece of work.
//!
//! The program's allocator (mimalloc, chosen in `main.rs` for speed) keeps
//! memory a thread has freed for that thread to use again, and a thread of
//! the pool that sits idle never returns it. A batch run ends soon after,
//! so that costs nothing; `watch` runs for weeks, so after reading a large
//! extract it asks every thread to hand back what it no longer uses, and
//! holds only what it keeps between changes.

/// Asks the calling thread and every thread of the pool to return the
/// memory they hold but no longer use.
pub fn give_back() {
    fn collect() {
        // SAFETY: mi_collect only walks the calling thread's own heap and
        // the pages abandoned to it; it takes no pointer from us.
        unsafe { libmimalloc_sys::mi_collect(true) }
    }
    rayon::broadcast(|_| collect());
    collect();
}
