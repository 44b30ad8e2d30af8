//! Checking speed on realistic linearizable histories from a seeded
//! simulation of a register store (see tests/support/register_sim.rs):
//! 1,000 / 10,000 / 100,000 operations over 10 keys with 10 processes, and
//! 1,000 / 10,000 / 100,000 operations on a single register with 20 processes. Peak heap is measured by a counting
//! global allocator and printed once per history.
//!
//! `cargo bench -p checker -- --warm-up-time 1 --measurement-time 3`

#[path = "../tests/support/register_sim.rs"]
#[allow(dead_code)]
mod register_sim;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use checker::{check, Budget, History, ModelKind, Verdict};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use register_sim::{simulate, SimConfig};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn history(ops: usize, keys: u64, processes: u64) -> History {
    simulate(SimConfig {
        seed: 42,
        ops,
        keys,
        processes,
        info_per_mille: 10,
        values: 5,
    })
}

/// Peak heap bytes used by one check, above what was live before it.
fn peak_bytes(history: &History, model: ModelKind) -> usize {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = check(history, model, &Budget::unlimited()).expect("simulated ops fit");
    assert_eq!(result.verdict, Verdict::Linearizable);
    PEAK.load(Ordering::Relaxed) - before
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("kv-10keys-10procs", 1_000, 10, 10, ModelKind::Kv),
        ("kv-10keys-10procs", 10_000, 10, 10, ModelKind::Kv),
        ("kv-10keys-10procs", 100_000, 10, 10, ModelKind::Kv),
        ("register-20procs", 1_000, 0, 20, ModelKind::CasRegister),
        ("register-20procs", 10_000, 0, 20, ModelKind::CasRegister),
        ("register-20procs", 100_000, 0, 20, ModelKind::CasRegister),
    ];
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for (name, ops, keys, processes, model) in cases {
        let h = history(ops, keys, processes);
        let peak = peak_bytes(&h, model);
        println!(
            "{name}/{ops}: peak heap during check {:.2} MiB",
            peak as f64 / (1 << 20) as f64
        );
        group.throughput(Throughput::Elements(ops as u64));
        group.bench_with_input(BenchmarkId::new(name, ops), &h, |b, h| {
            b.iter(|| check(h, model, &Budget::unlimited()).expect("simulated ops fit"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
