//! What a tenant taught the engine, and what the engine derives from it:
//!
//! - alias memory (`alias`): merchant and detail keys -> decayed category votes, with the
//!   amounts filed under each category;
//! - similarity memory (`similar`): the tenant's merchant keys as vectors (`embed`), searched
//!   by k nearest neighbours (`vector`: exact search; `hnsw` and `hnsw_graph`, feature `hnsw`:
//!   approximate search for large shared vector sets), whose vote suggests a category for a
//!   merchant the tenant has not filed;
//! - the online classifier (`linear`): passive-aggressive over hashed descriptor n-grams,
//!   amount and direction, generalizing across merchants by the words they share;
//! - the label map (`labels`): how the tenant names the built-in categories;
//! - calibration (`calibration`): how often the guesses for new merchants were right, by the
//!   stage that guessed and the confidence it claimed.
//!
//! Only alias memory is persisted; the similarity memory, classifier and label map are rebuilt
//! from it, and calibration starts afresh.

mod alias;
mod calibration;
mod embed;
#[cfg(feature = "hnsw")]
mod hnsw;
#[cfg(feature = "hnsw")]
mod hnsw_graph;
mod labels;
mod linear;
mod merchant_base;
mod recent;
mod similar;
mod supplied;
mod vector;

pub use alias::{log_amount, AliasEntry, AliasMemory, AliasVerdict, AmountStats};
pub(crate) use calibration::Calibration;
pub(crate) use embed::Embedders;
pub use embed::{Embedder, HashingEmbedder};
#[cfg(feature = "hnsw")]
pub use hnsw::{HnswIndex, HnswParams};
pub use labels::{LabelHabit, LabelVotes};
pub(crate) use labels::{LabelMap, Translation};
pub(crate) use linear::{features, key_features, OnlineClassifier, Prediction};
pub(crate) use merchant_base::{BaseNeighbour, BaseOrigin, BaseVote, MerchantBaseIndex};
pub(crate) use recent::RecentVectors;
pub(crate) use similar::SimilarityMemory;
pub use similar::{Neighbour, SimilarityVote};
pub use supplied::{SuppliedVectors, MAX_SUPPLIED_DIM};
pub use vector::FlatIndex;
