// A task runs later, in a worker: it must be an `async fn`.
#[macaron::task]
fn send_email(to: String) -> macaron::Result<()> {
    let _ = to;
    Ok(())
}

fn main() {}
