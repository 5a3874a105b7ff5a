//! `brief import` through the binary.

mod quality;
