//! The service templates are embedded (`include_dir!`): rebuild when any
//! file under `templates/service` is added, removed or changed.
fn main() {
    println!("cargo:rerun-if-changed=../../templates/service");
}
