//! The Node binding of xspense: conversion and calls only; the behaviour lives in the core.
//!
//! Built by `@napi-rs/cli` into `xspense.<platform>.node`; `index.js` (CommonJS, generated) and
//! `index.mjs` are the package's entries, and `index.d.ts` is generated from the `#[napi]` items
//! here with `schema/records.d.ts` (the record types, generated from the core's serde types) on
//! top. Records and option objects cross in the core's JSON shape (snake_case keys).

// napi registers exported functions only outside `cfg(test)`, so a test build sees them unused
#![cfg_attr(test, allow(dead_code))]

mod audit;
mod convert;
mod envelope;
mod errors;
mod limits;
mod model;
mod pipeline;
mod redact;
mod statement;
mod stores;
mod tasks;
