//! A compact, read-only copy of an hnsw_rs graph, searched with 8-bit vector codes.
//!
//! hnsw_rs builds the graph (layer assignment, neighbour selection, reverse links); searching
//! it through hnsw_rs costs locks, reference counts and a hashed visited set per step, more
//! than the distances themselves. [`SearchGraph`] copies the links into flat arrays, and
//! [`Codes`] keeps each unit vector as one signed byte per dimension, a quarter of the memory
//! a search has to pull in. The candidates a search returns are re-scored exactly by the
//! caller, so the codes decide only which points are looked at, never the similarities
//! reported.
//!
//! A search is bound by memory latency: each expanded point brings up to 2 * M neighbours whose
//! rows sit anywhere in memory. So it first collects a point's unseen neighbours and reads one
//! byte of every cache line of each of their rows, which sets all those fetches going at once,
//! and only then computes the distances, by which time the rows are arriving.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use hnsw_rs::prelude::{Distance, Hnsw};

/// A distance with the total order of `f32::total_cmp`, for the heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Dist(f32);

impl Eq for Dist {}

impl PartialOrd for Dist {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dist {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A query vector quantized for [`SearchGraph::search`].
#[derive(Debug, Clone)]
pub(super) struct QueryCodes(Vec<i16>);

impl QueryCodes {
    /// Codes of a finite, non-zero vector (its scale does not matter for ranking).
    pub(super) fn new(query: &[f32]) -> QueryCodes {
        QueryCodes(quantize(query).0)
    }
}

/// Codes in -127..=127 (the largest magnitude maps to 127), widened for [`code_dot`], and the
/// value of one code step.
fn quantize(v: &[f32]) -> (Vec<i16>, f32) {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let scale = 127.0 / max;
    let codes = v
        .iter()
        // |x * scale| <= 127, so the cast cannot saturate
        .map(|x| (x * scale).round() as i16)
        .collect();
    (codes, 1.0 / scale)
}

/// Lanes of [`code_dot`]: two AVX2 registers of 32-bit sums. (Summing products in pairs, the
/// shape of `vpmaddwd`, measured 1.5 times slower in the search loop.)
const LANES: usize = 16;

/// Integer dot product of query and point codes, in [`LANES`] independent sums so that it
/// vectorizes; inlined into the search loop to take on its instruction set. Exact: each sum
/// holds at most 127 * 127 * dim / LANES.
#[inline(always)]
fn code_dot(q: &[i16], v: &[i8]) -> i32 {
    let mut acc = [0i32; LANES];
    let (cq, cv) = (q.chunks_exact(LANES), v.chunks_exact(LANES));
    let (rq, rv) = (cq.remainder(), cv.remainder());
    for (x, y) in cq.zip(cv) {
        for i in 0..LANES {
            acc[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    let tail: i32 = rq
        .iter()
        .zip(rv)
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum();
    acc.iter().sum::<i32>() + tail
}

/// Every point's unit vector as codes on one common scale (127 per unit, so no scale per
/// point has to be fetched), appended as points are inserted.
#[derive(Debug, Clone, Default)]
pub(super) struct Codes(Vec<i8>);

impl Codes {
    /// Adds the codes of the next point's unit vector.
    pub(super) fn push(&mut self, v: &[f32]) {
        // components of a unit vector lie in [-1, 1]: the cast cannot saturate
        self.0.extend(v.iter().map(|x| (x * 127.0).round() as i8));
    }

    /// A byte from every 64 of point `i`'s `dim` codes and its last one: reading them starts
    /// fetching each cache line of the row.
    #[inline(always)]
    fn touch(&self, dim: usize, i: u32) -> i8 {
        let row = &self.0[i as usize * dim..(i as usize + 1) * dim];
        row.iter().step_by(64).fold(row[dim - 1], |a, &b| a ^ b)
    }

    /// Approximate distance from the query to point `i` (smaller is nearer; the query's own
    /// scale is the same for every point, so it is left out).
    #[inline(always)]
    fn distance(&self, q: &QueryCodes, i: u32) -> f32 {
        let (i, dim) = (i as usize, q.0.len());
        -(code_dot(&q.0, &self.0[i * dim..(i + 1) * dim]) as f32)
    }
}

/// Links of the graph's upper layers: point -> neighbours, per layer (index 0 is layer 1).
type UpperLayers = Vec<HashMap<u32, Vec<u32>>>;

/// The links between points `0..len()`.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchGraph {
    /// A point on the top layer, where every search starts.
    entry: Option<u32>,
    upper: UpperLayers,
    /// Layer-0 links, `stride` slots per point: the number of neighbours, then their ids (so a
    /// point's count and first neighbours share a cache line).
    stride: usize,
    links: Vec<u32>,
    len: usize,
}

thread_local! {
    /// Per-thread visit marks: point `i` was seen in this search when `marks[i] == round`.
    static VISITED: RefCell<(u32, Vec<u32>)> = const { RefCell::new((0, Vec::new())) };
}

impl SearchGraph {
    /// Copies the links of `graph`, whose points carry the ids `0..n`.
    pub(super) fn copy<D: Distance<f32> + Send + Sync>(
        graph: &Hnsw<'_, f32, D>,
        n: usize,
    ) -> SearchGraph {
        let mut layer0: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut upper: UpperLayers = Vec::new();
        let mut entry: Option<(u8, u32)> = None;
        for point in graph.get_point_indexation() {
            let id = point.get_origin_id();
            if id >= n {
                continue;
            }
            let id = id as u32;
            let level = point.get_point_id().0;
            if entry.is_none_or(|(top, _)| level > top) {
                entry = Some((level, id));
            }
            for (layer, neighbours) in point.get_neighborhood_id().into_iter().enumerate() {
                if layer > usize::from(level) {
                    break;
                }
                let ids = neighbours
                    .iter()
                    .filter(|nb| nb.d_id < n)
                    .map(|nb| nb.d_id as u32);
                if layer == 0 {
                    layer0[id as usize] = ids.collect();
                } else {
                    if upper.len() < layer {
                        upper.resize_with(layer, HashMap::new);
                    }
                    upper[layer - 1].insert(id, ids.collect());
                }
            }
        }
        let stride = 1 + layer0.iter().map(Vec::len).max().unwrap_or(0);
        let mut links = vec![0u32; n * stride];
        for (slots, l) in links.chunks_exact_mut(stride).zip(&layer0) {
            slots[0] = l.len() as u32;
            slots[1..=l.len()].copy_from_slice(l);
        }
        SearchGraph {
            entry: entry.map(|e| e.1),
            upper,
            stride,
            links,
            len: n,
        }
    }

    /// Points covered: ids `0..len()`.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Up to `ef` points near the query for which `accept` holds, nearest first by code
    /// distance. Points `accept` refuses are still walked through. Inline, so that the caller's
    /// SIMD dispatch covers the whole loop.
    #[inline(always)]
    pub(super) fn search(
        &self,
        codes: &Codes,
        q: &QueryCodes,
        ef: usize,
        accept: impl Fn(u32) -> bool,
    ) -> Vec<u32> {
        let Some(mut at) = self.entry else {
            return Vec::new();
        };
        let mut at_dist = codes.distance(q, at);
        for layer in self.upper.iter().rev() {
            // greedy descent: move to a nearer neighbour while there is one
            loop {
                let mut moved = false;
                for &nb in layer.get(&at).map(Vec::as_slice).unwrap_or_default() {
                    let d = codes.distance(q, nb);
                    if d < at_dist {
                        (at, at_dist, moved) = (nb, d, true);
                    }
                }
                if !moved {
                    break;
                }
            }
        }
        // taken out of the thread-local rather than borrowed in a closure, so that this loop
        // stays inline in the caller's SIMD dispatch
        let (mut round, mut marks) = VISITED.take();
        if marks.len() < self.len() {
            marks.resize(self.len(), 0);
        }
        round = round.wrapping_add(1);
        if round == 0 {
            marks.fill(0);
            round = 1;
        }
        marks[at as usize] = round;
        let mut fresh = Vec::with_capacity(self.stride);
        let mut candidates = BinaryHeap::with_capacity(4 * ef);
        candidates.push(Reverse((Dist(at_dist), at)));
        // accepted points found so far, farthest on top
        let mut found: BinaryHeap<(Dist, u32)> = BinaryHeap::with_capacity(ef + 1);
        if accept(at) {
            found.push((Dist(at_dist), at));
        }
        while let Some(Reverse((Dist(d), c))) = candidates.pop() {
            let worst = found.peek().map_or(f32::INFINITY, |w| w.0 .0);
            if found.len() >= ef && d > worst {
                break;
            }
            let c = c as usize;
            let slots = &self.links[c * self.stride..(c + 1) * self.stride];
            // First the unseen neighbours, reading a byte of each cache line of their codes so
            // that all their rows are on their way from memory at once; then the distances.
            fresh.clear();
            let mut touched = 0i8;
            for &nb in &slots[1..=slots[0] as usize] {
                let mark = &mut marks[nb as usize];
                if *mark == round {
                    continue;
                }
                *mark = round;
                fresh.push(nb);
                touched ^= codes.touch(q.0.len(), nb);
            }
            std::hint::black_box(touched);
            for &nb in &fresh {
                let dn = codes.distance(q, nb);
                let worst = found.peek().map_or(f32::INFINITY, |w| w.0 .0);
                if found.len() < ef || dn < worst {
                    candidates.push(Reverse((Dist(dn), nb)));
                    if accept(nb) {
                        found.push((Dist(dn), nb));
                        if found.len() > ef {
                            found.pop();
                        }
                    }
                }
            }
        }
        VISITED.set((round, marks));
        // each point enters `found` at most once: it is marked before it is scored
        found
            .into_sorted_vec()
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Code distances track the true dot product closely enough to rank neighbours: the
        /// error is bounded by the quantization steps of query and point.
        #[test]
        fn code_distances_track_the_dot_product(
            pairs in prop::collection::vec((-1.0f32..1.0, -1.0f32..1.0), 1..300),
        ) {
            let (a, mut b): (Vec<f32>, Vec<f32>) = pairs.into_iter().unzip();
            let norm = b.iter().map(|x| x * x).sum::<f32>().sqrt();
            prop_assume!(norm > 0.0);
            b.iter_mut().for_each(|x| *x /= norm);
            let mut codes = Codes::default();
            codes.push(&b);
            // QueryCodes::new keeps the codes and drops the query's scale
            let (_, sa) = quantize(&a);
            let approx = -codes.distance(&QueryCodes::new(&a), 0) * sa / 127.0;
            let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let l1 = |v: &[f32]| v.iter().map(|x| x.abs()).sum::<f32>();
            // each product errs by at most half a step of either side
            let (sb, n) = (1.0 / 127.0, a.len() as f32);
            let bound = (sa * l1(&b) + sb * l1(&a)) / 2.0 + sa * sb * n / 4.0;
            prop_assert!((approx - exact).abs() <= bound * 1.001 + 1e-6,
                "approx {approx} exact {exact} bound {bound}");
        }
    }

    #[test]
    fn all_zero_vectors_get_zero_codes() {
        assert_eq!(quantize(&[0.0, 0.0]), (vec![0, 0], 0.0));
        let (c, s) = quantize(&[0.5, -1.0]);
        assert_eq!(c, vec![64, -127]);
        assert!((s - 1.0 / 127.0).abs() < 1e-9);
    }
}
