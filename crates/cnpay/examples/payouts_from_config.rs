//! Picks a payout provider at run time and queries a payout through `Box<dyn Payouts>`.
//!
//! ```text
//! CNPAY_PROVIDER=yunzhanghu CNPAY_YUNZHANGHU_DEALER_ID=… CNPAY_YUNZHANGHU_BROKER_ID=… \
//!   CNPAY_YUNZHANGHU_APP_KEY=… CNPAY_YUNZHANGHU_DES3_KEY=… \
//!   CNPAY_YUNZHANGHU_BASE_URL=http://127.0.0.1:PORT \
//!   cargo run -p cnpay --features full --example payouts_from_config -- ORDER_ID
//! ```
//!
//! Without `CNPAY_YUNZHANGHU_BASE_URL` the query goes to Yunzhanghu's production host; the
//! other providers have no default host. Querying is read-only, so it is safe to run against a
//! real account.

use cnpay::{Error, Payouts};

/// The provider named by `CNPAY_PROVIDER`, configured by its `Config::from_env` (the variables
/// the `cnpay` CLI reads, `…_BASE_URL` and `…_TIMEOUT` included).
fn payouts_from_env() -> Result<Box<dyn Payouts>, Error> {
    let provider = std::env::var("CNPAY_PROVIDER")
        .map_err(|_| Error::invalid_input("CNPAY_PROVIDER", "is not set"))?;
    let payouts: Box<dyn Payouts> = match provider.as_str() {
        "yunzhanghu" => Box::new(cnpay::yunzhanghu::Client::new(
            cnpay::yunzhanghu::Config::from_env()?,
        )?),
        "aggregate-pay" => Box::new(cnpay::aggregate_pay::Client::new(
            cnpay::aggregate_pay::Config::from_env()?,
        )?),
        "protocol-pay" => Box::new(cnpay::protocol_pay::Client::new(
            cnpay::protocol_pay::Config::from_env()?,
        )?),
        "huifu" => Box::new(cnpay::huifu::Client::new(cnpay::huifu::Config::from_env()?)?),
        other => {
            return Err(Error::invalid_input(
                "CNPAY_PROVIDER",
                format!("unknown provider `{other}`"),
            ));
        }
    };
    Ok(payouts)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let order_id = std::env::args()
        .nth(1)
        .ok_or_else(|| Error::invalid_input("ORDER_ID", "give the order id to query"))?;
    let payouts = payouts_from_env()?;
    let result = payouts.query_payout(&order_id).await?;
    println!(
        "{}: order {} is {:?} (amount {:?})",
        payouts.provider(),
        result.order_id,
        result.status,
        result.amount
    );
    Ok(())
}
