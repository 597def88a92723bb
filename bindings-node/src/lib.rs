//! The Node binding of xspense: conversion and calls only; the behaviour lives in the core.
//!
//! Built by `@napi-rs/cli` into `xspense.<platform>.node`; `index.js` (CommonJS, generated) and
//! `index.mjs` are the package's entries, and `index.d.ts` is generated from the `#[napi]` items
//! here with `header.d.ts` on top.

// napi registers exported functions only outside `cfg(test)`, so a test build sees them unused
#![cfg_attr(test, allow(dead_code))]

mod audit;
mod convert;
mod envelope;
mod errors;
mod limits;
mod pipeline;
mod redact;
mod tasks;
