//! `cargo run -p helloworld`, then `curl localhost:8080/v1/hello`.

fn main() {
    macaron::letsgo(helloworld::start)
}
