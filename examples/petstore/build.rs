//! Generates the API objects and handler bindings of `apis/petstore.yaml`.
fn main() {
    macaron_build::generate("apis");
}
