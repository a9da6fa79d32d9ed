//! The golden code of `tests/fixtures/pets.yaml` compiles against the
//! runtime, with handlers of the signatures it asks for.
#![allow(dead_code)]

mod models {
    pub trait Animal {}
}

mod guards {
    pub fn owner_only(_: &macaron::Context) -> macaron::Result<()> {
        Ok(())
    }
}

mod api {
    use crate::pets::{CreatePetResponse, NewPet, Pet};

    pub async fn list_pets(_: Option<i32>, _: Option<String>, _: Option<String>) -> macaron::Result<Vec<Pet>> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn create_pet(_: NewPet) -> macaron::Result<CreatePetResponse> {
        unimplemented!("never called: the test compiles")
    }

    pub async fn delete_pet(_: i64) -> macaron::Result<()> {
        unimplemented!("never called: the test compiles")
    }
}

mod pets {
    include!("../golden/pets.rs");
}

fn main() {
    let _ = pets::bind;
    let _ = pets::Client::new("http://127.0.0.1:1");
}
