//! The `crossfoot` command; everything it does lives in the library's `cli` module.

/// mimalloc rather than the system allocator: checking a large rule set makes millions of
/// small allocations on every core, where glibc's per-thread arenas spend as much time
/// growing heaps and faulting pages as the work itself. On the 100,000-rule benchmark
/// pack it halves parsing and checking (see the README's benchmarks). Built without
/// transparent huge pages (`no_thp`): asking for them makes the kernel compact memory to
/// find 2 MB pages, which on a busy machine cost more than the pages save.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    crossfoot::cli::run()
}
