//! `cargo run -p clients`, then `curl 'localhost:8080/query/form/false/array?color=a,b'`.

fn main() {
    macaron::letsgo(clients::start)
}
