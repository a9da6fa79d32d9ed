// A task returns `()` or a `Result` whose error says what went wrong.
#[macaron::task]
async fn count(items: Vec<String>) -> usize {
    items.len()
}

fn main() {}
