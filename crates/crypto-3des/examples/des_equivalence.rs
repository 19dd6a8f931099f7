//! Differential check of the table-driven core (`crypto_3des::table`) against RustCrypto's
//! `des`: for N random (key, block) pairs, each with a fresh random key, single DES and
//! 3DES-EDE3 must encrypt and decrypt to the same bytes, and decryption must undo encryption.
//! A last pass runs 3DES-EDE3 on N/3 random keys with three random blocks each through
//! `encrypt_blocks`/`decrypt_blocks`, the interleaved path that CBC decryption takes.
//!
//! ```text
//! cargo run --release -p crypto-3des --example des_equivalence -- [--blocks N] [--seed S]
//! ```
//!
//! `N` defaults to 10,000,000 and `S` (decimal or 0x-hex) to a fixed value, so runs are
//! reproducible. Exits with status 1 at the first difference, after printing it.

use std::process::ExitCode;
use std::time::Instant;

use cbc::cipher::{Block, BlockDecrypt, BlockEncrypt, KeyInit};
use crypto_3des::table;

const DEFAULT_BLOCKS: u64 = 10_000_000;
const DEFAULT_SEED: u64 = 0x3de5_7ab1_e000_0001;

/// splitmix64: small, fast, and good enough to draw test inputs.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        out
    }
}

fn parse_u64(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("{msg}\nusage: des_equivalence [--blocks N] [--seed S]");
    ExitCode::from(2)
}

/// What differed, for the report.
struct Mismatch {
    cipher: &'static str,
    op: &'static str,
    case: u64,
    key: Vec<u8>,
    input: [u8; 8],
    table: [u8; 8],
    /// The `des` result, or for a round trip the original block.
    reference: [u8; 8],
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encrypts and decrypts `block` with both ciphers; returns the first difference.
fn compare<T, R>(
    cipher: &'static str,
    case: u64,
    key: &[u8],
    block: [u8; 8],
    ours: &T,
    reference: &R,
) -> Result<(), Box<Mismatch>>
where
    T: BlockEncrypt
        + BlockDecrypt
        + cbc::cipher::BlockSizeUser<BlockSize = cbc::cipher::consts::U8>,
    R: BlockEncrypt
        + BlockDecrypt
        + cbc::cipher::BlockSizeUser<BlockSize = cbc::cipher::consts::U8>,
{
    let mismatch = |op, table: Block<T>, want: Block<R>| {
        Box::new(Mismatch {
            cipher,
            op,
            case,
            key: key.to_vec(),
            input: block,
            table: table.into(),
            reference: want.into(),
        })
    };
    let (mut a, mut b): (Block<T>, Block<R>) = (block.into(), block.into());
    ours.encrypt_block(&mut a);
    reference.encrypt_block(&mut b);
    if a != b {
        return Err(mismatch("encrypt", a, b));
    }
    // Decrypting the ciphertext must give the block back.
    ours.decrypt_block(&mut a);
    if a.as_slice() != block {
        return Err(mismatch("round trip", a, block.into()));
    }
    let (mut a, mut b): (Block<T>, Block<R>) = (block.into(), block.into());
    ours.decrypt_block(&mut a);
    reference.decrypt_block(&mut b);
    if a != b {
        return Err(mismatch("decrypt", a, b));
    }
    Ok(())
}

/// [`compare`] for three blocks at once with one key.
fn compare_three(
    case: u64,
    key: &[u8],
    input: [[u8; 8]; 3],
    ours: &table::TdesEde3,
    reference: &des::TdesEde3,
) -> Result<(), Box<Mismatch>> {
    let blocks: [Block<des::TdesEde3>; 3] = input.map(Into::into);
    let first_difference =
        |op, got: &[Block<des::TdesEde3>; 3], want: &[Block<des::TdesEde3>; 3]| {
            let i = got.iter().zip(want).position(|(g, w)| g != w)?;
            Some(Box::new(Mismatch {
                cipher: "3DES-EDE3 (3 blocks at a time)",
                op,
                case,
                key: key.to_vec(),
                input: input[i],
                table: got[i].into(),
                reference: want[i].into(),
            }))
        };
    let (mut a, mut b) = (blocks, blocks);
    ours.encrypt_blocks(&mut a);
    reference.encrypt_blocks(&mut b);
    if let Some(m) = first_difference("encrypt", &a, &b) {
        return Err(m);
    }
    ours.decrypt_blocks(&mut a);
    if let Some(m) = first_difference("round trip", &a, &blocks) {
        return Err(m);
    }
    let (mut a, mut b) = (blocks, blocks);
    ours.decrypt_blocks(&mut a);
    reference.decrypt_blocks(&mut b);
    if let Some(m) = first_difference("decrypt", &a, &b) {
        return Err(m);
    }
    Ok(())
}

fn run(blocks: u64, seed: u64) -> Result<(), Box<Mismatch>> {
    let mut rng = SplitMix(seed);
    let started = Instant::now();
    for case in 0..blocks {
        let key = rng.bytes::<8>();
        let block = rng.bytes::<8>();
        compare(
            "DES",
            case,
            &key,
            block,
            &table::Des::new(&key.into()),
            &des::Des::new(&key.into()),
        )?;
    }
    println!(
        "DES:       {blocks} random keys, {blocks} encryptions, {blocks} decryptions and {blocks} round trips identical ({:.1?})",
        started.elapsed()
    );
    let started = Instant::now();
    for case in 0..blocks {
        let key = rng.bytes::<24>();
        let block = rng.bytes::<8>();
        compare(
            "3DES-EDE3",
            case,
            &key,
            block,
            &table::TdesEde3::new(&key.into()),
            &des::TdesEde3::new(&key.into()),
        )?;
    }
    println!(
        "3DES-EDE3: {blocks} random keys, {blocks} encryptions, {blocks} decryptions and {blocks} round trips identical ({:.1?})",
        started.elapsed()
    );
    // The same through `encrypt_blocks`/`decrypt_blocks`, which take the interleaved path
    // (three blocks side by side) that CBC decryption uses.
    let started = Instant::now();
    let groups = blocks / 3;
    for case in 0..groups {
        let key = rng.bytes::<24>();
        let input: [[u8; 8]; 3] = [rng.bytes(), rng.bytes(), rng.bytes()];
        compare_three(
            case,
            &key,
            input,
            &table::TdesEde3::new(&key.into()),
            &des::TdesEde3::new(&key.into()),
        )?;
    }
    println!(
        "3DES-EDE3, 3 blocks at a time: {groups} random keys, {} blocks encrypted, decrypted and round-tripped identically ({:.1?})",
        3 * groups,
        started.elapsed()
    );
    Ok(())
}

fn main() -> ExitCode {
    let mut blocks = DEFAULT_BLOCKS;
    let mut seed = DEFAULT_SEED;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let target = match arg.as_str() {
            "--blocks" => &mut blocks,
            "--seed" => &mut seed,
            "-h" | "--help" => return usage("table-driven DES vs the des crate"),
            other => return usage(&format!("unknown argument {other:?}")),
        };
        match args.next().as_deref().and_then(parse_u64) {
            Some(v) => *target = v,
            None => return usage(&format!("{arg} needs a number")),
        }
    }
    println!(
        "des_equivalence: crypto_3des::table vs des 0.8, {blocks} (key, block) pairs per cipher, seed {seed:#018x}"
    );
    match run(blocks, seed) {
        Ok(()) => {
            println!("all equal");
            ExitCode::SUCCESS
        }
        Err(m) => {
            println!(
                "MISMATCH in {} {} at case {}: key {} input {} -> table {}, expected {}",
                m.cipher,
                m.op,
                m.case,
                hex(&m.key),
                hex(&m.input),
                hex(&m.table),
                hex(&m.reference)
            );
            ExitCode::FAILURE
        }
    }
}
