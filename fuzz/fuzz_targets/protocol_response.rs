#![no_main]
//! Protocol-pay response decoding: every typed call over a transport answering with arbitrary
//! bytes returns `Ok` or `Err`, never panics.
//!
//! Mode bit 0 clear: the bytes are the body as received. Mode bit 0 set: the bytes are the
//! `data` text of a correctly signed `0000` envelope, so the typed decoding behind the
//! signature check is reached.

use libfuzzer_sys::fuzz_target;
use pay_core::{KeyRing, SecretKey};
use protocol_pay::{
    Client, Config, FindProtocolRequest, InqueryRequest, OutqueryRequest, PosCloseRequest,
    QueryBankCnapsRequest,
};

const OUT_REQ_NO: &str = "LFT1001202010100001";

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let config = Config::builder(
        cnpay_fuzz::PROTOCOL_APP_ID,
        KeyRing::new(SecretKey::new(cnpay_fuzz::PROTOCOL_KEY)),
    )
    .base_url("http://127.0.0.1:1")
    .build()
    .expect("the fuzz config is valid");
    let body = if mode & 1 == 0 {
        bytes::Bytes::copy_from_slice(rest)
    } else {
        let text = String::from_utf8_lossy(rest);
        bytes::Bytes::from(protocol_pay::test_util::signed_response_raw(
            &config,
            "0000",
            "SUCCESS",
            &text,
            "20201010123500000",
        ))
    };
    let client = Client::with_transport(
        config,
        cnpay_fuzz::answering(cnpay_fuzz::status_of(mode), body),
    )
    .expect("the fuzz config sets no timeout");
    match (mode >> 1) & 3 {
        0 => {
            let _ = cnpay_fuzz::block_on(client.inquery(&InqueryRequest::new(OUT_REQ_NO)));
        }
        1 => {
            let _ = cnpay_fuzz::block_on(client.outquery(&OutqueryRequest::new(OUT_REQ_NO)));
        }
        2 => {
            let _ = cnpay_fuzz::block_on(
                client.query_bank_cnaps(&QueryBankCnapsRequest::new("招商银行")),
            );
        }
        _ => {
            let _ = cnpay_fuzz::block_on(client.pos_close(&PosCloseRequest::new(OUT_REQ_NO)));
            let _ = cnpay_fuzz::block_on(client.find_protocol(&FindProtocolRequest::new("T1")));
        }
    }
});
