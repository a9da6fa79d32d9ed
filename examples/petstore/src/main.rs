//! `target/release/petstore --port 8080`, in `examples/petstore` (see docs/quickstart.md).

fn main() {
    macaron::letsgo(petstore::start)
}
