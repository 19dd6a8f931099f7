//! The sandbox's test merchant, per provider: put these in the clients' `Config`.
//!
//! They are public test values (the keys are those of the specs' examples and the shared test
//! vectors); they open nothing anywhere but in this sandbox.

/// The aggregate payment gateway's test merchant.
pub mod aggregate {
    /// The merchant id (`mchId`).
    pub const MCH_ID: &str = "20001222";
    /// The application id (`appId`).
    pub const APP_ID: &str = "0ae8be35ff634e2abe94f5f32f6d5c4f";
    /// The key the merchant signs requests with.
    pub const REQUEST_KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";
    /// The key the gateway signs responses and notifications with.
    pub const RESPONSE_KEY: &str = "Hpcl522AV6q613KIi46u6g6XuW8vM1N8bFgyv769770MdYe9u37M4y7rIpl8";
}

/// Protocol pay's test business system.
pub mod protocol {
    /// The business system id (`appId`); every `outReqNo` must start with it.
    pub const APP_ID: &str = "LFT1001";
    /// The MD5 key.
    pub const KEY: &str = "a8f5f167f44f4964e6c998dee827110c";
    /// A business (主体) id the sandbox knows; others are accepted too.
    pub const BUSINESS_ID: &str = "B9";
}

/// Huifu's test app and merchant.
pub mod huifu {
    /// The API gateway key (`client_id`).
    pub const CLIENT_ID: &str = "sandbox-client";
    /// The API gateway secret (`client_secret`).
    pub const CLIENT_SECRET: &str = "sandbox-secret-6f1c0a";
    /// The merchant customer id (`mer_cust_id`).
    pub const MER_CUST_ID: &str = "6666000000026073";
    /// The SMS code the sandbox accepts wherever one is asked for (`sms_code`).
    pub const SMS_CODE: &str = "123456";
    /// The starting balance of every user account the sandbox opens, in fen (10 000.00 yuan), so
    /// that a withdrawal can follow an opening directly.
    pub const INITIAL_USER_BALANCE_FEN: i64 = 1_000_000;
    /// The merchant's own starting available balance (`balance_query` with the merchant's id), in
    /// fen (1 000 000.00 yuan). The money the platform holds for guarantee and delayed-split
    /// trades shows as the merchant's frozen balance.
    pub const INITIAL_MERCHANT_BALANCE_FEN: i64 = 100_000_000;
}

/// Yunzhanghu's test dealer.
pub mod yunzhanghu {
    /// The dealer id (`dealer-id` header, `dealer_id`).
    pub const DEALER_ID: &str = "sixcn";
    /// The broker id (`broker_id`).
    pub const BROKER_ID: &str = "yiyun73";
    /// The app key (HMAC-SHA256 signing).
    pub const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
    /// The 24-byte 3DES key.
    pub const DES3_KEY: &str = "123456788765432112345678";
    /// The SMS captcha `/authentication/verify-confirm` accepts.
    pub const CAPTCHA: &str = "861134";
    /// The dealer's starting balance per channel, in fen (1 000 000.00 yuan).
    pub const INITIAL_BALANCE_FEN: i64 = 100_000_000;
}
