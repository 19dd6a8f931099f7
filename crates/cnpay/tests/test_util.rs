//! The feature `test-util` reaches every enabled provider's test helpers through the facade
//! alone: a merchant tests its handler without depending on the provider crate.
#![cfg(all(
    feature = "test-util",
    feature = "yunzhanghu",
    feature = "aggregate-pay"
))]
#![allow(clippy::unwrap_used)]

use cnpay::yunzhanghu::codes::OrderStatus;
use cnpay::yunzhanghu::notify::NotifyEvent;
use cnpay::yunzhanghu::query::OrderDetail;
use cnpay::yunzhanghu::{Client, Config, test_util};
use cnpay::{Error, Money, NotificationEvent, NotificationVerifier, TxStatus};

#[tokio::test]
async fn a_signed_notification_from_the_facade_verifies_and_a_tampered_one_does_not() {
    let config = Config::new("dealer", "broker", "app-key", "123456788765432112345678").unwrap();
    let event = NotifyEvent {
        notify_id: "N1".into(),
        notify_time: "2017-05-25 11:49:34".into(),
        data: OrderDetail {
            order_id: "O1".into(),
            pay: Some(Money::from_fen(19_500)),
            status: OrderStatus::Paid,
            ..Default::default()
        },
        ..Default::default()
    };
    let client = Client::new(config.clone()).unwrap();
    let signed = test_util::signed_notification(&config, &event, "mess", 1_495_684_174).unwrap();
    let verified = client.verify_notification(&signed).await.unwrap();
    let transition = verified.transition().unwrap();
    assert_eq!(transition.order_id, "O1");
    assert_eq!(transition.amount, Some(Money::from_fen(19_500)));
    assert_eq!(transition.status, TxStatus::Succeeded);

    let tampered = test_util::tampered_notification(&config, &event, "mess", 1).unwrap();
    let refused = client.verify_notification(&tampered).await.unwrap_err();
    assert!(matches!(refused, Error::Signature { .. }), "{refused:?}");

    // The aggregate gateway's helpers are there too.
    let _: fn(_, _) -> _ = cnpay::aggregate_pay::test_util::signed_trans_notification;
}
