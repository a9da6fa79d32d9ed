//! Loading speed: the 4.2 MB Stripe document (the largest of the corpus)
//! and the small petstore. Run with
//! `cargo bench -p macaron-spec --bench load`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};

fn corpus(file: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/public").join(file);
    path.is_file().then_some(path)
}

fn load(c: &mut Criterion) {
    let petstore = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/petstore-3.0.yaml");
    c.bench_function("load petstore-3.0.yaml", |b| {
        b.iter(|| macaron_spec::load(&petstore).map(|api| api.operations.len()))
    });
    match corpus("stripe-spec3.yaml") {
        Some(stripe) => {
            let mut group = c.benchmark_group("large");
            group.sample_size(10);
            group.bench_function("load stripe-spec3.yaml", |b| {
                b.iter(|| macaron_spec::load(&stripe).map(|api| api.operations.len()))
            });
            group.finish();
        }
        None => eprintln!("SKIPPED: stripe-spec3.yaml not found beside the checkout (../shared/specs/public)"),
    }
}

criterion_group!(benches, load);
criterion_main!(benches);
