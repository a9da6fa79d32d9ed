// The arguments are stored as JSON: each must be serde-serialisable and
// deserialisable.
struct Connection;

#[macaron::task]
async fn ping(connection: Connection, times: u32) -> macaron::Result<()> {
    let _ = (connection, times);
    Ok(())
}

fn main() {}
