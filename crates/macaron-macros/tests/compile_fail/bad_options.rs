// Options are literals, among those the attribute knows, and a task runs
// at least once.
#[macaron::task(retries = 3)]
async fn unknown_option(note: String) {
    let _ = note;
}

#[macaron::task(max_attempts = ATTEMPTS)]
async fn not_a_literal(note: String) {
    let _ = note;
}

const ATTEMPTS: u32 = 2;

#[macaron::task(max_attempts = 0)]
async fn never_runs(note: String) {
    let _ = note;
}

#[macaron::task(name = 7)]
async fn name_not_a_string(note: String) {
    let _ = note;
}

fn main() {}
