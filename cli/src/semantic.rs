//! `--embedder PATH`: a sentence-embedding model asked about merchants nothing else knows well
//! (the core's [`Engine::with_semantic_embedder`]), read by `xspense-embed` in a build with
//! the feature `semantic`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xspense::memory::Embedder;
use xspense::Engine;

use crate::pending_file::write_atomically;
use crate::CliResult;

/// The flag, shared by the commands that categorize.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct EmbedderArgs {
    /// A sentence-embedding model's folder (all-MiniLM-L6-v2: `config.json`,
    /// `model.safetensors`, `tokenizer.json`; `scripts/install-embedder-model.sh` installs
    /// one), asked about merchants nothing else knows well. Needs a build with the feature
    /// `semantic`.
    #[arg(long, value_name = "PATH")]
    pub embedder: Option<PathBuf>,
}

impl EmbedderArgs {
    /// `engine` with the model, the merchant base already embedded, or read from the cache
    /// ([`cache_file`]) when it was embedded there before by the same model (notes on standard
    /// error say which, since embedding takes up to a minute); `engine` as it is without
    /// `--embedder`.
    pub fn apply(&self, engine: Engine) -> CliResult<Engine> {
        let Some(path) = &self.embedder else {
            return Ok(engine);
        };
        let model = load(path)?;
        let engine = engine
            .with_semantic_embedder(model)
            .map_err(|e| format!("--embedder {}: {e}", path.display()))?;
        let cache = cache_file();
        if let Some(file) = &cache {
            if std::fs::read(file).is_ok_and(|bytes| engine.load_semantic_base(&bytes)) {
                eprintln!("merchant base: read from {}", file.display());
                return Ok(engine);
            }
        }
        let started = std::time::Instant::now();
        let entries = engine.warm_semantic();
        eprintln!(
            "merchant base: embedded {entries} entries in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if let (Some(file), Some(bytes)) = (&cache, engine.save_semantic_base()) {
            let folder = file.parent().map_or(Ok(()), std::fs::create_dir_all);
            match folder
                .map_err(|e| e.to_string().into())
                .and_then(|()| write_atomically(file, &bytes))
            {
                Ok(()) => eprintln!("merchant base: saved to {}", file.display()),
                Err(e) => eprintln!("merchant base: not saved ({e})"),
            }
        }
        Ok(engine)
    }
}

/// Where the embedded merchant base is kept between runs: `$XSPENSE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/xspense`, else `~/.cache/xspense`, file `merchant-base.bin` (one model at a
/// time: a base saved by another model, or other built-in tables, is embedded again and
/// replaced). `None` when no such folder can be named.
fn cache_file() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = var("XSPENSE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("xspense")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("xspense")))?;
    Some(dir.join(CACHE_FILE))
}

/// The cache's file name.
const CACHE_FILE: &str = "merchant-base.bin";

#[cfg(feature = "semantic")]
fn load(path: &Path) -> CliResult<Arc<dyn Embedder>> {
    match xspense_embed::SentenceEmbedder::load(path) {
        Ok(model) => Ok(Arc::new(model)),
        Err(e) => Err(format!("--embedder {}: {e}", path.display()).into()),
    }
}

#[cfg(not(feature = "semantic"))]
fn load(path: &Path) -> CliResult<Arc<dyn Embedder>> {
    Err(format!(
        "--embedder {}: this xspense was built without the sentence-embedding model; build it \
         with `cargo build --release -p xspense-cli --features semantic`",
        path.display()
    )
    .into())
}
