// A task is stored by name and arguments: it has no `self` to call a method on.
struct Mailer;

impl Mailer {
    #[macaron::task]
    async fn send(&self, to: String) -> macaron::Result<()> {
        let _ = to;
        Ok(())
    }
}

fn main() {}
