//! Generates the API objects and handler bindings of `apis/*.yaml`.
fn main() {
    macaron_build::generate("apis");
}
