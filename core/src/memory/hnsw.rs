//! Approximate nearest-neighbour search (HNSW) for vector sets too large for exact search: a
//! shared index of hundreds of thousands of merchants. Native targets only (feature `hnsw`);
//! the per-tenant memory and the wasm build use [`super::FlatIndex`].
//!
//! hnsw_rs builds the graph. Searches walk a compact copy of it with 8-bit vector codes
//! ([`super::hnsw_graph`]) and re-score what they find exactly; vectors inserted since the copy
//! was taken are compared exactly too, and the copy is renewed once enough of them pile up.
//! hnsw_rs graphs do not delete, so updates and deletions leave tombstones that searches walk
//! through but never return (still returning `k` live results); [`HnswIndex::rebuild`]
//! compacts when they pile up.

use std::collections::HashMap;

use hnsw_rs::prelude::{Distance, Hnsw};

use super::hnsw_graph::{Codes, QueryCodes, SearchGraph};
use super::vector::{dot_inline, vectorized};
use crate::error::{Error, Result};

/// Graph parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Links per node (M); layer 0 keeps up to twice as many.
    pub max_connections: usize,
    /// Candidate list size while building.
    pub ef_construction: usize,
    /// Candidate list size while searching (at least k).
    pub ef_search: usize,
}

impl Default for HnswParams {
    /// M = 32, ef_construction = 200, ef_search = 32: recall@10 about 0.96 at 100,000 hashed
    /// merchant vectors (see the README's performance section).
    fn default() -> Self {
        HnswParams {
            max_connections: 32,
            ef_construction: 200,
            ef_search: 32,
        }
    }
}

/// An HNSW index of vectors addressed by string keys, with insert, update and delete.
pub struct HnswIndex {
    dim: usize,
    params: HnswParams,
    capacity: usize,
    graph: Hnsw<'static, f32, UnitCosine>,
    /// graph id -> key while live
    keys: Vec<Option<String>>,
    /// graph id -> unit vector (`dim` values each), for exact scores
    vectors: Vec<f32>,
    /// graph id -> the vector's codes, for walking the graph
    codes: Codes,
    ids: HashMap<String, usize>,
    tombstones: usize,
    /// What searches walk: the graph as it was when ids `0..copy.len()` were in it.
    copy: SearchGraph,
}

impl std::fmt::Debug for HnswIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HnswIndex")
            .field("dim", &self.dim)
            .field("len", &self.ids.len())
            .field("tombstones", &self.tombstones)
            .finish()
    }
}

/// Cosine distance between unit vectors (`1 - a·b`, never negative), with the vectorized dot
/// product of the flat index, for building. hnsw_rs's own `DistCosine` and `DistDot` sum in
/// one serial chain (no SIMD without its `simdeez_f` feature), which made building ten times
/// slower.
#[derive(Debug, Clone, Copy, Default)]
struct UnitCosine;

impl Distance<f32> for UnitCosine {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - super::vector::dot(a, b)).max(0.0)
    }
}

/// `v` scaled to unit length (the caller has refused all-zero vectors).
fn unit(v: &[f32]) -> Vec<f32> {
    let norm = super::vector::dot(v, v).sqrt();
    v.iter().map(|x| x / norm).collect()
}

fn new_graph(params: HnswParams, capacity: usize) -> Hnsw<'static, f32, UnitCosine> {
    Hnsw::new(
        params.max_connections,
        capacity.max(1_000),
        16,
        params.ef_construction,
        UnitCosine,
    )
}

impl HnswIndex {
    /// An empty index for vectors of length `dim`, sized for about `capacity` vectors.
    pub fn new(dim: usize, capacity: usize, params: HnswParams) -> Result<HnswIndex> {
        if dim == 0 || params.max_connections < 2 || params.ef_search == 0 {
            return Err(Error::invalid(
                "HNSW needs a positive dimension, at least 2 connections and ef_search > 0",
            ));
        }
        Ok(HnswIndex {
            dim,
            params,
            capacity,
            graph: new_graph(params, capacity),
            keys: Vec::new(),
            vectors: Vec::new(),
            codes: Codes::default(),
            ids: HashMap::new(),
            tombstones: 0,
            copy: SearchGraph::default(),
        })
    }

    /// Live vectors.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no live vectors.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The graph parameters in use.
    pub fn params(&self) -> HnswParams {
        self.params
    }

    /// Sets the candidate list size for later searches (at least 1; searches use at least `k`):
    /// larger finds more of the true neighbours, smaller answers faster. The graph is unchanged.
    pub fn set_ef_search(&mut self, ef_search: usize) -> Result<()> {
        if ef_search == 0 {
            return Err(Error::invalid("ef_search must be positive"));
        }
        self.params.ef_search = ef_search;
        Ok(())
    }

    /// Dead entries still in the graph.
    pub fn tombstones(&self) -> usize {
        self.tombstones
    }

    /// Inserts or replaces the vector of `key`. After 256 inserts (or 1/64 of the index) an
    /// insert also renews the copy of the graph that searches walk, and takes longer: about a
    /// third of a second at 100,000 vectors.
    pub fn upsert(&mut self, key: &str, vector: &[f32]) -> Result<()> {
        Self::check(vector, self.dim)?;
        self.remove(key);
        let id = self.keys.len();
        let vector = unit(vector);
        self.graph.insert_slice((&vector, id));
        self.push(key, &vector);
        let uncopied_max = Self::UNCOPIED_MIN.max(self.keys.len() / 64);
        if self.keys.len() - self.copy.len() > uncopied_max {
            self.copy = SearchGraph::copy(&self.graph, self.keys.len());
        }
        Ok(())
    }

    /// Records the next point: its key, unit vector and codes.
    fn push(&mut self, key: &str, unit_vector: &[f32]) {
        self.ids.insert(key.to_string(), self.keys.len());
        self.keys.push(Some(key.to_string()));
        self.vectors.extend_from_slice(unit_vector);
        self.codes.push(unit_vector);
    }

    /// Refuses a vector of the wrong length, with NaN or infinite values, or all zero.
    fn check(vector: &[f32], dim: usize) -> Result<()> {
        super::vector::check_vector(vector, dim)?;
        if vector.iter().all(|x| *x == 0.0) {
            return Err(Error::invalid("vector must not be all zero"));
        }
        Ok(())
    }

    /// Inserts or replaces many vectors at once, building the graph on every core (hnsw_rs's
    /// parallel insert): the way to load a large index. Every vector is checked first; if one
    /// is refused, nothing changes. A key given twice keeps its last vector. The threads race,
    /// so two builds from the same batch can link a few points differently.
    pub fn upsert_batch(&mut self, items: &[(&str, &[f32])]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        for (key, vector) in items {
            Self::check(vector, self.dim).map_err(|e| match e {
                Error::InvalidInput(m) => Error::invalid(format!("vector of {key:?}: {m}")),
                e => e,
            })?;
        }
        let first = self.keys.len();
        for (key, vector) in items {
            self.remove(key);
            self.push(key, &unit(vector));
        }
        self.link_from(first);
        Ok(())
    }

    /// Inserts the points from id `first` on into the graph on every core, then renews the
    /// search copy.
    fn link_from(&mut self, first: usize) {
        let dim = self.dim;
        let batch: Vec<(&[f32], usize)> = self.vectors[first * dim..]
            .chunks_exact(dim)
            .zip(first..)
            .collect();
        self.graph.parallel_insert_slice(&batch);
        self.copy = SearchGraph::copy(&self.graph, self.keys.len());
    }

    /// Vectors inserted one by one since the search copy was taken are compared exactly by
    /// every search. Once there are more than this, or than 1/64 of the index, the insert that
    /// tips it renews the copy. That reads every point's links: about 0.34 s at 100,000
    /// vectors (as much as 125 inserts there), so renewing after 1/64 adds under 10% to
    /// inserting, while the exact scan stays a fraction of a search.
    const UNCOPIED_MIN: usize = 256;

    /// Removes `key`; returns whether it was there. Its point stays in the graph as a
    /// tombstone, with its vector, until [`HnswIndex::rebuild`].
    pub fn remove(&mut self, key: &str) -> bool {
        match self.ids.remove(key) {
            Some(id) => {
                self.keys[id] = None;
                self.tombstones += 1;
                true
            }
            None => false,
        }
    }

    /// The `k` nearest live keys with cosine similarities, most similar first.
    pub fn search(&self, query: &[f32], k: usize, skip: Option<&str>) -> Vec<(String, f32)> {
        if query.len() != self.dim || k == 0 || self.is_empty() {
            return Vec::new();
        }
        if query.iter().any(|x| !x.is_finite()) || query.iter().all(|x| *x == 0.0) {
            return Vec::new();
        }
        let query = unit(query);
        let codes = QueryCodes::new(&query);
        let ef = self.params.ef_search.max(k);
        let live = |id: u32| {
            self.keys[id as usize]
                .as_deref()
                .is_some_and(|key| skip != Some(key))
        };
        let vector = |id: usize| &self.vectors[id * self.dim..(id + 1) * self.dim];
        let mut scored: Vec<(f32, u32)> = vectorized(
            #[inline(always)]
            || {
                // without tombstones or a key to skip every point is live: no lookups
                let found = if self.tombstones == 0 && skip.is_none() {
                    self.copy.search(&self.codes, &codes, ef, |_| true)
                } else {
                    self.copy.search(&self.codes, &codes, ef, live)
                };
                let uncopied = (self.copy.len()..self.keys.len()).map(|id| id as u32);
                found
                    .into_iter()
                    .chain(uncopied.filter(|&id| live(id)))
                    .map(|id| (dot_inline(&query, vector(id as usize)), id))
                    .collect()
            },
        );
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(k)
            .filter_map(|(sim, id)| Some((self.keys[id as usize].clone()?, sim)))
            .collect()
    }

    /// Rebuilds the graph from the live vectors, dropping tombstones.
    pub fn rebuild(&mut self) {
        let keys = std::mem::take(&mut self.keys);
        let vectors = std::mem::take(&mut self.vectors);
        self.graph = new_graph(self.params, self.capacity.max(self.ids.len()));
        self.codes = Codes::default();
        self.ids.clear();
        self.tombstones = 0;
        for (key, v) in keys.iter().zip(vectors.chunks_exact(self.dim)) {
            if let Some(key) = key {
                self.push(key, v);
            }
        }
        self.link_from(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{Embedder, FlatIndex, HashingEmbedder};

    #[test]
    fn agrees_with_exact_search_and_handles_updates_and_deletes() {
        let e = HashingEmbedder::default();
        let mut flat = FlatIndex::new(e.dim());
        let mut h = HnswIndex::new(e.dim(), 2_000, HnswParams::default()).unwrap();
        let mut v = vec![0.0; e.dim()];
        let names: Vec<String> = (0..1_500)
            .map(|i| format!("merchant {} store {}", i % 97, i))
            .collect();
        for n in &names {
            e.embed(n, &mut v);
            flat.upsert(n, &v).unwrap();
            h.upsert(n, &v).unwrap();
        }
        let mut hits = 0;
        for q in names.iter().step_by(37) {
            e.embed(q, &mut v);
            let exact: Vec<String> = flat.search(&v, 10, None).into_iter().map(|x| x.0).collect();
            let approx = h.search(&v, 10, None);
            hits += approx.iter().filter(|(k, _)| exact.contains(k)).count();
        }
        let queries = names.iter().step_by(37).count();
        assert!(
            hits as f64 / (queries * 10) as f64 >= 0.9,
            "recall {hits}/{}",
            queries * 10
        );
        // delete and update: still k live results, never a removed key
        for n in names.iter().take(500) {
            assert!(h.remove(n));
        }
        e.embed(&names[0], &mut v);
        let r = h.search(&v, 10, None);
        assert_eq!(r.len(), 10);
        assert!(r.iter().all(|(k, _)| !names[..500].contains(k)));
        h.rebuild();
        assert_eq!((h.len(), h.tombstones()), (1_000, 0));
        assert_eq!(h.search(&v, 10, Some(&names[600])).len(), 10);
        assert!(h.upsert("x", &[0.0; 3]).is_err());
    }

    #[test]
    fn ef_search_is_adjustable_and_scale_does_not_matter() {
        let mut h = HnswIndex::new(4, 10, HnswParams::default()).unwrap();
        assert!(h.set_ef_search(0).is_err());
        assert_eq!(h.params().ef_search, 32, "a refused value changes nothing");
        h.set_ef_search(8).unwrap();
        assert_eq!(h.params().ef_search, 8);
        h.upsert("a", &[10.0, 0.0, 0.0, 0.0]).unwrap();
        h.upsert("b", &[0.0, 3.0, 0.0, 0.0]).unwrap();
        // vectors and queries are compared by direction: similarity 1 whatever their length
        let r = h.search(&[0.0, 0.5, 0.0, 0.0], 1, None);
        assert_eq!(r[0].0, "b");
        assert!((r[0].1 - 1.0).abs() < 1e-6, "{r:?}");
        assert!(h.search(&[0.0; 4], 1, None).is_empty());
        assert!(h.search(&[f32::NAN, 1.0, 0.0, 0.0], 1, None).is_empty());
    }

    #[test]
    fn copied_and_uncopied_vectors_are_both_found_and_updates_take_effect() {
        let e = HashingEmbedder::default();
        let mut h = HnswIndex::new(e.dim(), 1_000, HnswParams::default()).unwrap();
        let mut v = vec![0.0; e.dim()];
        let name = |i: usize| format!("shop {} of {}", i % 31, i);
        // more than UNCOPIED_MIN: the first ones are walked in the copy, the last ones scanned
        let n = HnswIndex::UNCOPIED_MIN * 3 + 17;
        for i in 0..n {
            e.embed(&name(i), &mut v);
            h.upsert(&name(i), &v).unwrap();
        }
        assert!(
            h.copy.len() > 0 && h.copy.len() < n,
            "both paths are exercised"
        );
        for i in [0, n / 2, n - 1] {
            e.embed(&name(i), &mut v);
            let r = h.search(&v, 3, None);
            assert_eq!(r[0].0, name(i));
            assert!((r[0].1 - 1.0).abs() < 1e-5, "exact similarity: {r:?}");
        }
        // an update moves the key: it is found at its new place, never at the old one
        e.embed("completely different words", &mut v);
        h.upsert(&name(0), &v).unwrap();
        assert_eq!(h.search(&v, 1, None)[0].0, name(0));
        e.embed(&name(31), &mut v);
        assert!(h
            .search(&v, 5, None)
            .iter()
            .all(|(k, s)| k != &name(0) || *s < 0.5));
        assert_eq!((h.len(), h.tombstones()), (n, 1));
    }

    #[test]
    fn batches_load_all_or_nothing() {
        let e = HashingEmbedder::default();
        let mut h = HnswIndex::new(e.dim(), 1_000, HnswParams::default()).unwrap();
        let names: Vec<String> = (0..600)
            .map(|i| format!("store {i} road {}", i % 7))
            .collect();
        let vectors: Vec<Vec<f32>> = names.iter().map(|n| e.vector(n)).collect();
        let mut items: Vec<(&str, &[f32])> = names
            .iter()
            .map(String::as_str)
            .zip(vectors.iter().map(Vec::as_slice))
            .collect();
        let zero = vec![0.0; e.dim()];
        items.push(("broken", &zero));
        let err = h.upsert_batch(&items).unwrap_err();
        assert!(err.to_string().contains("\"broken\""), "{err}");
        assert!(h.is_empty() && h.search(&vectors[0], 1, None).is_empty());
        items.pop();
        // a key given twice keeps its last vector
        items.push((&names[1], &vectors[2]));
        h.upsert_batch(&items).unwrap();
        assert_eq!((h.len(), h.tombstones()), (600, 1));
        for i in [0, 299, 599] {
            assert_eq!(h.search(&vectors[i], 1, None)[0].0, names[i]);
        }
        let r = h.search(&vectors[2], 2, None);
        assert!(
            r.iter()
                .any(|(k, s)| k == &names[1] && (s - 1.0).abs() < 1e-5),
            "{r:?}"
        );
    }
}
