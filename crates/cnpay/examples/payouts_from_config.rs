//! Picks a payout provider at run time and queries a payout through `Box<dyn Payouts>`.
//!
//! ```text
//! CNPAY_PROVIDER=yunzhanghu CNPAY_YUNZHANGHU_DEALER_ID=… CNPAY_YUNZHANGHU_BROKER_ID=… \
//!   CNPAY_YUNZHANGHU_APP_KEY=… CNPAY_YUNZHANGHU_DES3_KEY=… \
//!   cargo run -p cnpay --features full --example payouts_from_config -- ORDER_ID
//! ```
//!
//! Querying is read-only, so it is safe to run against a real account.

use cnpay::core::SecretKey;
use cnpay::{Error, Payouts};

fn var(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| Error::invalid_input(name.to_owned(), "is not set"))
}

/// The provider named by `CNPAY_PROVIDER`, configured from the environment.
fn payouts_from_env() -> Result<Box<dyn Payouts>, Error> {
    let provider = var("CNPAY_PROVIDER")?;
    let payouts: Box<dyn Payouts> = match provider.as_str() {
        "yunzhanghu" => Box::new(cnpay::yunzhanghu::Client::new(
            cnpay::yunzhanghu::Config::new(
                var("CNPAY_YUNZHANGHU_DEALER_ID")?,
                var("CNPAY_YUNZHANGHU_BROKER_ID")?,
                SecretKey::new(var("CNPAY_YUNZHANGHU_APP_KEY")?),
                SecretKey::new(var("CNPAY_YUNZHANGHU_DES3_KEY")?),
            ),
        )?),
        "aggregate-pay" => Box::new(cnpay::aggregate_pay::Client::new(
            cnpay::aggregate_pay::Config::new(
                var("CNPAY_AGGREGATE_PAY_MCH_ID")?,
                var("CNPAY_AGGREGATE_PAY_APP_ID")?,
                SecretKey::new(var("CNPAY_AGGREGATE_PAY_KEY")?),
                SecretKey::new(var("CNPAY_AGGREGATE_PAY_RESPONSE_KEY")?),
            )
            .base_url(var("CNPAY_AGGREGATE_PAY_BASE_URL")?),
        )?),
        "protocol-pay" => Box::new(cnpay::protocol_pay::Client::new(
            cnpay::protocol_pay::Config::new(
                var("CNPAY_PROTOCOL_PAY_APP_ID")?,
                SecretKey::new(var("CNPAY_PROTOCOL_PAY_KEY")?),
            )
            .base_url(var("CNPAY_PROTOCOL_PAY_BASE_URL")?),
        )?),
        "huifu" => Box::new(cnpay::huifu::Client::new(
            cnpay::huifu::Config::new(
                var("CNPAY_HUIFU_MER_CUST_ID")?,
                var("CNPAY_HUIFU_KEY")?,
                SecretKey::new(var("CNPAY_HUIFU_SECRET")?),
            )
            .base_url(var("CNPAY_HUIFU_BASE_URL")?),
        )?),
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
