//! Exact nearest-neighbour search over a tenant's merchant vectors.

use std::collections::HashMap;

use ndarray::{Array2, ArrayView1, Axis};

use crate::error::{Error, Result};

/// Vectors addressed by a string key, searched exactly by cosine similarity (vectors are
/// stored L2-normalized, so a dot product). Insert, update and delete are O(dim); deleted rows
/// are zeroed and reused. Fast for the thousands of merchants one tenant has (5,000 vectors of
/// dimension 256 take about a million multiply-adds per query).
#[derive(Debug, Clone)]
pub struct FlatIndex {
    dim: usize,
    rows: Array2<f32>,
    keys: Vec<Option<String>>,
    slots: HashMap<String, usize>,
    free: Vec<usize>,
}

impl FlatIndex {
    /// An empty index of vectors of length `dim`.
    pub fn new(dim: usize) -> FlatIndex {
        FlatIndex {
            dim,
            rows: Array2::zeros((0, dim)),
            keys: Vec::new(),
            slots: HashMap::new(),
            free: Vec::new(),
        }
    }

    /// Vector length.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of vectors held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether `key` has a vector.
    pub fn contains(&self, key: &str) -> bool {
        self.slots.contains_key(key)
    }

    /// Inserts or replaces the vector of `key` (normalized here).
    pub fn upsert(&mut self, key: &str, vector: &[f32]) -> Result<()> {
        check_vector(vector, self.dim)?;
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        let slot = self.slot_for(key)?;
        let mut row = self.rows.row_mut(slot);
        for (r, v) in row.iter_mut().zip(vector) {
            *r = if norm > 0.0 { v / norm } else { 0.0 };
        }
        Ok(())
    }

    /// [`FlatIndex::upsert`] of a vector this index stored before ([`FlatIndex::vector`]),
    /// taken as it is: normalizing it again could move its last bits.
    pub(crate) fn upsert_stored(&mut self, key: &str, vector: &[f32]) -> Result<()> {
        check_vector(vector, self.dim)?;
        let slot = self.slot_for(key)?;
        self.rows.row_mut(slot).assign(&ArrayView1::from(vector));
        Ok(())
    }

    /// The row of `key`, a free or a new one when it has none.
    fn slot_for(&mut self, key: &str) -> Result<usize> {
        Ok(match self.slots.get(key) {
            Some(&s) => s,
            None => {
                let s = match self.free.pop() {
                    Some(s) => s,
                    None => {
                        self.rows
                            .push_row(ArrayView1::from(&vec![0.0; self.dim][..]))
                            .map_err(|e| Error::Internal(e.to_string()))?;
                        self.keys.push(None);
                        self.keys.len() - 1
                    }
                };
                self.slots.insert(key.to_string(), s);
                self.keys[s] = Some(key.to_string());
                s
            }
        })
    }

    /// The stored (normalized) vector of `key`.
    pub fn vector(&self, key: &str) -> Option<Vec<f32>> {
        self.slots.get(key).map(|&s| self.rows.row(s).to_vec())
    }

    /// Removes `key`; returns whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(slot) = self.slots.remove(key) else {
            return false;
        };
        self.rows.row_mut(slot).fill(0.0);
        self.keys[slot] = None;
        self.free.push(slot);
        true
    }

    /// The `k` most similar keys to `query` (normalized here), most similar first, with cosine
    /// similarities; `skip` leaves one key out (the query's own).
    pub fn search(&self, query: &[f32], k: usize, skip: Option<&str>) -> Vec<(String, f32)> {
        if query.len() != self.dim || k == 0 || self.is_empty() {
            return Vec::new();
        }
        let norm = query.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 {
            return Vec::new();
        }
        let Some(flat) = self.rows.as_slice() else {
            return Vec::new(); // rows are always in standard layout
        };
        let best = vectorized(
            #[inline(always)]
            || self.scan(flat, query, k, skip),
        );
        best.into_iter()
            .filter_map(|(s, slot)| self.keys[slot].clone().map(|k| (k, s / norm)))
            .collect()
    }

    /// The `k` best (dot product, slot) pairs, best first.
    #[inline(always)]
    fn scan(&self, flat: &[f32], query: &[f32], k: usize, skip: Option<&str>) -> Vec<(f32, usize)> {
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
        for (slot, row) in flat.chunks_exact(self.dim).enumerate() {
            let s = dot_inline(row, query);
            if best.len() == k && s <= best[k - 1].0 {
                continue;
            }
            let Some(key) = &self.keys[slot] else {
                continue;
            };
            if skip == Some(key.as_str()) {
                continue;
            }
            {
                let at = best.partition_point(|b| b.0 >= s);
                best.insert(at, (s, slot));
                best.truncate(k);
            }
        }
        best
    }

    /// Every key held.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.slots.keys().map(String::as_str)
    }

    /// Memory held by the vectors, in bytes.
    pub fn vector_bytes(&self) -> usize {
        self.rows.len_of(Axis(0)) * self.dim * std::mem::size_of::<f32>()
    }
}

/// Refuses a vector of the wrong length or with NaN or infinite values.
pub(crate) fn check_vector(vector: &[f32], dim: usize) -> Result<()> {
    if vector.len() != dim {
        return Err(Error::invalid(format!(
            "vector has {} dimensions, the index {dim}",
            vector.len()
        )));
    }
    if vector.iter().any(|x| !x.is_finite()) {
        return Err(Error::invalid("vector contains NaN or infinity"));
    }
    Ok(())
}

/// Runs `f` compiled for the widest SIMD instruction set this CPU has (AVX2 and FMA on most
/// x86-64 machines, whose baseline is SSE2); `f` and what it inlines are vectorized for it.
/// Elsewhere it just runs `f`.
#[inline(always)]
pub(super) fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        // Detected once: the HNSW distance calls this per vector pair.
        static ARCH: std::sync::OnceLock<pulp::Arch> = std::sync::OnceLock::new();
        ARCH.get_or_init(pulp::Arch::new).dispatch(f)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        f()
    }
}

/// Dot product of two vectors of the same length, in the widest SIMD this CPU has.
#[cfg(feature = "hnsw")]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    vectorized(
        #[inline(always)]
        || dot_inline(a, b),
    )
}

/// Lanes of [`dot_inline`]: one AVX2 register or two SSE2 ones (32 lanes measured slower on
/// the flat search bench).
const LANES: usize = 8;

/// Dot product in [`LANES`] independent sums, so the compiler vectorizes it; inlined into its
/// caller to take on the caller's instruction set. The order of additions depends only on the
/// length, so every instruction set gives the same result.
#[inline(always)]
pub(super) fn dot_inline(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The dot product compiled for this CPU's widest SIMD and for the baseline agree to
        /// the bit, so search results do not depend on the machine (vectorized code differs
        /// only in release builds).
        #[test]
        fn dot_is_the_same_in_every_instruction_set(
            pairs in prop::collection::vec((-1.0f32..1.0, -1.0f32..1.0), 0..300),
        ) {
            let (a, b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
            let wide = vectorized(
                #[inline(always)]
                || dot_inline(&a, &b),
            );
            // The same function compiled for the baseline instruction set.
            let plain = dot_inline(&a, &b);
            prop_assert_eq!(wide.to_bits(), plain.to_bits());
        }
    }

    #[test]
    fn insert_update_delete_and_search() {
        let mut ix = FlatIndex::new(3);
        ix.upsert("a", &[1.0, 0.0, 0.0]).unwrap();
        ix.upsert("b", &[0.0, 1.0, 0.0]).unwrap();
        ix.upsert("c", &[1.0, 1.0, 0.0]).unwrap();
        let r = ix.search(&[1.0, 0.1, 0.0], 2, None);
        assert_eq!(
            r.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert!((r[0].1 - 0.995).abs() < 0.01);
        ix.upsert("a", &[0.0, 0.0, 1.0]).unwrap();
        assert_eq!(ix.search(&[1.0, 0.1, 0.0], 1, None)[0].0, "c");
        assert!(ix.remove("c"));
        assert!(!ix.remove("c"));
        assert_eq!(ix.len(), 2);
        assert_eq!(ix.search(&[1.0, 0.0, 0.0], 5, None).len(), 2);
        ix.upsert("d", &[1.0, 0.0, 0.0]).unwrap();
        assert_eq!(ix.vector_bytes(), 3 * 3 * 4, "the freed row was reused");
        assert_eq!(ix.search(&[1.0, 0.5, 0.0], 1, Some("d"))[0].0, "b");
        assert!(ix.upsert("e", &[1.0]).is_err());
        assert!(ix.upsert("e", &[f32::NAN, 0.0, 0.0]).is_err());
    }
}
