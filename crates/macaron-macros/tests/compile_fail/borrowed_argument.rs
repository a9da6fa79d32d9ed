// An argument outlives the call that schedules it: it must be owned.
#[macaron::task]
async fn greet(name: &str) -> macaron::Result<()> {
    let _ = name;
    Ok(())
}

fn main() {}
