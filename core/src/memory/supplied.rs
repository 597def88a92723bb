//! Vectors of a sentence-embedding model that the host computes itself and hands to the engine
//! ahead of the calls that need them.
//!
//! A model the engine cannot call from inside its own code (a JavaScript function, an async or
//! remote model, one that must run on the host's UI thread) works this way: the host asks
//! [`crate::Engine::semantic_texts`] which texts the next calls need, embeds them however it
//! likes, and gives the vectors to [`crate::Engine::supply_semantic_vectors`]. A text whose
//! vector was not supplied is one the model "cannot embed" ([`Embedder::can_embed`]): the
//! semantic stages pass over it instead of guessing.

use std::collections::HashMap;
use std::sync::RwLock;

use super::embed::Embedder;
use crate::error::{Error, Result};

/// The largest vector length taken (sentence models use 256 to 1,536).
pub const MAX_SUPPLIED_DIM: usize = 4096;

/// A table of supplied vectors, by text; shared by an engine and its clones.
#[derive(Debug)]
pub struct SuppliedVectors {
    dim: usize,
    vectors: RwLock<HashMap<String, Box<[f32]>>>,
}

impl SuppliedVectors {
    /// An empty table of vectors of length `dim` (1 to [`MAX_SUPPLIED_DIM`]).
    pub fn new(dim: usize) -> Result<SuppliedVectors> {
        if dim == 0 || dim > MAX_SUPPLIED_DIM {
            return Err(Error::invalid(format!(
                "supplied vector dimension must be 1 to {MAX_SUPPLIED_DIM}, got {dim}"
            )));
        }
        Ok(SuppliedVectors {
            dim,
            vectors: RwLock::new(HashMap::new()),
        })
    }

    /// Takes one vector per text (`texts[i]`'s is `vectors[i]`), each of length
    /// [`Embedder::dim`], finite and not all zero; stores it L2-normalized, replacing one
    /// supplied before. Checks them all first: on an error nothing is stored. Returns how many
    /// texts were new.
    pub fn supply(&self, texts: &[String], vectors: &[Vec<f32>]) -> Result<usize> {
        if texts.len() != vectors.len() {
            return Err(Error::invalid(format!(
                "{} texts but {} vectors: give one vector per text",
                texts.len(),
                vectors.len()
            )));
        }
        let normalized = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| self.normalized(i, v))
            .collect::<Result<Vec<_>>>()?;
        let mut table = self.vectors.write().unwrap_or_else(|p| p.into_inner());
        let mut new = 0;
        for (text, v) in texts.iter().zip(normalized) {
            new += usize::from(table.insert(text.clone(), v).is_none());
        }
        Ok(new)
    }

    /// Vector `i` checked and scaled to length 1.
    fn normalized(&self, i: usize, v: &[f32]) -> Result<Box<[f32]>> {
        if v.len() != self.dim {
            return Err(Error::invalid(format!(
                "vector {i} has {} numbers, not the engine's dimension {}",
                v.len(),
                self.dim
            )));
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::invalid(format!("vector {i} holds NaN or infinity")));
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 {
            return Err(Error::invalid(format!("vector {i} is all zeros")));
        }
        Ok(v.iter().map(|x| x / norm).collect())
    }

    /// How many texts have a vector.
    pub fn len(&self) -> usize {
        self.vectors.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no text has a vector.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Embedder for SuppliedVectors {
    fn dim(&self) -> usize {
        self.dim
    }

    /// The supplied vector of `text`, or zeros (close to nothing) when none was supplied.
    fn embed(&self, text: &str, out: &mut [f32]) {
        out.fill(0.0);
        let table = self.vectors.read().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = table.get(text) {
            out.iter_mut().zip(v.iter()).for_each(|(o, x)| *o = *x);
        }
    }

    fn can_embed(&self, text: &str) -> bool {
        self.vectors
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn supplied_vectors_are_normalized_and_only_supplied_texts_can_be_embedded() {
        let table = SuppliedVectors::new(2).unwrap();
        assert_eq!(
            table
                .supply(&texts(&["a", "b"]), &[vec![3.0, 4.0], vec![0.0, 2.0]])
                .unwrap(),
            2
        );
        assert_eq!(table.vector("a"), vec![0.6, 0.8]);
        assert!(table.can_embed("b") && !table.can_embed("c"));
        assert_eq!(table.vector("c"), vec![0.0, 0.0]);
        // a replaced vector is not new
        assert_eq!(table.supply(&texts(&["a"]), &[vec![1.0, 0.0]]).unwrap(), 0);
        assert_eq!(table.vector("a"), vec![1.0, 0.0]);
    }

    #[test]
    fn a_bad_vector_stores_nothing_and_says_which() {
        let table = SuppliedVectors::new(2).unwrap();
        for (vectors, says) in [
            (vec![vec![1.0, 0.0], vec![1.0]], "vector 1 has 1 numbers"),
            (
                vec![vec![1.0, 0.0], vec![f32::NAN, 0.0]],
                "vector 1 holds NaN",
            ),
            (
                vec![vec![0.0, 0.0], vec![1.0, 0.0]],
                "vector 0 is all zeros",
            ),
        ] {
            let err = table.supply(&texts(&["a", "b"]), &vectors).unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
            assert!(table.is_empty());
        }
        let err = table.supply(&texts(&["a"]), &[]).unwrap_err();
        assert!(err.to_string().contains("1 texts but 0 vectors"), "{err}");
        assert!(SuppliedVectors::new(0).is_err());
        assert!(SuppliedVectors::new(MAX_SUPPLIED_DIM + 1).is_err());
    }
}
