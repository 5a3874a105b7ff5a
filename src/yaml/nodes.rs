//! serde over the tree [`super::fast`] reads, so that the input structs are deserialised from
//! it exactly as serde-saphyr would deserialise them from the same text.
//!
//! `Spanned<T>` asks its deserializer for a newtype named `__yaml_spanned` and then for a map
//! of a marker, the value and two `Location`s; this module answers in that form, with the
//! positions the reader recorded. Where serde-saphyr would have to interpret a scalar (a
//! number, a boolean, a null where a string is wanted) this module accepts only the plain
//! spellings and fails on the rest, so that the caller falls back to serde-saphyr.

use std::fmt;

use serde::de::value::{SeqDeserializer, StrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::fast::{At, Kind, Node, is_null};

/// Why the fast path gave up; never shown (serde-saphyr then reads the document).
#[derive(Debug)]
pub struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("outside the subset the fast YAML reader knows")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

/// The name `serde_saphyr::Spanned` gives its newtype.
const SPANNED: &str = "__yaml_spanned";
/// The first key of serde-saphyr's span map, which tells `Spanned` the map is the real thing.
const SPANNED_MARKER: &str = "__serde_saphyr_private_spanned";

pub(super) struct NodeDe<'n, 'a>(pub &'n Node<'a>);

impl NodeDe<'_, '_> {
    /// The text of a scalar that means a string: quoted, or plain but not a null.
    fn string(&self) -> Result<&str, Declined> {
        match &self.0.kind {
            Kind::Str(s) => Ok(s),
            Kind::Plain(s) if !is_null(s) => Ok(s),
            _ => Err(Declined),
        }
    }

    fn plain(&self) -> Result<&str, Declined> {
        match &self.0.kind {
            Kind::Plain(s) if !is_null(s) => Ok(s),
            _ => Err(Declined),
        }
    }

    /// A plain decimal number without sign or leading zero: the one spelling every YAML
    /// schema reads the same way.
    fn unsigned(&self) -> Result<u64, Declined> {
        let s = self.plain()?;
        let canonical = !s.is_empty()
            && s.bytes().all(|c| c.is_ascii_digit())
            && (s == "0" || !s.starts_with('0'));
        if !canonical {
            return Err(Declined);
        }
        s.parse().map_err(|_| Declined)
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.0.kind {
            Kind::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            // Which type a scalar has is serde-saphyr's call.
            _ => Err(Declined),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_str(self.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_string(self.string()?.to_owned())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_str(self.string()?)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.plain()? {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(Declined),
        }
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_u64(self.unsigned()?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_u64(self.unsigned()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_u64(self.unsigned()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_u64(self.unsigned()?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.0.kind {
            Kind::Null => visitor.visit_none(),
            Kind::Plain(s) if is_null(s) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.0.kind {
            Kind::Null => visitor.visit_unit(),
            _ => Err(Declined),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        if name != SPANNED {
            return visitor.visit_newtype_struct(self);
        }
        if matches!(self.0.kind, Kind::Null) {
            return Err(Declined);
        }
        visitor.visit_newtype_struct(SpannedDe(self.0))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.0.kind {
            Kind::Seq(items) => visitor.visit_seq(Items(items.iter())),
            _ => Err(Declined),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match &self.0.kind {
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(Declined),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        let variant: StrDeserializer<'_, Declined> = self.plain()?.into_deserializer();
        visitor.visit_enum(variant)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u128 f32 f64 char bytes byte_buf unit_struct tuple tuple_struct
    }
}

struct Items<'n, 'a>(std::slice::Iter<'n, Node<'a>>);

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Declined> {
        self.0
            .next()
            .map(|node| seed.deserialize(NodeDe(node)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'n, 'a> {
    entries: std::slice::Iter<'n, (Node<'a>, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(NodeDe(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        seed.deserialize(NodeDe(self.value.take().ok_or(Declined)?))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A node seen by `Spanned<T>`: the map `{marker, value, referenced, defined}`.
struct SpannedDe<'n, 'a>(&'n Node<'a>);

impl<'de> de::Deserializer<'de> for SpannedDe<'_, '_> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_map(SpannedFields {
            node: self.0,
            next: 0,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct SpannedFields<'n, 'a> {
    node: &'n Node<'a>,
    next: usize,
}

impl<'de> de::MapAccess<'de> for SpannedFields<'_, '_> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        let key = match self.next {
            0 => SPANNED_MARKER,
            1 => "value",
            2 => "referenced",
            3 => "defined",
            _ => return Ok(None),
        };
        self.next += 1;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        match self.next {
            1 => seed.deserialize(true.into_deserializer()),
            2 => seed.deserialize(NodeDe(self.node)),
            // Without anchors and aliases, a value is referenced where it is defined.
            3 | 4 => seed.deserialize(AtDe {
                at: self.node.at,
                span: false,
            }),
            _ => Err(Declined),
        }
    }
}

/// A position as a `Location` (`{line, column, span, source_id}`) or, with `span`, as its
/// `Span` (`{offset, len, byte_info}`).
struct AtDe {
    at: At,
    span: bool,
}

impl<'de> de::Deserializer<'de> for AtDe {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_map(AtFields { de: self, next: 0 })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct AtFields {
    de: AtDe,
    next: usize,
}

impl AtFields {
    fn keys(&self) -> &'static [&'static str] {
        if self.de.span {
            &["offset", "len", "byte_info"]
        } else {
            &["line", "column", "span", "source_id"]
        }
    }
}

impl<'de> de::MapAccess<'de> for AtFields {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        let Some(key) = self.keys().get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        let at = self.de.at;
        match (self.de.span, self.next) {
            (false, 1) => seed.deserialize(at.line.into_deserializer()),
            (false, 2) => seed.deserialize(at.column.into_deserializer()),
            (false, 3) => seed.deserialize(AtDe { at, span: true }),
            (false, 4) => seed.deserialize(0u32.into_deserializer()),
            (true, 1) => seed.deserialize(at.offset.into_deserializer()),
            (true, 2) => seed.deserialize(at.len.into_deserializer()),
            (true, 3) => seed.deserialize(SeqDeserializer::new(
                [at.byte_offset, at.byte_len].into_iter(),
            )),
            _ => Err(Declined),
        }
    }
}
