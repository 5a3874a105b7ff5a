//! Looking at text eight bytes at a time (one `u64`), for the loops that pass over every byte
//! of every article: folding and HTML escaping. Exact byte tests only; what the bytes mean is
//! the caller's business.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `bytes` from `i`, little-endian (the first byte lowest), if there are
/// eight.
pub fn word_at(bytes: &[u8], i: usize) -> Option<u64> {
    let word = bytes.get(i..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*word))
}

/// The high bit of every byte of `w` that equals `b`, and of no other.
pub const fn bytes_equal(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * b as u64);
    // A byte of `x` is zero when neither its high bit nor the carry of its low seven bits
    // plus 0x7f sets it; nothing carries into the next byte.
    !(((x & !HIGHS).wrapping_add(!HIGHS)) | x | !HIGHS)
}

/// Whether every byte of `w` is ASCII from the space up (0x20 to 0x7f): no control
/// characters, no part of a multi-byte character.
pub const fn ascii_from_space(w: u64) -> bool {
    // With no high bit set, subtracting 0x20 from each byte borrows only below a byte under
    // 0x20, and sets that byte's high bit.
    w & HIGHS == 0 && w.wrapping_sub(ONES * 0x20) & !w & HIGHS == 0
}

/// The index (0 to 7) of the first byte marked in `mask` (a non-zero mask of high bits, as
/// [`bytes_equal`] makes).
pub fn first_marked(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value against every position, and its neighbours (a borrow or carry between
    /// bytes would show there).
    #[test]
    fn byte_tests_are_exact_for_every_byte_in_every_place() {
        for b in 0..=255u8 {
            for at in 0..8 {
                for filler in [0x00u8, 0x1f, b' ', b'a', 0x7f, 0x80, 0xff] {
                    let mut bytes = [filler; 8];
                    bytes[at] = b;
                    let w = u64::from_le_bytes(bytes);
                    for probe in [b, b' ', b'&', 0x00, 0xff] {
                        let expected = bytes
                            .iter()
                            .enumerate()
                            .filter(|&(_, &x)| x == probe)
                            .fold(0u64, |m, (i, _)| m | 0x80 << (8 * i));
                        assert_eq!(bytes_equal(w, probe), expected, "{bytes:?} {probe}");
                    }
                    let plain = bytes.iter().all(|&x| (0x20..=0x7f).contains(&x));
                    assert_eq!(ascii_from_space(w), plain, "{bytes:?}");
                }
            }
        }
        assert_eq!(
            first_marked(bytes_equal(u64::from_le_bytes(*b"ab&cd&ef"), b'&')),
            2
        );
        assert_eq!(
            word_at(b"0123456789", 2),
            Some(u64::from_le_bytes(*b"23456789"))
        );
        assert_eq!(word_at(b"0123456789", 3), None);
    }
}
