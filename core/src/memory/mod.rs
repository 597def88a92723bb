//! What a tenant taught the engine: learned merchant aliases, and the similarity memory that
//! generalizes them to merchants it has not seen (vectors of merchant names, searched by
//! k nearest neighbours).

mod alias;
mod calibration;
mod embed;
#[cfg(feature = "hnsw")]
mod hnsw;
#[cfg(feature = "hnsw")]
mod hnsw_graph;
mod labels;
mod linear;
mod similar;
mod vector;

pub use alias::{log_amount, AliasEntry, AliasMemory, AliasVerdict, AmountStats};
pub(crate) use calibration::Calibration;
pub use embed::{Embedder, HashingEmbedder};
#[cfg(feature = "hnsw")]
pub use hnsw::{HnswIndex, HnswParams};
pub(crate) use labels::{LabelMap, Translation};
pub(crate) use linear::{features, key_features, OnlineClassifier, Prediction};
pub(crate) use similar::SimilarityMemory;
pub use similar::{Neighbour, SimilarityVote};
pub use vector::FlatIndex;
