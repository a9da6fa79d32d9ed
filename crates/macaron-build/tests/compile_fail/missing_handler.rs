//! `x-bind-server` names `crate::api::get_item`, which does not exist.
#![allow(dead_code)]

mod api {}

mod shop {
    include!("generated/shop.rs");
}

fn main() {
    let _ = shop::bind;
}
