// `impl Trait` in an argument is a type parameter too.
#[macaron::task]
async fn store(value: impl std::fmt::Display) -> macaron::Result<()> {
    let _ = value.to_string();
    Ok(())
}

fn main() {}
