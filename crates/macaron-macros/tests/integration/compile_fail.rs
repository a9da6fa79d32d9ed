//! What `#[macaron::task]` refuses, and the diagnostic a user sees for it:
//! each `tests/compile_fail/*.rs` is a program that must not compile, with
//! the compiler's output pinned beside it in a `.stderr` file
//! (`TRYBUILD=overwrite` rewrites them after a deliberate change; review
//! the diff). Each message names the rule broken and points at the
//! culprit: the `fn`, the receiver, the argument, the type, the option.

#[test]
fn task_refusals_point_at_the_culprit() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
