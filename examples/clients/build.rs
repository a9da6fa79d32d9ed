//! Generates the styles service's bindings (`apis/styles.yaml`) and the
//! client-only modules of the other services' documents (`apis/clients/`).
fn main() {
    macaron_build::generate("apis");
}
