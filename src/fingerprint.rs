//! Fingerprints: short content hashes for names that must change when content does (the
//! stylesheet's and scripts' file names, the search index's `?v=`, a tag without letters),
//! and for telling whether something changed. FNV-1a over bytes given in any number of
//! pieces; not for security. It does no I/O.

use std::io::{self, Write};

/// FNV-1a, 64 bits, over bytes given in any number of pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    /// The fingerprint of `data`.
    pub fn of(data: &[u8]) -> Self {
        let mut print = Fingerprint::default();
        print.update(data);
        print
    }

    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The high 32 bits, in hex: eight characters for a file name or a query.
    pub fn hex(self) -> String {
        format!("{:08x}", self.0 >> 32)
    }
}

/// A writer that fingerprints the bytes it passes on, for a file whose fingerprint is known
/// only once it is written (the search index).
pub struct Fingerprinting<'w> {
    out: &'w mut dyn Write,
    print: &'w mut Fingerprint,
}

impl<'w> Fingerprinting<'w> {
    pub fn new(out: &'w mut dyn Write, print: &'w mut Fingerprint) -> Self {
        Fingerprinting { out, print }
    }
}

impl Write for Fingerprinting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.print.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most three bytes a write, as a writer may.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_fingerprint_taken_while_writing_is_the_fingerprint_of_what_was_written() {
        let text = "{\"version\":1,\"briefings\":[\"Zelensky — «security»\"]}\n";
        let mut out = Trickle(Vec::new());
        let mut print = Fingerprint::default();
        Fingerprinting::new(&mut out, &mut print)
            .write_all(text.as_bytes())
            .unwrap();
        assert_eq!(out.0, text.as_bytes());
        assert_eq!(print, Fingerprint::of(text.as_bytes()));
        assert_ne!(print.hex(), Fingerprint::of(b"{}").hex());
        // FNV-1a's published value for "a".
        assert_eq!(Fingerprint::of(b"a").0, 0xaf63_dc4c_8601_ec8c);
    }
}
