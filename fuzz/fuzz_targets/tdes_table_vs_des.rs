#![no_main]
//! The table-driven 3DES-EDE3 core (`crypto_3des::table`) against RustCrypto's `des`: the key
//! is the first 24 bytes, the blocks the rest cut to a multiple of 8. Both cores must encrypt and
//! decrypt the blocks to the same bytes, and decryption must undo encryption.

use crypto_3des::table;
use des::cipher::{Block, BlockDecrypt, BlockEncrypt, KeyInit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((key, rest)) = data.split_first_chunk::<24>() else {
        return;
    };
    let blocks: Vec<Block<des::TdesEde3>> = rest
        .as_chunks::<8>()
        .0
        .iter()
        .map(|b| (*b).into())
        .collect();
    let ours = table::TdesEde3::new(key.into());
    let reference = des::TdesEde3::new(key.into());

    let (mut a, mut b) = (blocks.clone(), blocks.clone());
    ours.encrypt_blocks(&mut a);
    reference.encrypt_blocks(&mut b);
    assert_eq!(a, b, "encrypt");
    ours.decrypt_blocks(&mut a);
    assert_eq!(a, blocks, "decrypt(encrypt(x)) != x");

    let (mut a, mut b) = (blocks.clone(), blocks);
    ours.decrypt_blocks(&mut a);
    reference.decrypt_blocks(&mut b);
    assert_eq!(a, b, "decrypt");
});
