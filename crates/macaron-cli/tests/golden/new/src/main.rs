//! `cargo run -- --port 8080`, then `curl localhost:8080/v1/items`.

fn main() {
    macaron::letsgo(shop::start)
}
