// `#[macaron::monitor]` times an async function, and needs its kind.
#[macaron::monitor(kind = "db")]
fn not_async() -> u32 {
    1
}

#[macaron::monitor(name = "find")]
async fn no_kind() -> u32 {
    1
}

#[macaron::monitor(kind = "db", label = "x")]
async fn unknown_option() -> u32 {
    1
}

#[macaron::monitor(kind = db)]
async fn not_a_string() -> u32 {
    1
}

fn main() {}
