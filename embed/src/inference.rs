//! The forward pass over a padded batch, mean pooling over the attention mask and L2
//! normalization (sentence-transformers' `Pooling(mean)` + `Normalize` modules).

use candle_core::{DType, Device, Tensor, D};
use candle_transformers::models::bert::BertModel;

/// Smallest norm divided by (as `torch.nn.functional.normalize`): an all-zero row stays zero.
const MIN_NORM: f64 = 1e-12;

/// Ids and attention mask of `sequences`, right-padded with id 0 (`[PAD]`) to the longest one.
fn padded(sequences: &[&[u32]], device: &Device) -> candle_core::Result<(Tensor, Tensor)> {
    let width = sequences.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(sequences.len() * width);
    let mut mask = Vec::with_capacity(sequences.len() * width);
    for s in sequences {
        ids.extend_from_slice(s);
        ids.resize(ids.len() + width - s.len(), 0);
        mask.extend((0..width).map(|i| u32::from(i < s.len())));
    }
    let shape = (sequences.len(), width);
    Ok((
        Tensor::from_vec(ids, shape, device)?,
        Tensor::from_vec(mask, shape, device)?,
    ))
}

/// Mean of `hidden` (batch, tokens, dim) over the tokens whose `mask` (batch, tokens) is 1.
fn mean_pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(D::Minus1)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
    summed.broadcast_div(&counts)
}

/// Each row of `x` (batch, dim) divided by its L2 norm.
fn l2_normalize(x: &Tensor) -> candle_core::Result<Tensor> {
    let norms = x
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(MIN_NORM, f64::MAX)?;
    x.broadcast_div(&norms)
}

/// The unit-length sentence vectors of `sequences` (token ids, none empty), one per sequence.
pub fn sentence_vectors(
    model: &BertModel,
    sequences: &[&[u32]],
) -> candle_core::Result<Vec<Vec<f32>>> {
    if sequences.is_empty() {
        return Ok(Vec::new());
    }
    let (ids, mask) = padded(sequences, &model.device)?;
    let token_types = ids.zeros_like()?;
    let hidden = model.forward(&ids, &token_types, Some(&mask))?;
    l2_normalize(&mean_pool(&hidden, &mask)?)?.to_vec2()
}
