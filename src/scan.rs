//! Looking at text many bytes at a time, for the loops that pass over every byte of every
//! article: folding and HTML escaping (eight bytes in a `u64`), and the search for control
//! characters no page may hold. Exact byte tests, and the one rule about control characters
//! ([`is_stray_control`]) that reading and writing share.

use std::borrow::Cow;

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

/// The high bit of the lowest byte of `w` below the space (0x20), exactly, and possibly of
/// other bytes above it (a borrow can reach them): callers look at the lowest marked byte.
pub const fn bytes_below_space(w: u64) -> u64 {
    w.wrapping_sub(ONES * 0x20) & !w & HIGHS
}

/// Whether every byte of `w` is ASCII from the space up (0x20 to 0x7f): no control
/// characters, no part of a multi-byte character.
pub const fn ascii_from_space(w: u64) -> bool {
    // With no high bit set, subtracting 0x20 from each byte borrows only below a byte under
    // 0x20, and sets that byte's high bit.
    w & HIGHS == 0 && w.wrapping_sub(ONES * 0x20) & !w & HIGHS == 0
}

/// The index of the first byte of `bytes` for which `wanted` holds. Written so that the
/// compiler can test a block of bytes at once: `wanted` should be a few comparisons.
#[inline]
pub fn first_where(bytes: &[u8], wanted: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for (n, block) in (&mut blocks).enumerate() {
        if block.iter().fold(false, |any, &b| any | wanted(b)) {
            return block.iter().position(|&b| wanted(b)).map(|i| n * BLOCK + i);
        }
    }
    let tail = blocks.remainder();
    let start = bytes.len() - tail.len();
    tail.iter().position(|&b| wanted(b)).map(|i| start + i)
}

/// Whether `b` is a control character that no page may hold: C0 (below 0x20) other than tab,
/// line feed and carriage return. XML forbids them (the feed is XML), HTML calls them errors,
/// and they are invisible in an editor.
pub fn is_stray_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
}

/// Whether `text` holds a stray control character: eight bytes at a time, for the many short
/// values templates escape.
pub fn has_stray_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let below_space =
        words.any(|w| bytes_below_space(u64::from_le_bytes(w.try_into().expect("8 bytes"))) != 0);
    // A byte below the space may be a tab or a line break: only then is it looked at.
    (below_space || words.remainder().iter().any(|&b| b < 0x20))
        && first_stray_control(text).is_some()
}

/// The byte offset of the first stray control character in `text`, if any.
pub fn first_stray_control(text: &str) -> Option<usize> {
    first_where(text.as_bytes(), is_stray_control)
}

/// `text` with each stray control character replaced by U+FFFD, borrowed when it has none.
/// One character stands for one, so lines and columns stay where they were.
pub fn without_controls(text: &str) -> Cow<'_, str> {
    match first_stray_control(text) {
        None => Cow::Borrowed(text),
        Some(first) => {
            let mut out = String::with_capacity(text.len() + 8);
            out.push_str(&text[..first]);
            for c in text[first..].chars() {
                match c.is_ascii() && is_stray_control(c as u8) {
                    true => out.push('\u{fffd}'),
                    false => out.push(c),
                }
            }
            Cow::Owned(out)
        }
    }
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

    #[test]
    fn stray_controls_are_replaced_one_for_one() {
        assert!(matches!(without_controls("a\tb\r\nc é"), Cow::Borrowed(_)));
        assert_eq!(
            without_controls("a\0b\u{1}\u{1b}[31m\u{c}\u{1f} é\u{7f}"),
            "a\u{fffd}b\u{fffd}\u{fffd}[31m\u{fffd}\u{fffd} é\u{7f}"
        );
        let stray: Vec<u8> = (0..=255u8).filter(|&b| is_stray_control(b)).collect();
        let expected: Vec<u8> = (0..0x20).filter(|b| ![9, 10, 13].contains(b)).collect();
        assert_eq!(stray, expected);
        assert_eq!(first_stray_control("ab\ncd\u{8}"), Some(5));
    }

    #[test]
    fn the_first_wanted_byte_is_found_in_every_place() {
        let is_x = |b: u8| b == b'x';
        for len in 0..100 {
            assert_eq!(first_where(&vec![b'a'; len], is_x), None);
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b'x';
                if at + 1 < len {
                    bytes[len - 1] = b'x';
                }
                assert_eq!(first_where(&bytes, is_x), Some(at), "{len} {at}");
            }
        }
    }
}
