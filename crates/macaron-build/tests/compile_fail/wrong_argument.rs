//! The path parameter `itemId` is an `i64` in the spec, not a `String`.
#![allow(dead_code)]

mod api {
    pub async fn get_item(item_id: String, verbose: Option<bool>) -> macaron::Result<crate::shop::Item> {
        Ok(crate::shop::Item { name: format!("{item_id} {verbose:?}") })
    }
}

mod shop {
    include!("generated/shop.rs");
}

fn main() {
    let _ = shop::bind;
}
