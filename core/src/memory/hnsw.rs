//! Approximate nearest-neighbour search (HNSW, via hnsw_rs) for vector sets too large for
//! exact search: a shared index of hundreds of thousands of merchants. Native targets only
//! (feature `hnsw`); the per-tenant memory and the wasm build use [`super::FlatIndex`].
//!
//! hnsw_rs graphs do not delete, so updates and deletions leave tombstones that searches skip
//! (still returning `k` live results); [`HnswIndex::rebuild`] compacts when they pile up.

use std::collections::HashMap;

use hnsw_rs::prelude::{DataId, Distance, FilterT, Hnsw};

use crate::error::{Error, Result};

/// Graph parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Links per node (M).
    pub max_connections: usize,
    /// Candidate list size while building.
    pub ef_construction: usize,
    /// Candidate list size while searching (at least k).
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams {
            max_connections: 16,
            ef_construction: 100,
            ef_search: 64,
        }
    }
}

/// An HNSW index of vectors addressed by string keys, with insert, update and delete.
pub struct HnswIndex {
    dim: usize,
    params: HnswParams,
    capacity: usize,
    graph: Hnsw<'static, f32, UnitCosine>,
    /// graph id -> (key, vector) while live
    slots: Vec<Option<(String, Vec<f32>)>>,
    ids: HashMap<String, usize>,
    tombstones: usize,
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
/// product of the flat index. hnsw_rs's own `DistCosine` and `DistDot` sum in one serial chain
/// (no SIMD without its `simdeez_f` feature), which made a search ten times slower.
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

struct Live<'a> {
    slots: &'a [Option<(String, Vec<f32>)>],
    skip: Option<&'a str>,
}

impl FilterT for Live<'_> {
    fn hnsw_filter(&self, id: &DataId) -> bool {
        match self.slots.get(*id) {
            Some(Some((k, _))) => self.skip != Some(k.as_str()),
            _ => false,
        }
    }
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
            slots: Vec::new(),
            ids: HashMap::new(),
            tombstones: 0,
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

    /// Inserts or replaces the vector of `key`.
    pub fn upsert(&mut self, key: &str, vector: &[f32]) -> Result<()> {
        super::vector::check_vector(vector, self.dim)?;
        if vector.iter().all(|x| *x == 0.0) {
            return Err(Error::invalid("vector must not be all zero"));
        }
        self.remove(key);
        let id = self.slots.len();
        let vector = unit(vector);
        self.graph.insert((&vector, id));
        self.slots.push(Some((key.to_string(), vector)));
        self.ids.insert(key.to_string(), id);
        Ok(())
    }

    /// Removes `key`; returns whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        match self.ids.remove(key) {
            Some(id) => {
                self.slots[id] = None;
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
        let query = query.as_slice();
        let ef = self.params.ef_search.max(k);
        // a filtered traversal costs about three times a plain one: use it only when needed
        let found = if self.tombstones == 0 && skip.is_none() {
            self.graph.search(query, k, ef)
        } else {
            let filter = Live {
                slots: &self.slots,
                skip,
            };
            self.graph.search_filter(query, k, ef, Some(&filter))
        };
        found
            .into_iter()
            .filter_map(|n| {
                let (key, _) = self.slots.get(n.d_id)?.as_ref()?;
                Some((key.clone(), 1.0 - n.distance))
            })
            .collect()
    }

    /// Rebuilds the graph from the live vectors, dropping tombstones.
    pub fn rebuild(&mut self) {
        let live: Vec<(String, Vec<f32>)> = self.slots.drain(..).flatten().collect();
        self.graph = new_graph(self.params, self.capacity.max(live.len()));
        self.ids.clear();
        self.tombstones = 0;
        for (id, (key, v)) in live.into_iter().enumerate() {
            self.graph.insert((&v, id));
            self.ids.insert(key.clone(), id);
            self.slots.push(Some((key, v)));
        }
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
        assert_eq!(h.params().ef_search, 64, "a refused value changes nothing");
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
}
