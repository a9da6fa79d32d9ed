// The arguments are stored as JSON: a type parameter cannot be read back.
#[macaron::task]
async fn store<T: std::fmt::Debug>(value: T) -> macaron::Result<()> {
    let _ = value;
    Ok(())
}

fn main() {}
