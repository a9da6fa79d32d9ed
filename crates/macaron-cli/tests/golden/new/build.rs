//! Generates the API objects and handler bindings of every spec in `apis/`.
fn main() {
    macaron_build::generate("apis");
}
