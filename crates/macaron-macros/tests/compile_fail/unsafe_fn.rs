// A worker calls the task: nobody is there to uphold an `unsafe fn`'s contract.
#[macaron::task]
async unsafe fn poke(address: usize) -> macaron::Result<()> {
    let _ = address;
    Ok(())
}

fn main() {}
