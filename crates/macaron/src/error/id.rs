//! The one generator of the ids the runtime hands out: request ids and the
//! `error_id` of a crash report.
//!
//! Both are uuid v4 in their usual text form. An id needs to be unique, not
//! unguessable: the bits come from fastrand's per-thread generator, not a
//! cryptographic one, and the text is written with one table lookup per
//! byte, since a request id is made for every request that comes without
//! one.

/// A new uuid v4, as its 36 characters (`8-4-4-4-12` lowercase hex).
pub(crate) fn uuid_v4() -> [u8; 36] {
    let random = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    hyphenated(random.as_bytes())
}

/// A new `error_id`.
pub(crate) fn error_id() -> String {
    String::from_utf8_lossy(&uuid_v4()).into_owned()
}

/// A uuid's 16 bytes as its 36 characters (the same text as `uuid`'s
/// `hyphenated()`, which the test below checks).
fn hyphenated(bytes: &[u8; 16]) -> [u8; 36] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    const PAIRS: [[u8; 2]; 256] = {
        let mut pairs = [[0u8; 2]; 256];
        let mut byte = 0;
        while byte < 256 {
            pairs[byte] = [DIGITS[byte >> 4], DIGITS[byte & 15]];
            byte += 1;
        }
        pairs
    };
    let mut out = [b'-'; 36];
    let mut at = 0;
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        let [high, low] = PAIRS[usize::from(*byte)];
        out[at] = high;
        out[at + 1] = low;
        at += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuids_as_uuid_writes_them() {
        for _ in 0..100 {
            let uuid = uuid::Uuid::from_u128(fastrand::u128(..));
            assert_eq!(std::str::from_utf8(&hyphenated(uuid.as_bytes())).unwrap(), uuid.to_string());
        }
        let id = error_id();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    }
}
