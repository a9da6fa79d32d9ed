// Each argument is stored under its name: a pattern has none.
#[macaron::task]
async fn resize((width, height): (u32, u32)) -> macaron::Result<()> {
    let _ = (width, height);
    Ok(())
}

fn main() {}
