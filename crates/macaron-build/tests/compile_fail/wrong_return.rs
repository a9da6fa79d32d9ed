//! The spec's 200 reply is an `Item`, not a `String`.
#![allow(dead_code)]

mod api {
    pub async fn get_item(item_id: i64, verbose: Option<bool>) -> macaron::Result<String> {
        Ok(format!("{item_id} {verbose:?}"))
    }
}

mod shop {
    include!("generated/shop.rs");
}

fn main() {
    let _ = shop::bind;
}
